// Allocation-free versions of three Cytoscape 3.35 element methods that are hot in a compound graph.
//
// The lanes picture of a 300-namespace host is ~2000 elements inside compound boxes. Cytoscape's own
// versions of these methods build a new collection per call (spawn, merge, parents()), and they are
// called per element per style property or per element per frame:
//
// - dirtyStyleCache(): called by checkTriggers() for every style property applied to an element. It
//   clears the element's, its descendants', its ancestors' and all their edges' style cache, building
//   four collections to do so. ~2 s of a 4.7 s first-render profile sat in checkTriggers ->
//   dirtyStyleCache -> spawn; a diff paid it again for each changed element.
// - zDepth(): the z-order sort of every render that follows a change compares each pair of elements by
//   their compound depth, each comparison calling parents() twice (most of a diff's drawn frame).
// - effectiveOpacity(): called for each element drawn, each call calling parents().
//
// The replacements compute the same values by walking the element's internal links (_private.parent,
// _private.children, _private.edges, _private.source/target). They are installed once on the prototype
// shared by elements and collections, after a probe graph confirms the internals look as expected; a
// Cytoscape that changed them keeps its own methods.

let installed = false;

/** Replaces dirtyStyleCache, zDepth and effectiveOpacity on Cytoscape's collection prototype (idempotent). */
export function installCompoundSpeedups(cytoscape) {
  if (installed) return;
  installed = true;
  const probe = cytoscape({
    headless: true,
    elements: [{ data: { id: 'p' } }, { data: { id: 'c', parent: 'p' } }, { data: { id: 'd' } }, { data: { id: 'e', source: 'c', target: 'd' } }],
  });
  const proto = Object.getPrototypeOf(probe.collection());
  const c = probe.getElementById('c');
  const p = probe.getElementById('p');
  const e = probe.getElementById('e');
  const internalsAsExpected = ['dirtyStyleCache', 'zDepth', 'effectiveOpacity'].every(m => typeof proto[m] === 'function')
    && Array.isArray(p._private.children) && p._private.children.length === 1 && p._private.children[0] === c
    && c._private.parent === p && Array.isArray(c._private.edges) && c._private.edges[0] === e
    && e._private.source === c;
  // The depth Cytoscape gives a leaf node (always drawn above boxes), read rather than copied.
  const leafDepth = c.zDepth();
  probe.destroy();
  if (!internalsAsExpected) return;

  const originalDirty = proto.dirtyStyleCache;
  proto.dirtyStyleCache = function dirtyStyleCache() {
    const cy = this.cy();
    if (!cy || !cy.hasCompoundNodes()) return originalDirty.call(this);
    for (let i = 0; i < this.length; i++) {
      const ele = this[i];
      ele._private.styleCache = null;
      if (ele._private.group !== 'nodes') continue;
      dirtyEdges(ele);
      dirtyDescendants(ele);
      for (let q = ele._private.parent; q; q = q._private.parent) {
        q._private.styleCache = null;
        dirtyEdges(q);
      }
    }
    return this;
  };

  proto.zDepth = function zDepth() {
    const ele = this[0];
    if (!ele) return undefined;
    const _p = ele._private;
    if (_p.group === 'nodes') {
      if (_p.children.length === 0) return leafDepth;
      let depth = 0;
      for (let q = _p.parent; q; q = q._private.parent) depth++;
      return depth;
    }
    return Math.max(_p.source.zDepth(), _p.target.zDepth(), 0);
  };

  proto.effectiveOpacity = function effectiveOpacity() {
    const cy = this.cy();
    if (!cy.styleEnabled()) return 1;
    const ele = this[0];
    if (!ele) return undefined;
    let opacity = ele.pstyle('opacity').value;
    if (!cy.hasCompoundNodes()) return opacity;
    for (let q = ele._private.parent; q; q = q._private.parent) opacity *= q.pstyle('opacity').value;
    return opacity;
  };
}

function dirtyEdges(node) {
  const edges = node._private.edges;
  for (let i = 0; i < edges.length; i++) edges[i]._private.styleCache = null;
}

function dirtyDescendants(node) {
  const children = node._private.children;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    child._private.styleCache = null;
    dirtyEdges(child);
    dirtyDescendants(child);
  }
}
