import { layeredPositions } from './layered-layout.js';

// Layouts for the NetViz graph: the full compound-aware fcose layout, and the incremental one that
// places only new nodes while every node a viewer is already reading stays exactly where it is.

const idealEdgeLengths = {
  veth: 110,
  'bridge-port': 70,
  nat: 120,
  route: 130,
  lower: 80,
  'network-bridge': 60,
};

function fcoseOptions(projector) {
  const scale = projector ? 1.5 : 1;
  return {
    name: 'fcose',
    quality: 'proof',
    nodeDimensionsIncludeLabels: true,
    uniformNodeDimensions: false,
    packComponents: false,
    nodeRepulsion: () => 12000 * scale,
    idealEdgeLength: edge => (idealEdgeLengths[edge.data('kind')] ?? 90) * scale,
    edgeElasticity: () => 0.45,
    nestingFactor: 0.1,
    gravity: 0.3,
    gravityRange: 3.8,
    gravityCompound: 1.0,
    gravityRangeCompound: 1.5,
    numIter: 3000,
    tile: true,
    tilingPaddingVertical: 16 * scale,
    tilingPaddingHorizontal: 16 * scale,
    padding: 40,
  };
}

const isHostSide = node => node.parent().hasClass('host');

/**
 * fcose placement constraints that give every picture the same reading order, like the lesson's
 * drawings: the outside world on top, the host namespace below it with its bridges above their
 * ports, and container namespaces below the host, each hanging on its veth "cable".
 */
export function teachingConstraints(visible, projector) {
  const gap = projector ? 90 : 60;
  const relative = [];
  const hostVethEnds = new Set();
  const seen = new Set();
  const add = (c) => {
    const key = JSON.stringify(c);
    if (!seen.has(key)) { seen.add(key); relative.push(c); }
  };
  for (const edge of visible.edges()) {
    const s = edge.source();
    const t = edge.target();
    if (s.isParent() || t.isParent()) continue;
    switch (edge.data('kind')) {
      case 'veth': {
        // The host end is drawn above the container end: the cable leaves the host box downwards.
        if (isHostSide(s) && !isHostSide(t) && t.parent().nonempty()) { add({ top: s.id(), bottom: t.id(), gap: gap * 1.5 }); hostVethEnds.add(s.id()); }
        else if (isHostSide(t) && !isHostSide(s) && s.parent().nonempty()) { add({ top: t.id(), bottom: s.id(), gap: gap * 1.5 }); hostVethEnds.add(t.id()); }
        break;
      }
      case 'bridge-port': {
        // A bridge sits above the ports it switches between (source is the port, target the bridge).
        const bridge = t.data('type') === 'bridge' ? t : s.data('type') === 'bridge' ? s : null;
        const port = bridge === t ? s : t;
        if (bridge && port.data('parent') === bridge.data('parent')) add({ top: bridge.id(), bottom: port.id(), gap: gap * 0.6 });
        break;
      }
      case 'route': {
        const outside = t.data('kind') === 'external' ? t : s.data('kind') === 'external' ? s : null;
        const iface = outside === t ? s : t;
        if (outside) add({ top: outside.id(), bottom: iface.id(), gap: gap * 1.2 });
        break;
      }
      default:
        break;
    }
  }
  const horizontal = hostVethEnds.size > 1 ? [[...hostVethEnds]] : undefined;
  return {
    relativePlacementConstraint: relative.length ? relative : undefined,
    alignmentConstraint: horizontal ? { horizontal } : undefined,
  };
}

/**
 * Options for a full layout by name ('layered'; anything else is fcose). Only layouts that keep compound
 * boxes whole are offered: concentric, breadthfirst and grid placed a box's children regardless of the
 * box, and cose spread a realistic host over tens of thousands of pixels.
 */
export function fullLayoutOptions(name, { projector, randomize, animate, visible }) {
  if (name === 'layered') {
    return {
      name: 'preset', eles: visible, animate, animationDuration: 600, fit: true, padding: 40,
      positions: layeredPositions(visible, projector),
    };
  }
  const eles = withAncestors(visible);
  return {
    ...fcoseOptions(projector), eles, randomize, animate, animationDuration: 600, fit: true,
    ...teachingConstraints(eles, projector),
  };
}

/**
 * The elements plus every box that holds one of them, and no edge to anything outside: fcose walks
 * parents and descendants of what it lays out, and failed with "reading 'descendants'" when it met a
 * box that was not in its collection (a box whose only interface the filter hid, or one fading out).
 */
export function withAncestors(eles) {
  const nodes = eles.nodes().filter(n => !n.hasClass('nv-leaving'));
  const all = nodes.union(nodes.ancestors().filter(a => !a.hasClass('nv-hidden') && !a.hasClass('nv-leaving')));
  const ids = new Set(all.map(n => n.id()));
  const edges = eles.edges().filter(e => ids.has(e.source().id()) && ids.has(e.target().id()));
  return all.union(edges);
}

/**
 * Seeds a position for each new leaf node before the incremental layout: next to an already placed
 * neighbour (a veth peer, the bridge a port hangs on), else next to a placed sibling in the same
 * namespace box. New nodes are visited breadth-first from the placed ones so a new chain
 * (bridge -> vethX -> container eth0) unrolls outwards instead of piling up on one spot. A new
 * namespace box hanging on a host port goes below the host box, in free space next to the other
 * container boxes, as the layered layout would have drawn it.
 */
