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

  let cursor = 0;
  for (const b of bridges) {
    const ports = portsOf.get(b.id()).slice().sort(byPortOrder);
    const pw = rowWidth(ports, gap);
    const bw = size(b).w;
    const groupW = Math.max(pw, bw);
    row(ports, cursor + (groupW - pw) / 2, portRowY, gap, positions);
    positions[b.id()] = { x: cursor + groupW / 2, y: bridgeRowY };
    cursor += groupW + groupGap;
  }
  if (loosePorts.length) {
    const lp = arr(loosePorts);
    row(lp, cursor, portRowY, gap, positions);
    cursor += rowWidth(lp, gap) + groupGap;
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
    const w = Math.max(...rows.map(r => rowWidth(r, gap)), 80 * S);
    const h = rows.reduce((s, r) => s + rowHeight(r), 0) + rowGap * (rows.length - 1);
    const xs = arr(linked).map(n => peerX(n));
    boxItems.push({ box, rows, w, h, x: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity, linked: xs.length > 0 });
  }
  // Boxes without a cable to the host go to the right end, in name order.
  const unlinked = boxItems.filter(b => !b.linked).sort((a, b) => byLabel(a.box, b.box));
  const linkedItems = boxItems.filter(b => b.linked);
  const boxGap = 2 * (projector ? 34 : 24) + gap * 1.5;
  const maxRowW = Math.max(hostBox.x2 - hostBox.x1 + 200 * S, 1400 * S);
  const boxRows = [];
  let current = [];
  let currentW = 0;
  for (const item of [...linkedItems.sort((a, b) => a.x - b.x), ...unlinked]) {
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
    const placed = sweep(r.map(i => ({ ...i, w: i.w2 })), 0);
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
    ...arr(externals).map(n => ({ n, x: anchorX(n, ['route'], hostCentreX), w: size(n).w, h: size(n).h })),
  ];
  const bandH = bandItems.reduce((h, i) => Math.max(h, i.h), 0);
  const bandY = hostTop - bandGap * 0.9 - bandH / 2;
  for (const item of sweep(bandItems, gap * 1.5)) positions[item.n.id()] = { x: item.cx, y: bandY };

  // Anything else (an interface without a namespace, a kind added later): a row at the bottom.
  if (others.length) row(arr(others).sort(byLabel), hostBox.x1, boxTop + bandGap * 0.5, gap * 2, positions);

  return positions;
}
