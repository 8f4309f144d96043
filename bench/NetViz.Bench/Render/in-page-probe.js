// Installed in every benchmark page before any page script (RenderPage.NewPageAsync). Wraps WebSocket (to time the
// Blazor frames that carry reset/applyDiff), catches window.netvizCy when the graph module assigns it (to wrap cy.add
// and listen to layout and render events) and watches the graph container's data-graph-ready/data-sequence attributes.
(() => {
  const m = window.__nvrb = { marks: {}, adds: [], layouts: [], renders: [], lastFrame: null, maxFrame: null, watched: null, watchSpec: null };
  const now = () => performance.now();
  // A container's label is "name\nimage", a namespace box's "name · netns INODE".
  const firstLine = e => String(e.data('label') ?? '').split('\n')[0].split(' · ')[0];
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      // Registered before Blazor sets onmessage, so it runs first for every frame.
      this.addEventListener('open', () => { if (m.marks.wsOpen == null) m.marks.wsOpen = now(); });
      this.addEventListener('message', e => {
        const d = e.data;
        const size = typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
        m.lastFrame = { t: now(), size };
        if (!m.maxFrame || size > m.maxFrame.size) m.maxFrame = m.lastFrame;
      });
    }
  };
  document.addEventListener('DOMContentLoaded', () => { m.marks.domContentLoaded = now(); });

  const instrument = cy => {
    if (m.marks.cyCreated == null) m.marks.cyCreated = now();
    const add = cy.add.bind(cy);
    cy.add = function (eles) {
      const rec = { t0: now(), frame: m.lastFrame };
      const r = add(eles);
      rec.t1 = now(); rec.n = r.length;
      m.adds.push(rec);
      const spec = m.watchSpec;
      if (spec && !m.watched) {
        const hit = r.filter(e => e.isNode() && firstLine(e) === spec.label);
        if (hit.nonempty()) {
          const w = m.watched = { id: hit[0].id(), frame: rec.frame ? rec.frame.t : null, addStart: rec.t0 };
          queueMicrotask(() => { w.applyEnd = now(); });
        }
      }
      // A microtask runs when the synchronous reset()/applyDiff() that called add has returned.
      queueMicrotask(() => { rec.end = now(); });
      return r;
    };
    cy.on('layoutstart', e => m.layouts.push({ start: now(), name: e.layout && e.layout.options ? e.layout.options.name : '?' }));
    cy.on('layoutstop', () => { const l = m.layouts[m.layouts.length - 1]; if (l && l.stop == null) l.stop = now(); });
    cy.on('render', () => {
      const t = now();
      if (m.renders.length < 5000) m.renders.push(t);
      const w = m.watched;
      if (w && w.drawn == null && w.applyEnd != null) w.drawn = t;
    });
  };
  let current;
  Object.defineProperty(window, 'netvizCy', {
    configurable: true,
    get: () => current,
    set: cy => { current = cy; if (cy) instrument(cy); },
  });

  new MutationObserver(records => {
    for (const r of records) {
      const el = r.target;
      if (r.attributeName === 'data-graph-ready' && el.getAttribute('data-graph-ready') === 'true' && m.marks.ready == null) m.marks.ready = now();
      if (r.attributeName === 'data-sequence' && m.watched && m.watched.sequence == null && m.watched.applyEnd != null) m.watched.sequence = now();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-graph-ready', 'data-sequence'] });

  // The same elements through the same module, in a second off-screen instance per layout: where the
  // reset time goes, and what one added node costs with each layout.
  m.compareLayouts = async (names) => {
    const original = window.netvizCy;
    const elements = original.elements().map(e => ({ group: e.group(), data: { ...e.data() }, classes: e.classes().filter(c => !c.startsWith('nv-')).join(' ') }));
    const host = original.container().getBoundingClientRect();
    const mod = await import('./js/netviz-graph.bundle.js');
    const results = [];
    for (const name of names) {
      const div = document.createElement('div');
      div.style.cssText = `position:fixed;left:0;top:0;width:${host.width}px;height:${host.height}px;visibility:hidden`;
      document.body.appendChild(div);
      const graph = mod.create(div, null, { layout: name });
      graph.setFilter({ hideLoopback: true });
      const t0 = now();
      graph.reset(elements, 1);
      const t1 = now();
      const netns = elements.find(e => e.data.kind === 'netns' && !e.data.isHost);
      const diff = { sequence: 2, remove: [], update: [], add: [
        { group: 'nodes', data: { id: 'netns:bench', kind: 'netns', label: 'nvrb-bench', search: '' }, classes: netns ? netns.classes : '' },
        { group: 'nodes', data: { id: 'if:bench:1', kind: 'interface', label: 'eth0', type: 'veth', parent: 'netns:bench', search: '' }, classes: 'type-veth' },
      ] };
      const t2 = now();
      graph.applyDiff(diff);
      const t3 = now();
      graph.dispose();
      div.remove();
      results.push({ name, reset: t1 - t0, applyDiff: t3 - t2 });
      await new Promise(r => setTimeout(r, 200));
    }
    window.netvizCy = original;
    return results;
  };

  m.watch = spec => { m.watchSpec = spec; m.watched = null; };

  m.firstRender = () => {
    const cy = window.netvizCy;
    const reset = m.adds[0] || {};
    const layout = m.layouts.find(l => l.start >= (reset.t0 ?? 0)) || {};
    const firstDraw = m.renders.find(t => t >= (reset.end ?? Infinity));
    // A node another process removed fades out for a moment (class nv-leaving) but is no longer in the snapshot.
    const nodes = cy.nodes().not('.nv-leaving');
    return JSON.stringify({
      domContentLoaded: m.marks.domContentLoaded, wsOpen: m.marks.wsOpen, cyCreated: m.marks.cyCreated,
      resetFrame: reset.frame ? reset.frame.t : null, payloadBytes: reset.frame ? reset.frame.size : 0,
      resetAddStart: reset.t0, addDuration: reset.t1 - reset.t0, resetEnd: reset.end,
      layoutDuration: layout.stop != null ? layout.stop - layout.start : null, layoutName: layout.name ?? 'none',
      addEndToLayoutStart: layout.start != null ? layout.start - reset.t1 : null,
      layoutStopToResetEnd: layout.stop != null ? reset.end - layout.stop : null,
      firstDraw, ready: m.marks.ready, nodes: nodes.length, edges: cy.edges().length,
      sequence: cy.container().getAttribute('data-sequence'),
      fixtureNamespaces: nodes.filter(n => n.data('kind') === 'netns' && /^nvrb-\d+$/.test(firstLine(n))).length,
      fixtureContainers: nodes.filter(n => n.data('kind') === 'container' && /^nvrb-c\d+$/.test(firstLine(n))).length,
    });
  };

  // Records frame deltas for durationMs while the benchmark moves the viewport with the real mouse (drag, wheel),
  // as a person does: Cytoscape then draws a cached texture of the picture (textureOnViewport), which programmatic
  // cy.panBy/cy.zoom calls never do. Starts from the fitted view; returns where the background is for the drag.
  m.fitForInput = () => {
    const cy = window.netvizCy;
    cy.stop();
    cy.fit(undefined, 40);
    const r = cy.container().getBoundingClientRect();
    // The fit leaves a 40 px margin: its corner is background, where a drag pans instead of moving a node.
    return JSON.stringify({ x: r.left + 10, y: r.top + 10, cx: r.left + r.width / 2, cy: r.top + r.height / 2, zoom: cy.zoom() });
  };
  m.record = durationMs => new Promise(resolve => {
    let longTasks = 0;
    const po = new PerformanceObserver(list => { longTasks += list.getEntries().length; });
    try { po.observe({ entryTypes: ['longtask'] }); } catch { /* not supported */ }
    const deltas = [];
    let start = null, last = null;
    const frame = t => {
      if (start === null) { start = t; last = t; requestAnimationFrame(frame); return; }
      deltas.push(t - last); last = t;
      if (t - start < durationMs) requestAnimationFrame(frame);
      else { po.disconnect(); resolve({ deltas, elapsed: t - start, zoom: window.netvizCy.zoom(), longTasks }); }
    };
    requestAnimationFrame(frame);
  });

  // Moves the viewport once per animation frame for durationMs and returns the frame deltas.
  m.motion = (kind, durationMs) => new Promise(resolve => {
    const cy = window.netvizCy;
    cy.stop();
    if (kind === 'pan1') { cy.zoom({ level: 1, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); cy.center(); }
    else cy.fit(undefined, 40);
    const zoomAtStart = cy.zoom();
    let longTasks = 0;
    const po = new PerformanceObserver(list => { longTasks += list.getEntries().length; });
    try { po.observe({ entryTypes: ['longtask'] }); } catch { /* not supported */ }
    const deltas = [];
    let start = null, last = null, dir = 1;
    if (kind === 'animate') {
      cy.animate({ zoom: { level: zoomAtStart * 3, position: cy.nodes()[0].position() }, pan: undefined }, { duration: durationMs });
    }
    const frame = t => {
      if (start === null) { start = t; last = t; requestAnimationFrame(frame); return; }
      deltas.push(t - last); last = t;
      const elapsed = t - start;
      if (kind === 'pan' || kind === 'pan1') {
        if (Math.floor(elapsed / 500) % 2 !== (dir > 0 ? 0 : 1)) dir = -dir;
        cy.panBy({ x: 6 * dir, y: 3 * dir });
      } else if (kind === 'zoom') {
        const f = elapsed < durationMs / 2 ? 1.02 : 1 / 1.02;
        cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      }
      if (elapsed < durationMs) requestAnimationFrame(frame);
      else { po.disconnect(); cy.stop(); resolve({ deltas, elapsed, zoom: zoomAtStart, longTasks }); }
    };
    requestAnimationFrame(frame);
  });
})();