export function seedPositions(cy, newNodes, projector) {
  const step = projector ? 150 : 100;
  const existing = cy.nodes().not(newNodes);
  const placed = new Set(existing.filter(n => !n.isParent()).map(n => n.id()));
  const leaves = newNodes.filter(n => !n.isParent());
  const pending = new Set(leaves.map(n => n.id()));
  const jitter = () => (Math.random() - 0.5) * step * 0.2;
  const graphBox = existing.boundingBox();
  const hasGraph = existing.length > 0 && Number.isFinite(graphBox.x2);
  const siblingsPlaced = new Map(); // parent id -> how many new children were put there
  const reserved = []; // boxes of new namespaces placed in this call

  const overlaps = (r, bb) => r.x1 < bb.x2 && bb.x1 < r.x2 && r.y1 < bb.y2 && bb.y1 < r.y2;
  const freeSlotBelow = (hostBox, x, parent) => {
    // Rough size of the new box: its children in one row plus padding.
    const kids = parent.children();
    const w = kids.reduce((s, k) => s + k.outerWidth(), 0) + kids.length * 26 + 60;
    const h = 2 * step + 40;
    const top = hostBox.y2 + step * 1.2;
    const boxes = existing.filter(n => n.isParent() && !n.hasClass('host') && n.parent().empty()).map(n => n.boundingBox()).concat(reserved);
    let rect = { x1: x - w / 2, x2: x + w / 2, y1: top, y2: top + h };
    for (let guard = 0; guard < 100 && boxes.some(bb => overlaps(rect, bb)); guard++) {
      const right = Math.max(...boxes.filter(bb => overlaps(rect, bb)).map(bb => bb.x2));
      rect = { x1: right + 40, x2: right + 40 + w, y1: top, y2: top + h };
    }
    reserved.push(rect);
    return { x: (rect.x1 + rect.x2) / 2, y: rect.y1 + step * 0.6 };
  };

  const nextToSibling = (parent, sibling) => {
    const k = siblingsPlaced.get(parent.id()) ?? 0;
    siblingsPlaced.set(parent.id(), k + 1);
    const col = k % 3;
    const rowN = Math.floor(k / 3) + 1;
    return { x: sibling.position().x + (col - 1) * step * 1.1 + jitter(), y: sibling.position().y + rowN * step * 0.7 + jitter() };
  };

  const fromNeighbour = (anchor, node) => {
    const anchorParent = anchor.parent();
    const nodeParentId = node.data('parent') ?? null;
    const a = anchor.position();
    if (anchorParent.nonempty() && nodeParentId === anchorParent.id()) {
      // A new port next to its bridge: below it, in the port row.
      return { x: a.x + step * 0.8 + jitter(), y: a.y + step * 0.9 + jitter() };
    }
    if (anchorParent.nonempty() && anchorParent.hasClass('host') && nodeParentId) {
      return freeSlotBelow(anchorParent.boundingBox(), a.x, node.parent());
    }
    return { x: a.x + step + jitter(), y: a.y + step + jitter() };
  };

  let progress = true;
  while (pending.size && progress) {
    progress = false;
    for (const node of leaves) {
      if (!pending.has(node.id())) continue;
      const parent = node.parent();
      // A sibling already placed in the same (new) box wins: keep a box's members together.
      const sibling = parent.nonempty() ? parent.children().filter(n => placed.has(n.id()) && !n.isParent())[0] : null;
      const neighbour = node.neighborhood('node').filter(n => placed.has(n.id()) && !n.isParent())[0];
      let pos = null;
      if (neighbour && !(sibling && newNodes.contains(sibling))) pos = fromNeighbour(neighbour, node);
      else if (sibling) pos = nextToSibling(parent, sibling);
      if (pos) {
        node.position(pos);
        placed.add(node.id());
        pending.delete(node.id());
        progress = true;
      }
    }
  }
  // Islands (a new box with no cable, a new network tag): right of the current picture.
  let i = 0;
  for (const node of leaves) {
    if (!pending.has(node.id())) continue;
    const parent = node.parent();
    const sibling = parent.nonempty() ? parent.children().filter(n => placed.has(n.id()) && !n.isParent())[0] : null;
    if (sibling) {
      node.position(nextToSibling(parent, sibling));
    } else {
      const x = hasGraph ? graphBox.x2 + step * 1.5 : 0;
      const y = hasGraph ? graphBox.y1 + step * (i++ % 6) : step * i++;
      node.position({ x: x + jitter(), y: y + jitter() });
    }
    placed.add(node.id());
  }
}

/**
 * Layout that moves only the new nodes: fcose without randomisation, with every existing leaf node
 * pinned by fixedNodeConstraint (fcose keeps constrained nodes at exactly the given positions and
 * does not re-centre the result when fixed nodes exist).
 */
export function incrementalLayoutOptions(cy, newNodes, projector) {
  const visibleLeaves = cy.nodes().filter(n => !n.isParent() && n.visible());
  const fixed = visibleLeaves.not(newNodes).map(n => ({ nodeId: n.id(), position: { ...n.position() } }));
  return {
    ...fcoseOptions(projector),
    eles: withAncestors(cy.elements().filter(e => e.visible())),
    randomize: false,
    animate: false,
    fit: false,
    fixedNodeConstraint: fixed.length ? fixed : undefined,
    initialEnergyOnIncremental: 0.5,
  };
}
