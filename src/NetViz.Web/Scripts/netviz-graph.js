// NetViz browser graph: one Cytoscape.js instance per Blazor component.
// The .NET side imports this module, calls create(element, dotNetRef, options) and keeps the
// returned instance as an IJSObjectReference. It sends the full element list once (reset) and then
// numbered diffs (applyDiff); a gap in the numbering makes applyDiff return false so the caller resets.

import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { buildStyle, palettes } from './graph-style.js';
import contract from './graph-contract.json';
import { fullLayoutOptions, incrementalLayoutOptions, seedPositions } from './graph-layout.js';
import { layeredIncrementalPositions } from './layered-layout.js';
import { readModel, planLanes, extendPlan, placeLanes, hostGroups, planHosts, extendHosts, placeHosts, countCrossings, addressOf, isBig } from './lanes-layout.js';
import { lanesStyle, lodMetrics, underlayPalette } from './graph-lod.js';
import { LaneUnderlay } from './lane-underlay.js';
import { focusNodes } from './graph-focus.js';
import { attachKeyboard } from './graph-keys.js';
import { setWords } from './graph-words.js';
import { installCompoundSpeedups } from './cytoscape-compound.js';
import { installFirstPictureSpeedups, beginFirstPicture, endFirstPicture } from './first-picture.js';

cytoscape.use(fcose);
installCompoundSpeedups(cytoscape);
installFirstPictureSpeedups(cytoscape);

const FLASH_MS = 1500;
const FADE_MS = 1200;
const LAYOUTS = new Set(contract.layouts.names);
const DEFAULT_LAYOUT = contract.layouts.default;
// Classes and data the lanes layout puts on elements; removed when another layout takes over.
const LANE_CLASSES = 'nv-lanes nv-tile nv-bare nv-dot nv-addr nv-quiet nv-big nv-gate nv-rail nv-egress nv-egress-in nv-ov';
const LANE_DATA = ['nvMinW', 'nvMinH', 'nvMinHOv', 'nvTile', 'nvDy', 'nvTitle', 'nvTitleH', 'nvAddr', 'nvTurn', 'nvTurnOv', 'nvEgressTurn', 'nvBiasL', 'nvBiasT'];

/**
 * Creates the graph inside containerElement.
 * @param {HTMLElement} containerElement the element Cytoscape draws into (an ElementReference from Blazor)
 * @param {{invokeMethodAsync: Function} | null} dotNetRef DotNetObjectReference for OnElementSelected/OnBackgroundSelected
 * @param {{theme?: 'light'|'dark', projector?: boolean, layout?: string, filter?: object, words?: object}} options
 */
export function create(containerElement, dotNetRef, options) {
  circuitCreated = true;
  const drawn = early;
  early = null;
  // The picture drawn before the circuit existed (startEarly) becomes the page's: one instance, no second layout.
  if (drawn && drawn._adopt(containerElement, dotNetRef, options ?? {})) return drawn;
  if (drawn) drawn._discardEarly();
  return new NetVizGraph(containerElement, dotNetRef, options ?? {});
}

/** The instance startEarly drew, until create() adopts it. */
let early = null;
/** create() has run on this page: an early picture would be a second instance. */
let circuitCreated = false;

/**
 * Draws the Topology page's first picture before the Blazor circuit exists (wwwroot/js/graph-early.js calls it once the
 * prerendered HTML is parsed): a graph in its own element laid over the prerendered graph area (rect, page coordinates),
 * drawing the copy graph-prefetch.js fetched. The circuit replaces the prerendered DOM when it starts (no hydration),
 * so the graph lives outside it until the page's create() moves it into the final container and keeps it. Returns the
 * instance, or null when the circuit's graph exists already or nothing was fetched.
 * @param {{left: number, top: number, width: number, height: number}} rect where the graph area is, in page pixels
 * @param {object} options as create() takes them (the saved settings and the URL's show/lesson, read by the caller)
 */
export function startEarly(rect, options) {
  const pending = window.netvizGraphPrefetch;
  if (circuitCreated || early || !pending || typeof pending.then !== 'function') return null;
  // No space to lay out in (the area was gone or hidden when measured): the circuit draws the first picture.
  if (!rect || !(rect.width > 0 && rect.height > 0)) return null;
  window.netvizGraphPrefetch = undefined;
  const host = document.createElement('div');
  host.setAttribute('data-testid', 'graph-early');
  // Above the prerendered page (nothing is clickable there before the circuit), under the app bar's layer.
  host.style.cssText = `position:absolute;left:${rect.left}px;top:${rect.top}px;width:${rect.width}px;height:${rect.height}px;z-index:1`;
  document.body.appendChild(host);
  const graph = new NetVizGraph(host, null, options ?? {});
  graph._earlyHost = host;
  early = graph;
  graph._earlyDrawing = (async () => {
    let answer = null;
    try {
      answer = await pending;
    } catch {
      return;
    }
    if (graph._disposed || graph._lastSequence !== null || !answer || typeof answer.sequence !== 'number' || !Array.isArray(answer.elements)) return;
    graph.reset(answer.elements, answer.sequence);
    graph._earlySequence = answer.sequence;
  })();
  return graph;
}

