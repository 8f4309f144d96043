// "layered": a deterministic layout that draws the host the way the lesson's diagrams do.
//
//   (network tags)  (NAT gates)  (outside world)
//   +-- host netns -----------------------------------+
//   |  [ docker0 ]   [ br-xyz ]        eth0   lo  ... |
//   |  vethA vethB   vethC                            |
//   +------|-----|-------|-----------------------------+
//      +---|-+ +-|-------|-+ +------+
//      | eth0| | eth0  eth1| |  lo  |   container namespaces, one box each,
//      | lo  | | lo  [db]  | |[none]|   ordered under the host port they hang on
//      +-----+ +-----------+ +------+
//
// Force-directed layouts put the same graph in a different shape every time; a class following a
// live demo needs the host on top, bridges above their ports and each container box under its veth.

import { measureLabel } from './graph-style.js';

/**
 * The inner width a namespace box needs for its title tab (graph-style.js draws the title, bold at
 * the title font size, on the box's wall): a box narrower than its title would let the title run
 * into the next box's.
 */
function titleInnerWidth(box, projector) {
  const font = projector ? 24 : 14;
  const pad = projector ? 34 : 24;
  const textPad = projector ? 6 : 4;
  return measureLabel(String(box.data('label') ?? ''), font, 'bold') + 2 * textPad + 16 - 2 * pad;
}

const byLabel = (a, b) => String(a.data('label') ?? a.id()).localeCompare(String(b.data('label') ?? b.id()), undefined, { numeric: true });

/** A Cytoscape collection (or array) as a plain array. */
const arr = c => (Array.isArray(c) ? c.slice() : c.map(x => x));

function size(node) {
  return { w: node.outerWidth(), h: node.outerHeight() };
}

/**
 * Places items (each with a desired centre x and a width) on one line without overlap, moving each
 * as little as possible: overlapping neighbours are pushed apart symmetrically until none overlap.
 */
