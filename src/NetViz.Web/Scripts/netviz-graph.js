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

cytoscape.use(fcose);

const FLASH_MS = 1500;
const FADE_MS = 1200;
const LAYOUTS = new Set(contract.layouts.names);
const DEFAULT_LAYOUT = contract.layouts.default;

/**
 * Creates the graph inside containerElement.
 * @param {HTMLElement} containerElement the element Cytoscape draws into (an ElementReference from Blazor)
 * @param {{invokeMethodAsync: Function} | null} dotNetRef DotNetObjectReference for OnElementSelected/OnBackgroundSelected
 * @param {{theme?: 'light'|'dark', projector?: boolean, layout?: string}} options
 */
export function create(containerElement, dotNetRef, options) {
  return new NetVizGraph(containerElement, dotNetRef, options ?? {});
}

class NetVizGraph {
  constructor(container, dotNetRef, options) {
    this._container = container;
    this._dotNetRef = dotNetRef ?? null;
    this._theme = options.theme === 'dark' ? 'dark' : 'light';
    this._projector = !!options.projector;
    this._layoutName = LAYOUTS.has(options.layout) ? options.layout : DEFAULT_LAYOUT;
    this._lastSequence = null;
    this._filter = { hideLoopback: false, hideHostDevices: false, hideNat: false, network: null };
    this._layout = null;
    this._laidOutOnce = false;
    this._hiddenAtLayout = new Set();
    this._timers = new Set();
    this._disposed = false;

    this.cy = cytoscape({
      container,
      elements: [],
      style: buildStyle(this._theme, this._projector),
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 6,
      boxSelectionEnabled: false,
      selectionType: 'single',
      // While panning/zooming, draw a cached texture instead of every element: keeps large hosts responsive.
      textureOnViewport: true,
    });
    this._applyContainerBackground();

    this._onTap = evt => {
      if (evt.target === this.cy) {
        this.cy.elements('.nv-focus').removeClass('nv-focus');
        this._notify('OnBackgroundSelected');
      } else if (!evt.target.hasClass('nv-leaving')) {
        this._notify('OnElementSelected', evt.target.id());
      }
    };
    this.cy.on('tap', this._onTap);
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

    // The one deliberate global: an automation handle for end-to-end tests and debugging.
    window.netvizCy = this.cy;
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
    cy.batch(() => {
      cy.elements().remove();
      added = cy.add(normalise(elements ?? []));
      this._applyFilterClasses(cy.elements());
      for (const n of added.nodes()) {
        const pos = previous.get(n.id());
        if (pos && !n.isParent()) n.position(pos);
      }
    });
    this._lastSequence = typeof sequence === 'number' ? sequence : null;
    const leaves = added.nodes().filter(n => !n.isParent());
    const unknown = leaves.filter(n => !previous.has(n.id()));
    if (!this._laidOutOnce || unknown.length === leaves.length) {
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
   * Applies one numbered diff. Returns false (and changes nothing) when diff.sequence is not the
   * successor of the last applied sequence: the caller then fetches a fresh snapshot and resets.
   */
  applyDiff(diff) {
    if (this._disposed || !diff) return false;
    if (this._lastSequence === null || diff.sequence !== this._lastSequence + 1) return false;
    const cy = this.cy;
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
      this._applyFilterClasses(newElements.union(cy.collection(updated.map(u => cy.getElementById(u.data.id)))));
      leaving.addClass('nv-leaving').unselect();
    });
    this._lastSequence = diff.sequence;

    if (leaving.nonempty()) {
      this._later(() => {
        if (!this._disposed) leaving.filter(e => e.inside() && e.hasClass('nv-leaving')).remove();
      }, FADE_MS);
    }
    const newNodes = newElements.nodes();
    if (newNodes.nonempty()) this._placeNewNodes(newNodes);
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
    this.cy.style(buildStyle(this._theme, this._projector));
    this._applyContainerBackground();
    // Projector mode changes every node's size: lay out again (the layered layout gives the same
    // arrangement, just roomier), otherwise the bigger nodes would overlap.
    if (wasProjector !== this._projector && this.cy.nodes().nonempty()) this._runFullLayout(false, true);
  }

  /** Hides loopback interfaces, physical host NICs and NAT rules; dims what is not on a network. */
  setFilter(filter) {
    if (this._disposed) return;
    const f = filter ?? {};
    this._filter = {
      hideLoopback: !!f.hideLoopback,
      hideHostDevices: !!f.hideHostDevices,
      hideNat: !!f.hideNat,
      network: typeof f.network === 'string' && f.network.length ? f.network : null,
    };
    const cy = this.cy;
    const wasHidden = new Set(cy.elements('.nv-hidden').map(e => e.id()));
    cy.batch(() => this._applyFilterClasses(cy.elements()));
    // Nodes that were hidden during the last layout have no real place yet: give them one now
    // without moving anything that is on screen.
    const revealed = cy.nodes().filter(n => wasHidden.has(n.id()) && !n.hasClass('nv-hidden') && this._hiddenAtLayout.has(n.id()));
    if (revealed.nonempty()) {
      for (const n of revealed) this._hiddenAtLayout.delete(n.id());
      this._runIncrementalLayout(revealed);
    }
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
    this._zoomTo(ele);
    return true;
  }

  fit() {
    if (this._disposed) return;
    this.cy.fit(this.cy.elements(':visible'), 40);
  }

  /** Re-runs a full layout: 'layered' (default), 'fcose', 'cose', 'concentric', 'breadthfirst' or 'grid'. */
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
    if (window.netvizCy === this.cy) window.netvizCy = undefined;
    this.cy.destroy();
    this._dotNetRef = null;
  }

  // ---- internals ---------------------------------------------------------------------------

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

  _applyContainerBackground() {
    // Label outlines use the palette background, so the canvas behind them must match it.
    this._container.style.backgroundColor = palettes[this._theme].background;
  }

  _applyFilterClasses(eles) {
    const f = this._filter;
    for (const e of eles) {
      if (!e.inside()) continue;
      const kind = e.data('kind');
      const hide =
        (f.hideLoopback && e.isNode() && e.data('type') === 'loopback') ||
        (f.hideHostDevices && e.hasClass('host-device')) ||
        (f.hideNat && (kind === 'nat-rule' || (e.isEdge() && kind === 'nat')));
      e.toggleClass('nv-hidden', hide);
      const networks = e.data('networks');
      const dim = f.network !== null && Array.isArray(networks) && !networks.includes(f.network) && e.id() !== f.network;
      e.toggleClass('nv-dimmed', dim);
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

  _runFullLayout(randomize, animate) {
    const cy = this.cy;
    this._stopLayout();
    if (cy.nodes().empty()) return;
    const visible = cy.elements().not('.nv-hidden').not('.nv-leaving');
    this._rememberHidden();
    try {
      const opts = fullLayoutOptions(this._layoutName, { projector: this._projector, randomize, animate, visible });
      const layout = visible.layout(opts);
      this._layout = layout;
      layout.one('layoutstop', () => { if (this._layout === layout) this._layout = null; });
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
    if (this._layoutName === 'layered') {
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
      cy.animate({ fit: { eles: cy.elements(':visible'), padding: 40 } }, { duration: 500 });
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
    if (!(k in next) && k !== 'id' && k !== 'parent' && k !== 'source' && k !== 'target') ele.removeData(k);
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