class NetVizGraph {
  constructor(container, dotNetRef, options) {
    this._container = container;
    setWords(options.words);
    this._dotNetRef = dotNetRef ?? null;
    this._theme = options.theme === 'dark' ? 'dark' : 'light';
    this._projector = !!options.projector;
    this._layoutName = LAYOUTS.has(options.layout) ? options.layout : DEFAULT_LAYOUT;
    this._lastSequence = null;
    // The page's filter from the start (options.filter, as setFilter takes it): the first picture is drawn filtered once.
    this._filter = normaliseFilter(options.filter);
    this._focusSet = null;
    this._plan = null;
    this._lodEles = null;
    this._overview = null;
    this._openTile = null;
    this._layout = null;
    this._laidOutOnce = false;
    this._hiddenAtLayout = new Set();
    this._timers = new Set();
    this._disposed = false;

    this.cy = cytoscape({
      container,
      elements: [],
      style: this._stylesheet(),
      minZoom: 0.05,
      maxZoom: 6,
      boxSelectionEnabled: false,
      selectionType: 'single',
      // While panning/zooming, draw a cached texture instead of every element: keeps large hosts responsive.
      textureOnViewport: true,
    });
    this._applyContainerBackground();
    this._underlay = new LaneUnderlay(this.cy, container);

    this._onTap = evt => {
      if (evt.target === this.cy) {
        this.cy.elements('.nv-focus').removeClass('nv-focus');
        this._setOpenTile(null);
        this._notify('OnBackgroundSelected');
        return;
      }
      let target = evt.target;
      // A click where a cable crosses a box means the box: nodes win over the edges drawn above them.
      if (target.isEdge()) {
        const node = this._nodeAt(evt.position);
        if (node) {
          target.unselect();
          node.select();
          target = node;
        }
      }
      if (target.hasClass('nv-leaving')) return;
      this._setOpenTile(target);
      if (this._filter.focus === 'selection') this._refocus();
      this._notify('OnElementSelected', target.id());
    };
    this.cy.on('tap', this._onTap);
    this._onZoom = () => this._updateLod(false);
    this.cy.on('zoom', this._onZoom);
    this._keyActions = {
      select: node => this._keySelect(node),
      open: node => this._notify('OnElementSelected', node.id()),
      close: () => { this.cy.elements(':selected').unselect(); this._setOpenTile(null); this._notify('OnBackgroundSelected'); },
      fit: () => this.fit(),
      search: () => this._notify('OnSearchRequested'),
    };
    this._detachKeys = attachKeyboard(this.cy, container, this._keyActions);
    this._onResize = () => this.cy && this.cy.resize();
    window.addEventListener('resize', this._onResize);
    // The container also changes size without a window resize (the details drawer opens, the side
    // panel scrolls in): Cytoscape caches its size, so taps would land beside the node without this.
    if (typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => {
        if (this._disposed) return;
        const before = { w: this.cy.width(), h: this.cy.height() };
        this.cy.resize();
        // A graph that was drawn into a zero-sized box (created before the page had its height) is fitted once it has one.
        if ((before.w === 0 || before.h === 0) && this.cy.width() > 0 && this.cy.height() > 0) this.fit();
      });
      this._resizeObserver.observe(container);
    }

