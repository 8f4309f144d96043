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
  attachment: 120,
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

/** Options for a full layout by name; unknown names fall back to fcose. */
export function fullLayoutOptions(name, { projector, randomize, animate, visible }) {
  switch (name) {
    case 'layered':
      return {
        name: 'preset', eles: visible, animate, animationDuration: 600, fit: true, padding: 40,
        positions: layeredPositions(visible, projector),
      };
    case 'concentric':
      return {
        name: 'concentric', eles: visible, animate, fit: true, padding: 40, avoidOverlap: true,
        nodeDimensionsIncludeLabels: true, minNodeSpacing: projector ? 40 : 24,
        concentric: node => node.degree(false), levelWidth: () => 1,
      };
    case 'breadthfirst':
      return {
        name: 'breadthfirst', eles: visible, animate, fit: true, padding: 40, directed: false, spacingFactor: 1.2,
        avoidOverlap: true, nodeDimensionsIncludeLabels: true,
        roots: visible.nodes('.kind-external').length ? visible.nodes('.kind-external') : undefined,
      };
    case 'grid':
      return { name: 'grid', eles: visible, animate, fit: true, padding: 40, avoidOverlap: true, avoidOverlapPadding: 20, nodeDimensionsIncludeLabels: true };
    case 'cose':
      return { name: 'cose', eles: visible, animate, fit: true, padding: 40, nodeDimensionsIncludeLabels: true, randomize, componentSpacing: 80 };
    default:
      return {
        ...fcoseOptions(projector), eles: visible, randomize, animate, animationDuration: 600, fit: true,
        ...teachingConstraints(visible, projector),
      };
  }
}

/**
 * Seeds a position for each new leaf node before the incremental layout: next to an already placed
 * neighbour (a veth peer, the bridge a port hangs on), else next to a placed sibling in the same
 * namespace box, else at the parent box's centre, else right of everything. New nodes are visited
 * breadth-first from the placed ones so a new chain (bridge -> vethX -> container eth0) unrolls
 * outwards instead of piling up on one spot.
 */
export function seedPositions(cy, newNodes, projector) {
  const step = projector ? 150 : 100;
  const placed = new Set(cy.nodes().not(newNodes).filter(n => !n.isParent()).map(n => n.id()));
  const leaves = newNodes.filter(n => !n.isParent());
  const pending = new Set(leaves.map(n => n.id()));
  const jitter = () => (Math.random() - 0.5) * step * 0.4;
  const graphBox = cy.nodes().not(newNodes).boundingBox();
  const hasGraph = Number.isFinite(graphBox.x2) && cy.nodes().not(newNodes).length > 0;

  const outwardFrom = (anchor, node) => {
    // Leave the anchor's box when the new node lives in a different namespace: that is the veth
    // "cable" crossing the wall; keep close when it is a sibling.
    const anchorParent = anchor.parent();
    const sameBox = anchorParent.length && node.data('parent') === anchorParent.id();
    const a = anchor.position();
    if (sameBox || !anchorParent.length) {
      return { x: a.x + step * 0.8 + jitter(), y: a.y + jitter() };
    }
    const box = anchorParent.boundingBox();
    const cx = (box.x1 + box.x2) / 2;
    const cy0 = (box.y1 + box.y2) / 2;
    // Go below/above the anchor's box, on the side the anchor is nearest to.
    const down = a.y >= cy0;
    const y = down ? box.y2 + step * 1.2 : box.y1 - step * 1.2;
    return { x: a.x + (a.x - cx) * 0.2 + jitter(), y: y + jitter() };
  };

  let progress = true;
  while (pending.size && progress) {
    progress = false;
    for (const node of leaves) {
      if (!pending.has(node.id())) continue;
      const neighbour = node.neighborhood('node').filter(n => placed.has(n.id()))[0];
      let pos = null;
      if (neighbour) {
        pos = outwardFrom(neighbour, node);
      } else {
        const parent = node.parent();
        const sibling = parent.length ? parent.children().filter(n => placed.has(n.id()))[0] : null;
        if (sibling) pos = { x: sibling.position().x + jitter(), y: sibling.position().y + step * 0.5 + jitter() };
      }
      if (pos) {
        node.position(pos);
        placed.add(node.id());
        pending.delete(node.id());
        progress = true;
      }
    }
  }
  // Islands: nodes with no placed neighbour or sibling go right of the current picture.
  let i = 0;
  for (const node of leaves) {
    if (!pending.has(node.id())) continue;
    const x = hasGraph ? graphBox.x2 + step * 1.5 : 0;
    const y = hasGraph ? graphBox.y1 + step * (i++ % 6) : step * i++;
    node.position({ x: x + jitter(), y: y + jitter() });
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
    eles: cy.elements().filter(e => e.visible()),
    randomize: false,
    animate: false,
    fit: false,
    fixedNodeConstraint: fixed.length ? fixed : undefined,
    initialEnergyOnIncremental: 0.5,
  };
}