function sweep(items, gap) {
  const sorted = items.slice().sort((a, b) => a.x - b.x);
  for (const item of sorted) item.cx = item.x;
  for (let iter = 0; iter < 500; iter++) {
    let moved = false;
    for (let i = 0; i + 1 < sorted.length; i++) {
      const a = sorted[i];
      const b = sorted[i + 1];
      const overlap = (a.cx + a.w / 2 + gap) - (b.cx - b.w / 2);
      if (overlap > 0.5) {
        a.cx -= overlap / 2;
        b.cx += overlap / 2;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return sorted;
}

/** Lays out a row of nodes starting at x, centred vertically on y; returns the row's right edge. */
function row(nodes, x, y, gap, positions) {
  let cursor = x;
  for (const n of nodes) {
    const { w } = size(n);
    positions[n.id()] = { x: cursor + w / 2, y };
    cursor += w + gap;
  }
  return nodes.length ? cursor - gap : x;
}

function rowHeight(nodes) {
  return nodes.reduce((h, n) => Math.max(h, size(n).h), 0);
}

function rowWidth(nodes, gap) {
  return nodes.reduce((w, n) => w + size(n).w, 0) + Math.max(0, nodes.length - 1) * gap;
}

/**
 * Computes positions for every visible leaf node of eles.
 * @returns {Record<string, {x:number, y:number}>}
 */
export function layeredPositions(eles, projector) {
  const S = projector ? 1.15 : 1; // projector text grows ~1.7x but gaps less: labels get relatively bigger after fit
  const gap = 26 * S;          // between siblings in a row
  const groupGap = 60 * S;     // between port groups of different bridges
  const rowGap = 34 * S;       // between rows inside a box
  const bandGap = 90 * S;      // between the host box and what is above/below it
  const boxPad = (projector ? 34 : 24) + (projector ? 24 : 14) * 1.6; // compound padding + title tab
  const positions = {};

  const nodes = eles.nodes();
  const edges = eles.edges();
  const leaves = nodes.filter(n => !n.isParent());
  const host = nodes.filter(n => n.isParent() && n.hasClass('host'))[0] ?? null;
  const hostChildren = host ? host.children().filter(n => eles.contains(n)) : nodes.filter(() => false);
  const inHost = n => host !== null && n.data('parent') === host.id();
  const otherBoxes = nodes.filter(n => n.isParent() && n !== host && !n.parent().nonempty());

  // ---- host box: bridges over their ports on the left, the host's own devices on the right ----
  // docker0 (the default network) first, the rest by name.
  const bridges = arr(hostChildren.filter(n => n.data('type') === 'bridge'))
    .sort((a, b) => (String(b.data('label')).startsWith('docker0') - String(a.data('label')).startsWith('docker0')) || byLabel(a, b));
  const portsOf = new Map(bridges.map(b => [b.id(), []]));
  const bridgeOf = new Map();
  for (const e of edges.filter(e => e.data('kind') === 'bridge-port')) {
    const s = e.source(); const t = e.target();
    const bridge = portsOf.has(t.id()) ? t : portsOf.has(s.id()) ? s : null;
    const port = bridge === t ? s : t;
    if (bridge && inHost(port) && !bridgeOf.has(port.id())) { bridgeOf.set(port.id(), bridge.id()); portsOf.get(bridge.id()).push(port); }
  }
  // Host interfaces whose other end lives in another box (veth peer, macvlan lower) are ports too.
  const crossPeers = new Map(); // host leaf id -> leaves in other boxes
  for (const e of edges) {
    const s = e.source(); const t = e.target();
    if (s.isParent() || t.isParent()) continue;
    const pairs = [[s, t], [t, s]];
    for (const [a, b] of pairs) {
      if (inHost(a) && b.parent().nonempty() && !inHost(b)) {
        if (!crossPeers.has(a.id())) crossPeers.set(a.id(), []);
        crossPeers.get(a.id()).push(b);
      }
    }
  }
  // Order ports so cables do not cross: each container box gets the mean index of the bridges it
  // is plugged into, and a bridge's ports follow the order of the boxes they lead to.
  const boxOf = n => { let p = n.parent(); while (p.nonempty() && p.parent().nonempty()) p = p.parent(); return p; };
  const bridgeIndex = new Map(bridges.map((b, i) => [b.id(), i]));
  const boxKeys = new Map();
  for (const [portId, peers] of crossPeers) {
    const idx = bridgeOf.has(portId) ? bridgeIndex.get(bridgeOf.get(portId)) : bridges.length;
    for (const peer of peers) {
      const box = boxOf(peer);
      if (!box.nonempty()) continue;
      if (!boxKeys.has(box.id())) boxKeys.set(box.id(), []);
      boxKeys.get(box.id()).push(idx);
    }
  }
  const boxKey = id => { const k = boxKeys.get(id); return k ? k.reduce((a, b) => a + b, 0) / k.length : Infinity; };
  const portKey = port => {
    const peers = crossPeers.get(port.id()) ?? [];
    const box = peers.length ? boxOf(peers[0]) : null;
    return { key: box && box.nonempty() ? boxKey(box.id()) : Infinity, box: box && box.nonempty() ? String(box.data('label') ?? box.id()) : '' };
  };
  const byPortOrder = (a, b) => {
    const ka = portKey(a); const kb = portKey(b);
    return (ka.key - kb.key) || ka.box.localeCompare(kb.box, undefined, { numeric: true }) || byLabel(a, b);
  };

  const loosePorts = hostChildren.filter(n => !bridgeOf.has(n.id()) && n.data('type') !== 'bridge' && crossPeers.has(n.id()) && n.data('kind') === 'interface').sort(byPortOrder);
  const devices = hostChildren.filter(n => !n.isParent() && n.data('type') !== 'bridge' && !bridgeOf.has(n.id()) && !loosePorts.contains(n));
  const deviceOrder = n => (n.hasClass('host-device') ? 0 : n.data('kind') === 'interface' && n.data('type') !== 'loopback' ? 1 : n.data('type') === 'loopback' ? 2 : n.data('kind') === 'container' ? 3 : 4);
  const sortedDevices = devices.sort((a, b) => deviceOrder(a) - deviceOrder(b) || byLabel(a, b));

  const bridgeRowY = 0;
  const bridgeH = rowHeight(bridges);
  const allPorts = [...bridges.map(b => portsOf.get(b.id())), arr(loosePorts)].flat();
  const portH = rowHeight(allPorts);
  const portRowY = bridges.length ? bridgeRowY + bridgeH / 2 + rowGap * 1.6 + portH / 2 : 0;

  // The width the picture aims at. A host with a handful of containers is drawn in one band, as the
  // lesson does; with dozens of namespaces (a CI run, a benchmark) a single band would be many
  // screens wide, so port rows and box rows wrap at about the width that gives a screen-shaped picture.
  const otherBoxList = arr(otherBoxes);
  const boxWidths = otherBoxList.map(box => {
    const kids = arr(box.descendants().filter(n => !n.isParent() && eles.contains(n)));
    return Math.max(rowWidth(kids, gap) / (kids.length > 2 ? 2 : 1), 80 * S, titleInnerWidth(box, projector)) + 2 * (projector ? 34 : 24);
  });
  const boxArea = boxWidths.reduce((a, w) => a + (w + gap * 2) * (80 * S + rowGap + boxPad * 2 + bandGap * 0.6), 0);
  const portsWidth = bridges.reduce((w, b) => w + rowWidth(portsOf.get(b.id()), gap) + groupGap, 0) + rowWidth(arr(loosePorts), gap);
  const targetW = Math.max(1100 * S, Math.sqrt((boxArea + portsWidth * 120 * S) * 1.7));
  const wraps = portsWidth > targetW || boxWidths.reduce((a, w) => a + w + gap * 2, 0) > Math.max(targetW, 1400 * S);
  // About as many ports per row as boxes fit in a row below: port row n then feeds box row n.
  const meanBoxW = boxWidths.length ? boxWidths.reduce((a, w) => a + w, 0) / boxWidths.length : 150 * S;
  const portsPerRow = Math.max(2, Math.floor(Math.max(targetW, 1400 * S) / (meanBoxW + 2 * (projector ? 34 : 24) + gap * 1.5)));

  // Each bridge's ports wrap into rows of its share of that width. Reading order (row by row,
  // bridge by bridge) numbers the ports: the boxes below follow that order when they wrap too.
  const portOrder = new Map();
  let portCounter = 0;
  const wrapRows = (ports, limit) => {
    const rows = [];
    let current = [];
    for (const port of ports) {
      if (current.length && (rowWidth([...current, port], gap) > limit || (wraps && current.length >= portsPerRow))) { rows.push(current); current = []; }
      current.push(port);
    }
    if (current.length) rows.push(current);
    return rows;
  };
  let cursor = 0;
  for (const b of bridges) {
    const ports = portsOf.get(b.id()).slice().sort(byPortOrder);
    const natural = rowWidth(ports, gap);
    const bw = size(b).w;
    const limit = portsWidth > targetW ? Math.max(bw, targetW * natural / portsWidth) : natural;
    const rows = wrapRows(ports, Math.max(limit, 1));
    const groupW = Math.max(bw, ...rows.map(r => rowWidth(r, gap)));
    let y = portRowY;
    for (const r of rows) {
      const rw = rowWidth(r, gap);
      row(r, cursor + (groupW - rw) / 2, y, gap, positions);
      for (const port of r) portOrder.set(port.id(), portCounter++);
      y += portH + rowGap;
    }
    positions[b.id()] = { x: cursor + groupW / 2, y: bridgeRowY };
    cursor += groupW + groupGap;
  }
  if (loosePorts.length) {
    const lp = arr(loosePorts);
    const rows = wrapRows(lp, portsWidth > targetW ? Math.max(targetW * rowWidth(lp, gap) / portsWidth, 100) : rowWidth(lp, gap));
    let y = portRowY;
    let widest = 0;
    for (const r of rows) {
      row(r, cursor, y, gap, positions);
      for (const port of r) portOrder.set(port.id(), portCounter++);
      widest = Math.max(widest, rowWidth(r, gap));
      y += portH + rowGap;
    }
    cursor += widest + groupGap;
  }
  // Devices in rows of at most three, right of the switching part, starting level with the bridges.
  const perRow = 3;
  const deviceList = arr(sortedDevices);
  let devY = bridgeRowY - bridgeH / 2; // top of the first device row, level with the bridges' top
  const devX = cursor;
  for (let i = 0; i < deviceList.length; i += perRow) {
    const chunk = deviceList.slice(i, i + perRow);
    const h = rowHeight(chunk);
    row(chunk, devX, devY + h / 2, gap, positions);
    devY += h + rowGap;
  }
  // Nested compounds inside the host box (not expected) get the leaves at the devices' place too.
  for (const n of hostChildren.filter(n => n.isParent())) {
    const inner = arr(n.descendants().filter(d => !d.isParent()));
    row(inner, devX, devY + rowHeight(inner) / 2, gap, positions);
    devY += rowHeight(inner) + rowGap;
  }

  const placedHost = Object.keys(positions).map(id => ({ id, p: positions[id], n: eles.getElementById(id) }));
  const hostBox = placedHost.length
    ? placedHost.reduce((bb, { p, n }) => {
      const { w, h } = size(n);
      return { x1: Math.min(bb.x1, p.x - w / 2), x2: Math.max(bb.x2, p.x + w / 2), y1: Math.min(bb.y1, p.y - h / 2), y2: Math.max(bb.y2, p.y + h / 2) };
    }, { x1: Infinity, x2: -Infinity, y1: Infinity, y2: -Infinity })
    : { x1: 0, x2: 0, y1: 0, y2: 0 };
  const hostTop = hostBox.y1 - boxPad;
  const hostBottom = hostBox.y2 + (projector ? 34 : 24);
  const hostCentreX = (hostBox.x1 + hostBox.x2) / 2;

  // ---- container / other namespace boxes below the host, each under the port it hangs on ----
  const boxItems = [];
  for (const box of otherBoxes) {
    const children = box.descendants().filter(n => !n.isParent() && eles.contains(n));
    const peerX = n => {
      const xs = [];
      for (const e of n.connectedEdges()) {
        const o = e.source() === n ? e.target() : e.source();
        if (positions[o.id()] && inHost(o)) xs.push(positions[o.id()].x);
      }
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    };
    const linked = children.filter(n => peerX(n) !== null).sort((a, b) => peerX(a) - peerX(b));
    const rest = children.filter(n => peerX(n) === null)
      .sort((a, b) => (a.data('type') === 'loopback') - (b.data('type') === 'loopback') || (a.data('kind') === 'container') - (b.data('kind') === 'container') || byLabel(a, b));
    const top = arr(linked);
    const bottom = arr(rest);
    // Without a cable the box has a single row.
    const rows = top.length ? [top, bottom].filter(r => r.length) : [bottom];
    const w = Math.max(...rows.map(r => rowWidth(r, gap)), 80 * S, titleInnerWidth(box, projector));
    const h = rows.reduce((s, r) => s + rowHeight(r), 0) + rowGap * (rows.length - 1);
    const xs = arr(linked).map(n => peerX(n));
    // Reading order of the first host port this box hangs on.
    let order = Infinity;
    for (const n of arr(linked)) {
      for (const e of n.connectedEdges()) {
        const o = e.source() === n ? e.target() : e.source();
        if (portOrder.has(o.id())) order = Math.min(order, portOrder.get(o.id()));
      }
    }
    boxItems.push({ box, rows, w, h, x: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity, linked: xs.length > 0, order });
  }
  // Boxes without a cable to the host go to the right end, in name order.
  const unlinked = boxItems.filter(b => !b.linked).sort((a, b) => byLabel(a.box, b.box));
  const linkedItems = boxItems.filter(b => b.linked);
  const boxGap = 2 * (projector ? 34 : 24) + gap * 1.5;
  const maxRowW = Math.max(hostBox.x2 - hostBox.x1 + 200 * S, targetW, 1400 * S);
  const boxRows = [];
  let current = [];
  let currentW = 0;
  const totalW = boxItems.reduce((w, i) => w + i.w + boxGap, 0);
  // One row: each box under its port. Several rows: in the ports' reading order, so the n-th port's
  // cable goes to the n-th box.
  const byPlace = totalW > maxRowW ? (a, b) => (a.order - b.order) || (a.x - b.x) : (a, b) => a.x - b.x;
  for (const item of [...linkedItems.sort(byPlace), ...unlinked]) {
    if (current.length && currentW + item.w + boxGap > maxRowW) { boxRows.push(current); current = []; currentW = 0; }
    current.push(item);
    currentW += item.w + boxGap;
  }
  if (current.length) boxRows.push(current);

  let boxTop = hostBottom + bandGap;
  for (const r of boxRows) {
    // Linked boxes want to sit under their ports; unlinked ones are queued after the last linked.
    let lastX = -Infinity;
    for (const item of r) {
      if (!Number.isFinite(item.x)) item.x = (Number.isFinite(lastX) ? lastX : hostCentreX) + item.w;
      lastX = item.x;
      item.w2 = item.w + boxGap;
    }
    let placed;
    if (boxRows.length > 1) {
      // Wrapped rows are packed left to right under the host box's centre; inside a row the boxes
      // keep the left-to-right order of their ports, so the cables into one row do not cross.
      r.sort((a, b) => (a.linked === b.linked ? 0 : a.linked ? -1 : 1) || (a.linked ? a.x - b.x : 0));
      const rowW = r.reduce((w, i) => w + i.w2, 0);
      let left = hostCentreX - rowW / 2;
      placed = r.map(i => { const p = { ...i, w: i.w2, cx: left + i.w2 / 2 }; left += i.w2; return p; });
    } else {
      placed = sweep(r.map(i => ({ ...i, w: i.w2 })), 0);
    }
    // Container boxes carry their title on the bottom wall (see graph-style.js).
    const innerTop = boxTop + (projector ? 34 : 24);
    let tallest = 0;
    for (const item of placed) {
      let y = innerTop;
      const left = item.cx - (item.w - boxGap) / 2;
      for (const rr of item.rows) {
        const h = rowHeight(rr);
        const rw = rowWidth(rr, gap);
        row(rr, left + ((item.w - boxGap) - rw) / 2, y + h / 2, gap, positions);
        y += h + rowGap;
      }
      tallest = Math.max(tallest, item.h);
    }
    boxTop = innerTop + tallest + boxPad + bandGap * 0.6;
  }

  // ---- above the host box: network tags over their bridge, NAT gates, then the outside world ----
  const topLevel = leaves.filter(n => !n.parent().nonempty());
  const networks = topLevel.filter(n => n.data('kind') === 'network');
  const nats = topLevel.filter(n => n.data('kind') === 'nat-rule');
  const externals = topLevel.filter(n => n.data('kind') === 'external');
  const others = topLevel.filter(n => !['network', 'nat-rule', 'external'].includes(n.data('kind')));

  // Anchor: the mean x of the neighbours reached by the given edge kinds (all kinds if none match).
  const anchorX = (n, kinds, fallback) => {
    const xs = [];
    const all = [];
    for (const e of n.connectedEdges()) {
      const o = e.source() === n ? e.target() : e.source();
      const p = positions[o.id()];
      if (!p || o.data('kind') === 'network' || o.data('kind') === 'nat-rule') continue;
      all.push(p.x);
      if (kinds.includes(e.data('kind'))) xs.push(p.x);
    }
    const use = xs.length ? xs : all;
    return use.length ? use.reduce((a, b) => a + b, 0) / use.length : fallback;
  };
  // One band: a network tag over the bridge that implements it, the outside world over the
  // interface the default route leaves by, NAT gates between the interfaces they rewrite for.
  const bandItems = [
    ...arr(networks).map(n => ({ n, x: anchorX(n, ['network-bridge'], hostBox.x1), w: size(n).w, h: size(n).h })),
    ...arr(nats).map(n => ({ n, x: anchorX(n, ['nat'], hostBox.x2), w: size(n).w, h: size(n).h })),
  ];
  const bandH = bandItems.reduce((h, i) => Math.max(h, i.h), 0);
  const bandY = hostTop - bandGap * 0.9 - bandH / 2;
  for (const item of sweep(bandItems, gap * 1.5)) positions[item.n.id()] = { x: item.cx, y: bandY };
  // The outside world sits above the band, over the interface the default route leaves by: the MASQUERADE
  // arrows then rise to it instead of running along the band through the other gates' labels.
  const outside = arr(externals).map(n => ({ n, x: anchorX(n, ['route'], hostCentreX), w: size(n).w, h: size(n).h }));
  const outsideY = bandY - bandH / 2 - bandGap * 0.9 - outside.reduce((h, i) => Math.max(h, i.h), 0) / 2;
  for (const item of sweep(outside, gap * 1.5)) positions[item.n.id()] = { x: item.cx, y: outsideY };

  // Anything else (an interface without a namespace, a kind added later): a row at the bottom.
  if (others.length) row(arr(others).sort(byLabel), hostBox.x1, boxTop + bandGap * 0.5, gap * 2, positions);

  return positions;
}

/**
 * Positions for nodes added by a diff, in the layered picture, without moving any existing node:
 * a new port joins its bridge's port row, a new namespace box goes below the host in the first
 * free slot near the port it hangs on, anything else goes next to a placed neighbour or sibling.
 * Every spot is checked against the existing nodes and boxes, so nothing is drawn on top of them.
 * @returns {Record<string, {x:number, y:number}>}
 */
export function layeredIncrementalPositions(cy, newNodes, projector) {
  const S = projector ? 1.15 : 1;
  const gap = 26 * S;
  const rowGap = 34 * S;
  const boxPadding = projector ? 34 : 24;
  const positions = {};
  const rects = []; // obstacles: {x1,x2,y1,y2,parent}
  const isNew = n => newNodes.contains(n);
  const existingLeaves = cy.nodes().filter(n => !n.isParent() && !isNew(n) && n.visible());
  for (const n of existingLeaves) {
    const bb = n.boundingBox({ includeLabels: false });
    rects.push({ x1: bb.x1, x2: bb.x2, y1: bb.y1, y2: bb.y2, parent: n.data('parent') ?? null });
  }
  const topBoxes = cy.nodes().filter(n => n.isParent() && n.parent().empty() && n.children().some(c => !isNew(c)));
  const boxRects = topBoxes.map(b => ({ ...b.boundingBox(), id: b.id() }));
  const host = cy.nodes('.host').filter(n => n.isParent())[0] ?? null;
  const hostRect = host && !isNew(host) ? host.boundingBox() : null;
  const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
  const grow = (r, d) => ({ x1: r.x1 - d, x2: r.x2 + d, y1: r.y1 - d, y2: r.y2 + d });

  /** First free centre on the horizontal line y, searching outwards from x (right first). */
  const freeSpot = (node, x, y, parentId) => {
    const w = size(node).w; const h = size(node).h;
    // Inside a box only the box's own members are obstacles; outside, every top-level box is one too.
    const obstacles = rects.filter(r => parentId ? r.parent === parentId : true)
      .concat(parentId ? [] : boxRects);
    for (let k = 0; k < 400; k++) {
      const dx = k === 0 ? 0 : Math.ceil(k / 2) * (w / 2 + gap) * (k % 2 ? 1 : -1);
      const cand = { x1: x + dx - w / 2, x2: x + dx + w / 2, y1: y - h / 2, y2: y + h / 2 };
      if (!obstacles.some(o => overlaps(grow(cand, gap / 2), o))) return { x: x + dx, y };
    }
    return { x, y };
  };
  const claim = (node, pos) => {
    positions[node.id()] = pos;
    const { w, h } = size(node);
    rects.push({ x1: pos.x - w / 2, x2: pos.x + w / 2, y1: pos.y - h / 2, y2: pos.y + h / 2, parent: node.data('parent') ?? null });
  };
  const posOf = n => positions[n.id()] ?? (isNew(n) ? null : n.position());

  // 1. Leaves whose box already exists (or that have no box), breadth-first from placed neighbours.
  const looseLeaves = newNodes.filter(n => !n.isParent() && !(n.parent().nonempty() && isNew(n.parent())));
  let pending = arr(looseLeaves);
  for (let pass = 0; pass < 5 && pending.length; pass++) {
    const next = [];
    for (const node of pending) {
      const parentId = node.data('parent') ?? null;
      const neighbours = arr(node.neighborhood('node').filter(n => !n.isParent() && posOf(n)));
      const bridge = neighbours.find(n => n.data('type') === 'bridge' && (n.data('parent') ?? null) === parentId);
      const sameBox = neighbours.find(n => (n.data('parent') ?? null) === parentId && parentId !== null);
      const other = neighbours[0];
      const siblings = parentId ? arr(node.parent().children().filter(c => !c.isParent() && c !== node && posOf(c))) : [];
      let want = null;
      if (bridge) {
        // The bridge's existing ports give the row; else one row below the bridge.
        const ports = arr(bridge.neighborhood('node').filter(p => p !== node && posOf(p) && (p.data('parent') ?? null) === parentId && p.data('type') !== 'bridge'));
        const y = ports.length ? posOf(ports[0]).y : posOf(bridge).y + size(bridge).h / 2 + rowGap * 1.6 + size(node).h / 2;
        const x = ports.length ? Math.max(...ports.map(p => posOf(p).x)) + gap : posOf(bridge).x;
        // Stay under the own bridge: if the port row is full there, open a second row below it.
        const spot = freeSpot(node, x, y, parentId);
        const reach = size(bridge).w / 2 + size(node).w;
        if (Math.abs(spot.x - posOf(bridge).x) <= reach) want = spot;
        else want = { x: posOf(bridge).x, y: y + size(node).h + rowGap * 0.5 };
      } else if (sameBox) {
        want = { x: posOf(sameBox).x, y: posOf(sameBox).y + size(sameBox).h / 2 + rowGap + size(node).h / 2 };
      } else if (other && parentId) {
        // A cable into an existing box (e.g. `docker network connect` adds eth1): the box's top row.
        const linkedRow = siblings.length ? Math.min(...siblings.map(s => posOf(s).y)) : posOf(other).y;
        want = { x: posOf(other).x, y: linkedRow };
      } else if (siblings.length) {
        const last = siblings[siblings.length - 1];
        want = { x: posOf(last).x, y: posOf(last).y };
      } else if (other) {
        // A new network tag / NAT gate / outside world: the band of its own kind if there is one.
        const kin = cy.nodes().filter(n => !isNew(n) && n.data('kind') === node.data('kind') && !n.isParent());
        const bandY = kin.nonempty() ? kin[0].position().y : (hostRect ? hostRect.y1 - 120 * S : posOf(other).y - 120 * S);
        want = { x: posOf(other).x, y: bandY };
      }
      if (want) claim(node, freeSpot(node, want.x, want.y, parentId));
      else next.push(node);
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  const everything = cy.nodes().filter(n => !isNew(n)).boundingBox();
  let k = 0;
  for (const node of pending) {
    // Nothing to hang on: right of the picture.
    claim(node, freeSpot(node, (Number.isFinite(everything.x2) ? everything.x2 : 0) + 150 * S, (Number.isFinite(everything.y1) ? everything.y1 : 0) + (k++) * 80 * S, node.data('parent') ?? null));
  }

  // 2. New namespace boxes: rows as in the full layout, then the first free slot below the host.
  const newBoxes = newNodes.filter(n => n.isParent() && n.parent().empty());
  const hostBottom = hostRect ? hostRect.y2 : (Number.isFinite(everything.y2) ? everything.y2 : 0);
  for (const box of newBoxes) {
    const children = box.descendants().filter(n => !n.isParent() && n.visible());
    const peerX = n => {
      const xs = arr(n.neighborhood('node').filter(o => !o.isParent() && o.data('parent') !== box.id() && posOf(o))).map(o => posOf(o).x);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    };
    const linked = arr(children.filter(n => peerX(n) !== null)).sort((a, b) => peerX(a) - peerX(b));
    const rest = arr(children.filter(n => peerX(n) === null))
      .sort((a, b) => (a.data('type') === 'loopback') - (b.data('type') === 'loopback') || (a.data('kind') === 'container') - (b.data('kind') === 'container') || byLabel(a, b));
    const rows = linked.length ? [linked, rest].filter(r => r.length) : [rest];
    const innerW = Math.max(...rows.map(r => rowWidth(r, gap)), 80 * S, titleInnerWidth(box, projector));
    const innerH = rows.reduce((s, r) => s + rowHeight(r), 0) + rowGap * (rows.length - 1);
    const w = innerW + 2 * boxPadding;
    const h = innerH + 2 * boxPadding + 30 * S;
    const wantX = linked.length ? linked.map(peerX).reduce((a, b) => a + b, 0) / linked.length : (Number.isFinite(everything.x2) ? everything.x2 : 0);
    // Same top as the existing container boxes if there are any, else one band below the host.
    const others = boxRects.filter(r => !hostRect || r.id !== host.id());
    const top = others.length ? Math.min(...others.map(r => r.y1)) : hostBottom + 90 * S;
    let rect = null;
    for (let i = 0; i < 400; i++) {
      const dx = i === 0 ? 0 : Math.ceil(i / 2) * (w / 4 + gap) * (i % 2 ? 1 : -1);
      const cand = { x1: wantX + dx - w / 2, x2: wantX + dx + w / 2, y1: top, y2: top + h };
      if (!boxRects.some(o => overlaps(grow(cand, gap), o))) { rect = cand; break; }
    }
    rect ??= { x1: everything.x2 + 60, x2: everything.x2 + 60 + w, y1: top, y2: top + h };
    boxRects.push({ ...rect, id: box.id() });
    let y = rect.y1 + boxPadding;
    for (const r of rows) {
      const rh = rowHeight(r);
      row(r, rect.x1 + boxPadding + (innerW - rowWidth(r, gap)) / 2, y + rh / 2, gap, positions);
      y += rh + rowGap;
    }
  }
  // Leaves in new boxes nested inside existing ones (not expected from Docker): next to the parent.
  for (const n of newNodes.filter(n => !n.isParent() && !positions[n.id()])) {
    const p = n.parent();
    const c = p.nonempty() && !isNew(p) ? p.position() : { x: everything.x2 + 100, y: everything.y1 };
    claim(n, freeSpot(n, c.x, c.y, null));
  }
  return positions;
}