    // The one deliberate global: an automation handle for end-to-end tests and debugging (the module
    // instance rides along in the core's scratch, for measure() from the benchmark).
    window.netvizCy = this.cy;
    this.cy.scratch('_netviz', this);
  }

  /** Replaces all elements and runs the full layout, then fits. */
  reset(elements, sequence) {
    if (this._disposed) return;
    this._stopLayout();
    const cy = this.cy;
    // A reset after a sequence gap must not reshuffle the picture: nodes that survive keep their
    // positions and only the unknown ones are placed (the first reset lays out everything).
    const previous = new Map(cy.nodes().filter(n => !n.isParent()).map(n => [n.id(), { ...n.position() }]));
    let added = cy.collection();
    let laidOut = false;
    // An empty graph styles and draws every element for the first time in its next frame (first-picture.js).
    endFirstPicture(cy);
    beginFirstPicture(cy);
    cy.batch(() => {
      cy.elements().remove();
      added = cy.add(normalise(elements ?? []));
      this._computeFocus();
      this._applyFilterClasses(cy.elements());
      for (const n of added.nodes()) {
        const pos = previous.get(n.id());
        if (pos && !n.isParent()) n.position(pos);
      }
      if (this._activeLayout() === 'lanes' && added.nonempty()) {
        // In the same batch as the add: Cytoscape styles every element once, with its lane classes and
        // level of detail already set (a second pass costs most of a second at 300 namespaces). A first
        // reset plans the lanes; a later one (after a sequence gap) extends the plan, so survivors stay put.
        const leavesNow = added.nodes().filter(n => !n.isParent());
        const fresh = !this._laidOutOnce || leavesNow.every(n => !previous.has(n.id()));
        this._rememberHidden();
        this._runLanes(fresh, true);
        laidOut = true;
      }
    });
    this._lastSequence = typeof sequence === 'number' ? sequence : null;
    const leaves = added.nodes().filter(n => !n.isParent());
    const unknown = leaves.filter(n => !previous.has(n.id()));
    if (laidOut) {
      // Done above.
    } else if (!this._laidOutOnce || unknown.length === leaves.length) {
      this._runFullLayout(true, false);
    } else if (unknown.nonempty()) {
      this._placeNewNodes(unknown);
      this.fit();
    } else {
      this.fit();
    }
    this._laidOutOnce = leaves.nonempty();
  }

  /**
   * Draws the graph fetched while the page started (wwwroot/js/graph-prefetch.js) if it is the snapshot the circuit's
   * first reset names (same sequence) and nothing was drawn yet; returns whether it did. Otherwise nothing changes and
   * the caller sends reset. The fetched copy is used at most once.
   */
  async adoptPrefetched(sequence) {
    if (this._earlyDrawing) {
      // Drawn (or being drawn) before the circuit: the same snapshot is already the picture, another one is reset by the caller.
      const drawing = this._earlyDrawing;
      this._earlyDrawing = null;
      await Promise.race([drawing, new Promise(resolve => setTimeout(resolve, 5000))]);
      const drawn = this._earlySequence;
      this._earlySequence = undefined;
      return !this._disposed && drawn === sequence && this._lastSequence === sequence;
    }
    const pending = window.netvizGraphPrefetch;
    window.netvizGraphPrefetch = undefined;
    if (this._disposed || !pending || typeof pending.then !== 'function') return false;
    let answer;
    try {
      // A fetch that never answers must not hold up the first picture: after 5 s the circuit's reset draws it.
      answer = await Promise.race([pending, new Promise(resolve => setTimeout(() => resolve(null), 5000))]);
    } catch {
      return false;
    }
    if (this._disposed || this._lastSequence !== null || !answer || answer.sequence !== sequence || !Array.isArray(answer.elements)) return false;
    this.reset(answer.elements, sequence);
    return true;
  }

  /**
   * Applies one numbered diff. Returns false (and changes nothing) when diff.sequence is not the
   * successor of the last applied sequence: the caller then fetches a fresh snapshot and resets.
   */
  applyDiff(diff) {
    if (this._disposed || !diff) return false;
    if (this._lastSequence === null || diff.sequence !== this._lastSequence + 1) return false;
    const cy = this.cy;
    // A diff before the first frame: from here on styling pays Cytoscape's triggers again (existing boxes grow).
    endFirstPicture(cy);
    const removeIds = diff.remove ?? [];
    const added = normalise(diff.add ?? []);
    const updated = normalise(diff.update ?? []);
    let newElements = cy.collection();
    let leaving = cy.collection();

    cy.batch(() => {
      // 1. remove: fade first (kept, without events, until the fade ends), then really removed.
      for (const id of removeIds) {
        const ele = cy.getElementById(id);
        if (ele.empty() || ele.hasClass('nv-leaving')) continue;
        leaving = leaving.union(ele).union(ele.isNode() ? ele.descendants().union(ele.connectedEdges()).union(ele.descendants().connectedEdges()) : cy.collection());
      }
      // An id that is removed and re-added in one diff (or is still fading from an earlier diff)
      // must go now, or cy.add would reject the duplicate id.
      for (const el of added) {
        const existing = cy.getElementById(el.data.id);
        if (existing.nonempty()) {
          leaving = leaving.not(existing);
          existing.remove();
        }
      }

      // 2. add: parents first so children can reference them (cy.add handles order inside one call).
      if (added.length) newElements = cy.add(added);

      // 3. update: patch only what changed.
      for (const el of updated) {
        const ele = cy.getElementById(el.data.id);
        if (ele.empty()) continue;
        patchElement(ele, el);
      }
      if (this._focusSet) {
        this._computeFocus();
        this._applyFilterClasses(cy.elements());
      } else {
        this._applyFilterClasses(newElements.union(cy.collection(updated.map(u => cy.getElementById(u.data.id)))));
      }
      leaving.addClass('nv-leaving').unselect();
      // Lanes: new namespaces take the next slot of their lane, a new bridge a new lane, a tile whose text
      // or size changed is redrawn; only what a grown box pushes moves (lanes-layout.js extendPlan).
      if (this._activeLayout() === 'lanes' && this._laidOutOnce && (newElements.nonempty() || updated.length)) this._runLanes(false, false);
    });
    this._lastSequence = diff.sequence;

    if (leaving.nonempty()) {
      this._later(() => {
        if (!this._disposed) leaving.filter(e => e.inside() && e.hasClass('nv-leaving')).remove();
      }, FADE_MS);
    }
    const newNodes = newElements.nodes();
    if (newNodes.nonempty()) {
      if (this._activeLayout() === 'lanes' && this._laidOutOnce) this._revealIfOffscreen(newNodes);
      else this._placeNewNodes(newNodes);
    }
    if (newElements.nonempty()) {
      newElements.addClass('nv-added');
      this._later(() => { if (!this._disposed) newElements.filter(e => e.inside()).removeClass('nv-added'); }, FLASH_MS);
    }
    return true;
  }

  /** Light/dark palette and projector mode (large labels, thick edges). Keeps positions. */
  setAppearance(appearance) {
    if (this._disposed) return;
    const a = appearance ?? {};
    const wasProjector = this._projector;
    if (a.theme === 'light' || a.theme === 'dark') this._theme = a.theme;
    if (typeof a.projector === 'boolean') this._projector = a.projector;
    // The page may have changed shape with it (projector mode folds the side panel): measure before laying out.
    this.cy.resize();
    this.cy.style(this._stylesheet());
    this._applyContainerBackground();
    // Projector mode changes every node's size: lay out again (the layered layout gives the same
    // arrangement, just roomier), otherwise the bigger nodes would overlap.
    if (wasProjector !== this._projector && this.cy.nodes().nonempty()) this._runFullLayout(false, true);
    else if (this._activeLayout() === 'lanes' && this._lastLanes) this._underlay.set(this._lastLanes.decor, underlayPalette(this._theme, palettes[this._theme]), this._projector);
  }

  /**
   * Hides loopback interfaces, physical host NICs and NAT rules, and shows only the focus (graph-focus.js:
   * 'lesson', 'selection', a network, bridge or namespace id; null for everything). Returns the number of
   * nodes shown.
   */
  setFilter(filter) {
    if (this._disposed) return 0;
    const before = this._filter;
    this._filter = normaliseFilter(filter);
    const cy = this.cy;
    const wasHidden = new Set(cy.elements('.nv-hidden').map(e => e.id()));
    this._computeFocus();
    cy.batch(() => this._applyFilterClasses(cy.elements()));
    const changed = before.hideLoopback !== this._filter.hideLoopback || before.hideHostDevices !== this._filter.hideHostDevices
      || before.hideNat !== this._filter.hideNat || before.focus !== this._filter.focus;
    if (this._activeLayout() === 'lanes') {
      // The lanes are cheap to lay out and a focus is a different picture: lay out what is shown, fit it.
      if (changed && this._laidOutOnce) this._runFullLayout(false, false);
      return cy.nodes().not('.nv-hidden').length;
    }
    // Nodes that were hidden during the last layout have no real place yet: give them one now
    // without moving anything that is on screen.
    const revealed = cy.nodes().filter(n => wasHidden.has(n.id()) && !n.hasClass('nv-hidden') && this._hiddenAtLayout.has(n.id()));
    if (revealed.nonempty()) {
      for (const n of revealed) this._hiddenAtLayout.delete(n.id());
      this._runIncrementalLayout(revealed);
    }
    if (changed && this._filter.focus !== before.focus) this.fit();
    return cy.nodes().not('.nv-hidden').length;
  }

  /** Highlights elements whose label or server-provided search text contains text; returns their ids. */
  search(text) {
    if (this._disposed) return [];
    const cy = this.cy;
    cy.elements('.nv-match').removeClass('nv-match');
    const needle = String(text ?? '').trim().toLowerCase();
    if (!needle) return [];
    const matches = cy.elements().filter(e => {
      if (e.hasClass('nv-leaving') || e.hasClass('nv-hidden')) return false;
      const label = String(e.data('label') ?? '').toLowerCase();
      const search = String(e.data('search') ?? '').toLowerCase();
      return label.includes(needle) || search.includes(needle);
    });
    if (matches.nonempty()) {
      matches.addClass('nv-match');
      this._zoomTo(matches);
    }
    return matches.map(e => e.id());
  }

  /** Selects, centres and highlights one element. Returns false when the id is unknown. */
  focus(id) {
    if (this._disposed) return false;
    const cy = this.cy;
    const ele = cy.getElementById(id);
    if (ele.empty()) return false;
    cy.elements('.nv-focus').removeClass('nv-focus');
    cy.elements(':selected').unselect();
    ele.select();
    ele.addClass('nv-focus');
    this._setOpenTile(ele);
    if (this._filter.focus === 'selection') this._refocus();
    this._zoomTo(withNeighbours(ele));
    return true;
  }

  /**
   * Marks the elements a lesson step or a replayed timeline step is about (class nv-step), clearing the previous
   * ones, and zooms to those that are shown. Ids the graph does not have are skipped. Returns the ids marked.
   */
  highlight(ids) {
    if (this._disposed) return [];
    const cy = this.cy;
    let marked = cy.collection();
    for (const id of Array.isArray(ids) ? ids : []) {
      const ele = cy.getElementById(String(id));
      if (ele.nonempty()) marked = marked.union(ele);
    }
    cy.batch(() => {
      cy.elements('.nv-step').removeClass('nv-step');
      marked.addClass('nv-step');
    });
    const shown = marked.filter(e => !e.hasClass('nv-hidden') && !e.hasClass('nv-leaving'));
    if (shown.nonempty()) this._zoomTo(shown.union(shown.connectedNodes()));
    return marked.map(e => e.id());
  }

  /**
   * The graph's frame changed shape on purpose (the side panel folded or came back): the lanes wrap to the
   * new width, other layouts are fitted. (A resize of the window or the details drawer only refits.)
   */
  viewportChanged() {
    if (this._disposed) return;
    this.cy.resize();
    if (this._activeLayout() === 'lanes' && this.cy.nodes().nonempty()) this._runFullLayout(false, false);
    else this.fit();
  }

  /** Pans (never zooms) so an element is in view, once the details drawer has taken its part of the width. */
  reveal(id, attempt = 0) {
    if (this._disposed) return;
    this._later(() => {
      const cy = this.cy;
      const ele = cy.getElementById(id);
      if (this._disposed || ele.empty() || !ele.visible()) return;
      // Still moving (the zoom to a linked element): look again when it has landed.
      if (cy.animated() && attempt < 10) { this.reveal(id, attempt + 1); return; }
      cy.resize();
      const ext = cy.extent();
      const bb = ele.boundingBox();
      if (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1 || bb.y2 > ext.y2) {
        cy.stop();
        cy.animate({ center: { eles: ele } }, { duration: 300 });
      }
    }, attempt === 0 ? 350 : 200);
  }

  /** The selected element's id (keyboard or click), or null. */
  selectedId() {
    const sel = this.cy.elements(':selected');
    return sel.nonempty() ? sel[0].id() : null;
  }

  /**
   * Measures the picture as a person sees it: for each container and bridge, the on-screen size of the
   * label that carries its name (the tile's in overview, the badge's in detail), whether that label is
   * drawn and inside the viewport, and the crossings between cables (lanes-layout.js countCrossings).
   */
  measure() {
    const cy = this.cy;
    const zoom = cy.zoom();
    const ext = cy.extent();
    const inside = bb => bb.x1 >= ext.x1 - 1 && bb.x2 <= ext.x2 + 1 && bb.y1 >= ext.y1 - 1 && bb.y2 <= ext.y2 + 1;
    const labels = [];
    const fontOf = n => parseFloat(n.style('font-size'));
    const drawn = n => n.visible() && n.style('label') !== '' && fontOf(n) * zoom >= parseFloat(n.style('min-zoomed-font-size'));
    for (const n of cy.nodes('[kind = "container"]').filter(n => !n.hasClass('nv-hidden') && !n.hasClass('nv-leaving'))) {
      const name = String(n.data('label') ?? '');
      const tile = n.parent();
      // In overview the badge steps aside and the tile's label names the container.
      const carrier = n.visible() ? n : tile.nonempty() && String(tile.data('nvTile') ?? '').split('\n').some(l => l.includes(name)) ? tile : n;
      labels.push({ id: n.id(), kind: 'container', name, px: fontOf(carrier) * zoom, drawn: drawn(carrier), inside: inside(carrier.boundingBox()) });
    }
    for (const n of cy.nodes('[kind = "interface"][type = "bridge"]').filter(n => !n.hasClass('nv-hidden'))) {
      labels.push({ id: n.id(), kind: 'bridge', name: String(n.data('label') ?? '').split('\n')[0], px: fontOf(n) * zoom, drawn: drawn(n), inside: inside(n.boundingBox()) });
    }
    return { zoom, layout: this._layoutName, overview: !!this._overview, labels, crossings: countCrossings(cy) };
  }

  fit() {
    if (this._disposed) return;
    this._fitViewport();
    this._updateLod(false);
  }

  /** Zooms and pans so the whole picture is in view (no level-of-detail change: the caller does that). */
  _fitViewport() {
    const viewport = this._fittedViewport(true);
    if (viewport) this.cy.viewport(viewport);
  }

  /**
   * The zoom and pan that show the whole picture. The lanes layout knows its picture's bounds (frames and host band
   * included): no need to make Cytoscape style and measure every element first, which at 300 namespaces costs a
   * second. Other layouts (or with measure) use the bounding box of what is shown. Null when there is nothing to fit.
   */
  _fittedViewport(measure = false) {
    const cy = this.cy;
    const d = this._activeLayout() === 'lanes' ? this._lastLanes?.bounds : null;
    let box = d && Number.isFinite(d.x1) && d.x2 > d.x1 ? d : null;
    if (!box) {
      if (!measure) return null;
      const shown = cy.elements(':visible');
      if (shown.empty()) return null;
      box = shown.boundingBox();
    }
    const pad = 24;
    const w = cy.width();
    const h = cy.height();
    if (!w || !h) return null;
    const zoom = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), 2.5, (w - 2 * pad) / Math.max(1, box.x2 - box.x1), (h - 2 * pad) / Math.max(1, box.y2 - box.y1)));
    return { zoom, pan: { x: w / 2 - zoom * (box.x1 + box.x2) / 2, y: h / 2 - zoom * (box.y1 + box.y2) / 2 } };
  }

  /** Re-runs a full layout: 'lanes' (default), 'layered' or 'fcose'. */
  setLayout(name) {
    if (this._disposed) return;
    this._layoutName = LAYOUTS.has(name) ? name : DEFAULT_LAYOUT;
    this._runFullLayout(true, true);
  }

  /** Renders the whole graph at 2x into a PNG and downloads it. */
  exportPng(filename) {
    if (this._disposed) return;
    const blob = this.cy.png({ output: 'blob', full: true, scale: 2, bg: palettes[this._theme].background });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename || 'netviz.png';
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  /** The sequence number of the last reset/diff applied (null before the first reset). */
  lastSequence() {
    return this._lastSequence;
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    this._stopLayout();
    for (const t of this._timers) clearTimeout(t);
    this._timers.clear();
    window.removeEventListener('resize', this._onResize);
    if (this._resizeObserver) this._resizeObserver.disconnect();
    this.cy.off('tap', this._onTap);
    this.cy.off('zoom', this._onZoom);
    this._detachKeys();
    this._underlay.dispose();
    if (window.netvizCy === this.cy) window.netvizCy = undefined;
    this.cy.destroy();
    this._dotNetRef = null;
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * create() on an early instance: moves its element (Cytoscape's container, with the canvases as drawn) into the
   * page's container, binds the keyboard, resize and circuit callbacks there, and brings the settings the circuit
   * read up to date (normally the same ones: nothing is drawn again). False when this Cytoscape cannot be moved so;
   * the caller then starts a new instance.
   */
  _adopt(container, dotNetRef, options) {
    const cy = this.cy;
    const host = this._earlyHost;
    const renderer = typeof cy.renderer === 'function' ? cy.renderer() : null;
    // Cytoscape has no public "move to another element" (mount() would restyle every element again): its core keeps
    // the container in _private.container, the canvas renderer in .container, and watches the parent for removal.
    if (this._disposed || !host || !container || !renderer || renderer.container !== host || cy._private?.container !== host) return false;
    this._earlyHost = null;
    const before = { w: cy.width(), h: cy.height() };
    renderer.removeObserver?.disconnect();
    // Only the placement changes: Cytoscape's own styles on its container (user-select, tap highlight) stay.
    Object.assign(host.style, { left: '0', top: '0', width: '100%', height: '100%', zIndex: '' });
    for (const a of ['tabindex', 'role', 'aria-label']) host.removeAttribute(a);
    host.removeAttribute('data-testid');
    container.appendChild(host);
    renderer.removeObserver?.observe(container, { childList: true });
    // As Cytoscape does for its container's ancestors at start: a move by a transition or a scroll re-measures where clicks land.
    if (typeof renderer.registerBinding === 'function' && typeof renderer.invalidateContainerClientCoordsCache === 'function') {
      const invalidate = () => renderer.invalidateContainerClientCoordsCache();
      for (let el = container; el && el !== document.body; el = el.parentNode) {
        for (const type of ['transitionend', 'animationend', 'scroll']) renderer.registerBinding(el, type, invalidate);
      }
    }
    // cy.container() is the page's element from now on (size, background, what tests and the benchmark read); the
    // renderer keeps listening on the moved element, which fills it.
    cy._private.container = container;
    this._container = container;
    this._dotNetRef = dotNetRef ?? null;
    setWords(options.words);
    this._detachKeys();
    this._detachKeys = attachKeyboard(cy, container, this._keyActions);
    if (this._resizeObserver) {
      this._resizeObserver.disconnect();
      this._resizeObserver.observe(container);
    }
    cy.resize();
    this._applyContainerBackground();
    host.style.backgroundColor = '';

    const theme = options.theme === 'dark' ? 'dark' : 'light';
    const projector = !!options.projector;
    const layout = LAYOUTS.has(options.layout) ? options.layout : DEFAULT_LAYOUT;
    const filter = normaliseFilter(options.filter);
    const resized = before.w !== cy.width() || before.h !== cy.height();
    const filterChanged = JSON.stringify(filter) !== JSON.stringify(this._filter);
    if (theme !== this._theme || projector !== this._projector) this.setAppearance({ theme, projector });
    if (filterChanged) this.setFilter(filter);
    if (layout !== this._layoutName) this.setLayout(layout);
    else if (!filterChanged && resized && cy.nodes().nonempty()) this.viewportChanged();
    return true;
  }

  /** An early instance create() could not adopt: gone, with its element. */
  _discardEarly() {
    const host = this._earlyHost;
    this.dispose();
    host?.remove();
  }

  _notify(method, ...args) {
    const ref = this._dotNetRef;
    if (!ref) return;
    try {
      // A disposed DotNetObjectReference or a dropped circuit rejects: nothing to tell anymore.
      const p = ref.invokeMethodAsync(method, ...args);
      if (p && typeof p.catch === 'function') p.catch(() => {});
    } catch {
      // same as above, thrown synchronously
    }
  }

  _later(fn, ms) {
    const t = setTimeout(() => { this._timers.delete(t); fn(); }, ms);
    this._timers.add(t);
  }

  _stylesheet() {
    return buildStyle(this._theme, this._projector).concat(lanesStyle(palettes[this._theme] ?? palettes.light, this._projector));
  }

  _applyContainerBackground() {
    // Label outlines use the palette background, so the canvas behind them must match it.
    this._container.style.backgroundColor = palettes[this._theme].background;
  }

  /** The selection changed under the 'selection' focus: show its neighbourhood (laid out anew) if that differs. */
  _refocus() {
    const before = this._focusSet;
    this._computeFocus();
    const after = this._focusSet;
    if (before && after && before.size === after.size && [...before].every(id => after.has(id))) return;
    this.cy.batch(() => this._applyFilterClasses(this.cy.elements()));
    this._runFullLayout(false, false);
  }

  _computeFocus() {
    const set = focusNodes(this.cy, this._filter.focus, this.selectedId());
    this._focusSet = set ? new Set(set.map(n => n.id())) : null;
  }

  _applyFilterClasses(eles) {
    const f = this._filter;
    const shown = this._focusSet;
    for (const e of eles) {
      if (!e.inside()) continue;
      const kind = e.data('kind');
      const outOfFocus = shown !== null && (e.isNode() ? !shown.has(e.id()) : !(shown.has(e.data('source')) && shown.has(e.data('target'))));
      const hide = outOfFocus ||
        (f.hideLoopback && e.isNode() && e.data('type') === 'loopback') ||
        (f.hideHostDevices && e.hasClass('host-device')) ||
        (f.hideNat && (kind === 'nat-rule' || (e.isEdge() && kind === 'nat')));
      e.toggleClass('nv-hidden', hide);
    }
  }

  _stopLayout() {
    if (this._layout) {
      try { this._layout.stop(); } catch { /* already stopped */ }
      this._layout = null;
    }
  }

  _rememberHidden() {
    this._hiddenAtLayout = new Set(this.cy.nodes('.nv-hidden').map(n => n.id()));
  }

  /**
   * The layout actually run. A hub's graph nests namespaces in host boxes: lanes draws one picture per host box
   * (lanes-layout.js placeHosts); the layered layout draws one host's picture, so there fcose keeps the boxes apart.
   */
  _activeLayout() {
    return this._layoutName === 'layered' && this.cy.nodes('[kind = "host"]').nonempty() ? 'fcose' : this._layoutName;
  }

  _runFullLayout(randomize, animate) {
    const cy = this.cy;
    this._stopLayout();
    if (cy.nodes().empty()) return;
    const name = this._activeLayout();
    if (name === 'lanes') {
      this._rememberHidden();
      this._runLanes(true, true);
      return;
    }
    this._clearLanes();
    const visible = cy.elements().not('.nv-hidden').not('.nv-leaving');
    this._rememberHidden();
    try {
      const opts = fullLayoutOptions(name, { projector: this._projector, randomize, animate, visible });
      const layout = visible.layout(opts);
      this._layout = layout;
      // A layout that ends must leave the whole picture in view, whatever it did with the positions.
      layout.one('layoutstop', () => { if (this._layout === layout) this._layout = null; if (!this._disposed) this.fit(); });
      layout.run();
    } catch (e) {
      // A layout that fails (e.g. fcose on constraints it cannot satisfy) must not leave every node
      // piled up at the origin: fall back to the deterministic one.
      console.error(`NetViz: layout '${this._layoutName}' failed, using 'layered'`, e);
      this._layout = null;
      if (this._layoutName === 'layered') { visible.layout({ name: 'grid', eles: visible, fit: true, padding: 40 }).run(); return; }
      const layout = visible.layout(fullLayoutOptions('layered', { projector: this._projector, randomize, animate: false, visible }));
      layout.run();
    }
  }

  _placeNewNodes(newNodes) {
    const cy = this.cy;
    const others = cy.nodes().not(newNodes).filter(n => !n.isParent());
    if (others.empty()) {
      this._runFullLayout(true, false);
      return;
    }
    const name = this._activeLayout();
    if (name === 'lanes') {
      // New namespaces take the next slot of their lane, a new bridge a new lane; only what a grown box
      // pushes moves (lanes-layout.js extendPlan).
      this._runLanes(false, false);
    } else if (name === 'layered') {
      // Deterministic: each new node gets a free spot in the layered picture; nothing else moves.
      const positions = layeredIncrementalPositions(cy, newNodes, this._projector);
      cy.batch(() => {
        for (const [id, pos] of Object.entries(positions)) cy.getElementById(id).position(pos);
      });
    } else {
      seedPositions(cy, newNodes, this._projector);
      this._runIncrementalLayout(newNodes);
    }
    this._revealIfOffscreen(newNodes);
  }

  /** Pans/zooms out (animated) when new nodes landed outside the view; positions stay as they are. */
  _revealIfOffscreen(nodes) {
    const cy = this.cy;
    const ext = cy.extent();
    const bb = nodes.boundingBox();
    if (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1 || bb.y2 > ext.y2) {
      // One animation at a time: a burst of diffs must not queue a fit per diff.
      cy.stop();
      // The lanes know their picture's bounds: no selector and bounding box over every element (a diff at 300 namespaces).
      const lanes = this._activeLayout() === 'lanes' ? this._fittedViewport() : null;
      cy.animate(lanes ?? { fit: { eles: cy.elements(':visible'), padding: 40 } }, { duration: 500 });
    }
  }

  /**
   * Lays out the shown elements in lanes: a new plan (full) or the current one extended with what is new;
   * with fit, the viewport too. Classes, positions, viewport and level of detail change in one batch.
   */
  _runLanes(full, fit) {
    const cy = this.cy;
    const visible = cy.elements().filter(e => !e.hasClass('nv-hidden') && !e.hasClass('nv-leaving'));
    const aspect = cy.width() > 0 && cy.height() > 0 ? cy.width() / cy.height() : 16 / 9;
    const groups = hostGroups(visible);
    let models, result;
    if (groups) {
      for (const g of groups) g.model = readModel(g.eles, this._projector);
      if (full || !this._plan?.hosts) this._plan = planHosts(groups, this._projector, aspect);
      else extendHosts(this._plan, groups, this._projector);
      result = placeHosts(groups, this._plan, this._projector);
      models = groups.map(g => g.model);
    } else {
      const model = readModel(visible, this._projector);
      if (full || !this._plan || this._plan.hosts) this._plan = planLanes(model, this._projector, aspect);
      else extendPlan(this._plan, model, this._projector);
      result = placeLanes(model, this._plan, this._projector);
      models = [model];
    }
    cy.batch(() => {
      this._lodEles = cy.collection(models.flatMap(model => this._applyLaneClasses(model, result)));
      for (const g of groups ?? []) {
        const box = result.hostBoxes[g.id];
        g.ele.addClass('nv-lanes');
        g.ele.data({ nvMinW: box.w, nvMinH: box.h, nvBiasL: box.biasLeft, nvBiasT: box.biasTop });
      }
      const place = (n, want) => {
        const now = n.position();
        if (now.x !== want.x || now.y !== want.y) n.position(want);
      };
      for (const id in result.positions) {
        const n = cy.getElementById(id);
        if (n.empty()) continue;
        // A box whose every child is hidden (an ip netns with only lo) is a leaf to the layout. Cytoscape keeps such a
        // box at its own stored position (its children take up no area), so that is what is set; the setter moves the
        // hidden children along with it.
        place(n, result.positions[id]);
      }
      this._lastLanes = result;
      if (fit) this._fitViewport();
      this._updateLod(true);
    });
    this._underlay.set(result.decor, underlayPalette(this._theme, palettes[this._theme]), this._projector);
  }

  /** Marks what the lanes picture draws specially (tiles, dots, rails); returns what the level of detail switches. */
  _applyLaneClasses(model, result) {
    const cy = this.cy;
    // Only what changes is touched: a diff at 300 namespaces runs this for every element again.
    const setData = (ele, key, value) => { if (ele.data(key) !== value) ele.data(key, value); };
    const setClass = (ele, cls, on) => { if (ele.hasClass(cls) !== on) ele.toggleClass(cls, on); };
    // Gathered in an array: growing a collection with union() one element at a time is quadratic.
    const lod = [];
    if (model.host) setClass(model.host.ele, 'nv-lanes', true);
    for (const e of model.edges) {
      if (e.kind === 'nat' || e.kind === 'route' || e.kind === 'attachment') setClass(e.ele, 'nv-lanes', true);
      // An arrow between a NAT gate and the outside world, routed through the gutters (lanes-layout.js egressRoutes).
      const route = result.egress?.[e.id];
      setClass(e.ele, 'nv-egress', route !== undefined);
      setClass(e.ele, 'nv-egress-in', route?.dir === 'downward');
      if (route) setData(e.ele, 'nvEgressTurn', Math.max(0, route.turn));
    }
    for (const t of model.tiles) {
      const box = result.tileBoxes[t.id];
      if (!box) continue;
      setClass(t.node.ele, 'nv-tile', true);
      // Nothing shown inside (an ip netns with only lo): the box is placed by its own position (graph-lod.js).
      setClass(t.node.ele, 'nv-bare', t.leaves.length === 0);
      setData(t.node.ele, 'nvMinW', box.w);
      setData(t.node.ele, 'nvMinH', box.h);
      setData(t.node.ele, 'nvMinHOv', box.hOv);
      setData(t.node.ele, 'nvTile', box.text);
      setData(t.node.ele, 'nvDy', box.dy);
      setData(t.node.ele, 'nvTitle', box.title);
      setData(t.node.ele, 'nvTitleH', box.titleH);
      lod.push(t.node.ele);
      for (const c of t.leaves) {
        const linked = t.linked.includes(c);
        setClass(c.ele, 'nv-dot', linked);
        setClass(c.ele, 'nv-addr', linked);
        setClass(c.ele, 'nv-quiet', !linked);
        if (linked) setData(c.ele, 'nvAddr', addressOf(c.label));
        lod.push(c.ele);
      }
    }
    for (const [portId, turn] of Object.entries(result.turns)) {
      const port = cy.getElementById(portId);
      setClass(port, 'nv-dot', true);
      lod.push(port);
      const edge = model.bridgePortEdges.get(portId)?.ele;
      if (edge) {
        setClass(edge, 'nv-rail', true);
        setData(edge, 'nvTurn', turn.turn);
        setData(edge, 'nvTurnOv', turn.turnOv);
        lod.push(edge);
      }
    }
    for (const b of model.bridges) lod.push(b.ele);
    for (const n of model.band) if (isBig(n)) { setClass(n.ele, 'nv-big', true); lod.push(n.ele); }
    for (const list of model.tagsOf.values()) for (const n of list) { setClass(n.ele, 'nv-big', true); lod.push(n.ele); }
    for (const id of model.gateLane.keys()) { const g = model.nodes.get(id).ele; setClass(g, 'nv-gate', true); lod.push(g); }
    for (const n of model.band) if (n.kind === 'nat-rule') { setClass(n.ele, 'nv-gate', true); lod.push(n.ele); }
    return lod;
  }

  _clearLanes() {
    const cy = this.cy;
    this._plan = null;
    this._lastLanes = null;
    this._lodEles = null;
    this._overview = null;
    this._underlay.clear();
    cy.batch(() => {
      cy.elements().removeClass(LANE_CLASSES);
      for (const n of cy.elements()) for (const k of LANE_DATA) if (n.data(k) !== undefined) n.removeData(k);
    });
  }

  /**
   * Overview while a tile's detail text would be too small to read (dFont under detailPx on screen:
   * 12 px, 18 px in projector mode), detail above; the open tile (the selection's) is always in detail. Switches only when the zoom crosses
   * the threshold (with a little hysteresis), since it restyles every tile.
   */
  _updateLod(force) {
    if (this._disposed || this._activeLayout() !== 'lanes' || !this._lodEles) return;
    const m = lodMetrics(this._projector);
    const px = this.cy.zoom() * m.dFont;
    const overview = this._overview === null ? px < m.detailPx : this._overview ? px < m.detailPx + 0.5 : px < m.detailPx - 0.5;
    if (!force && overview === this._overview) return;
    this._overview = overview;
    const open = this._openTile ? new Set(this._openEles(this._openTile).map(e => e.id())) : null;
    this.cy.batch(() => {
      for (const e of this._lodEles) {
        if (!e.inside()) continue;
        const want = overview && !(open && open.has(e.id()));
        if (e.hasClass('nv-ov') !== want) e.toggleClass('nv-ov', want);
      }
    });
  }

  /** A tile and what belongs to it: its contents, the host ports it hangs on and their rails. */
  _openEles(tile) {
    if (!tile.inside()) return this.cy.collection();
    const inner = tile.union(tile.descendants());
    const ports = inner.connectedEdges('[kind = "veth"]').connectedNodes().not(inner);
    return inner.union(ports).union(ports.connectedEdges('.nv-rail'));
  }

  /** Opens (shows in detail) the tile of a selected element; null closes. */
  _setOpenTile(ele) {
    let tile = null;
    if (ele && ele.isNode && ele.isNode()) {
      let p = ele;
      while (p.parent().nonempty()) p = p.parent();
      if (p.hasClass('nv-tile')) tile = p;
      else if (ele.hasClass('nv-dot') && !ele.parent().hasClass('nv-tile')) {
        // A host port: open the tile it is cabled to.
        const peer = ele.connectedEdges('[kind = "veth"]').connectedNodes().not(ele)[0];
        let q = peer;
        while (q && q.parent().nonempty()) q = q.parent();
        if (q && q.hasClass('nv-tile')) tile = q;
      }
    }
    const before = this._openTile;
    if ((before && tile && before.same(tile)) || (!before && !tile)) return;
    this._openTile = tile;
    if (this._overview) {
      this.cy.batch(() => {
        if (before) this._openEles(before).filter(e => this._lodEles?.contains(e)).addClass('nv-ov');
        if (tile) this._openEles(tile).removeClass('nv-ov');
      });
    }
  }

  /** The node a person meant at a model position: a leaf over a box, a smaller box over a larger one. */
  _nodeAt(pos) {
    let best = null;
    let bestArea = Infinity;
    for (const n of this.cy.nodes()) {
      if (!n.visible() || n.pstyle('events').value !== 'yes' || n.hasClass('nv-leaving')) continue;
      const bb = n.boundingBox({ includeLabels: false });
      if (pos.x < bb.x1 || pos.x > bb.x2 || pos.y < bb.y1 || pos.y > bb.y2) continue;
      const area = n.isParent() ? bb.w * bb.h * 1000 : bb.w * bb.h;
      if (area < bestArea) { bestArea = area; best = n; }
    }
    return best;
  }

  _keySelect(node) {
    const cy = this.cy;
    cy.elements(':selected').unselect();
    cy.elements('.nv-focus').removeClass('nv-focus');
    node.select();
    this._setOpenTile(node);
    // Keep the selection in view without changing the zoom a person chose.
    const ext = cy.extent();
    const bb = node.boundingBox();
    if (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1 || bb.y2 > ext.y2) {
      cy.stop();
      cy.animate({ center: { eles: node } }, { duration: 250 });
    }
  }

  _runIncrementalLayout(movable) {
    const cy = this.cy;
    this._stopLayout();
    // Remember every existing leaf position: fcose pins them with fixedNodeConstraint, and we put
    // them back afterwards in case any rounding moved one (a viewer must not see them jump).
    const pinned = cy.nodes().filter(n => !n.isParent()).not(movable).map(n => [n, { ...n.position() }]);
    const opts = incrementalLayoutOptions(cy, movable, this._projector);
    const layout = opts.eles.layout(opts);
    this._layout = layout;
    layout.run();
    if (this._layout === layout) this._layout = null;
    cy.batch(() => {
      for (const [n, pos] of pinned) {
        if (!n.inside()) continue;
        const now = n.position();
        if (now.x !== pos.x || now.y !== pos.y) n.position(pos);
      }
    });
  }

  _zoomTo(eles) {
    const cy = this.cy;
    const bb = eles.boundingBox();
    const pad = 80;
    // Fit to the matches, but never zoom in so far that the context around them is lost.
    const zoom = Math.min(
      cy.maxZoom(),
      1.6,
      (cy.width() - 2 * pad) / Math.max(bb.w, 1),
      (cy.height() - 2 * pad) / Math.max(bb.h, 1),
    );
    cy.stop();
    cy.animate({
      zoom: Math.max(zoom, cy.minZoom()),
      center: { eles },
    }, { duration: 400 });
  }
}

/**
 * What "show in graph" frames: the element and what it is cabled to, so both ends of a veth and the bridge are in view.
 * An edge brings its two ends; a namespace box its own children's neighbours. Hidden (filtered) elements stay out.
 */
function withNeighbours(ele) {
  let eles = ele.union(ele.isEdge() ? ele.connectedNodes() : ele.closedNeighborhood());
  if (ele.isNode() && ele.isParent()) eles = eles.union(ele.children().closedNeighborhood());
  const visible = eles.filter(e => !e.hasClass('nv-hidden'));
  return visible.nonempty() ? visible : ele;
}

/** setFilter's argument (or create's options.filter) as the module keeps it; missing fields are off. */
function normaliseFilter(filter) {
  const f = filter ?? {};
  const focus = typeof f.focus === 'string' && f.focus.length ? f.focus : typeof f.network === 'string' && f.network.length ? f.network : null;
  return { hideLoopback: !!f.hideLoopback, hideHostDevices: !!f.hideHostDevices, hideNat: !!f.hideNat, focus };
}

/** Element JSON from the server: copy so Cytoscape never shares objects with the caller. */
function normalise(elements) {
  return elements.filter(e => e && e.data && e.data.id).map(e => ({
    group: e.group ?? (e.data.source !== undefined && e.data.target !== undefined ? 'edges' : 'nodes'),
    data: { ...e.data },
    classes: typeof e.classes === 'string' ? e.classes : Array.isArray(e.classes) ? e.classes.join(' ') : '',
  }));
}

function sameValue(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Patches data keys that changed (and removed ones), classes, and parent/endpoints via move(). */
function patchElement(ele, el) {
  const current = ele.data();
  const next = el.data;
  const changed = {};
  let any = false;
  for (const [k, v] of Object.entries(next)) {
    if (k === 'id' || k === 'parent' || k === 'source' || k === 'target') continue;
    if (!sameValue(current[k], v)) { changed[k] = v; any = true; }
  }
  if (any) ele.data(changed);
  for (const k of Object.keys(current)) {
    // nv* keys are the graph module's own (layout sizes, tile text), not the server's.
    if (!(k in next) && k !== 'id' && k !== 'parent' && k !== 'source' && k !== 'target' && !k.startsWith('nv')) ele.removeData(k);
  }
  if (ele.isNode()) {
    const parent = next.parent ?? null;
    const currentParent = current.parent ?? null;
    if (parent !== currentParent) ele.move({ parent });
  } else if (next.source !== current.source || next.target !== current.target) {
    ele.move({ source: next.source, target: next.target });
  }
  const keep = ele.classes().filter(c => c.startsWith('nv-'));
  const wanted = (el.classes ?? '').split(/\s+/).filter(Boolean);
  const merged = [...new Set([...wanted, ...keep])];
  const before = ele.classes().slice().sort().join(' ');
  if (merged.slice().sort().join(' ') !== before) ele.classes(merged);
}
