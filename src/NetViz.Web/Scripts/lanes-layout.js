// "lanes": the host drawn the way a network engineer draws it on a whiteboard.
//
//                          ( outside world )
//   ┌ host ─────────── [eth0] [lo] [netviz-lab-host] ───────────────────────────────┐
//   └────────────────────────────────────────────────────────────────────────────────┘
//   ┌ lane: docker0 ─────────────────────┐ ┌ lane: br-netviz-lab ─────┐ ┌ no network ┐
//   │ (network: bridge) [MASQ] [DNAT]    │ │ (network: ...)  [MASQ]   │ │            │
//   │ [docker0]                          │ │ [br-netviz-lab]          │ │            │
//   │   ├────o──────o──────o   rail       │ │   ├────o─────o           │ │            │
//   │   │   ┌┴─┐  ┌─┴┐  ┌─┴┐  tiles      │ │   │   ┌┴─┐ ┌─┴┐  ┌────┐  │ │  ┌─────┐   │
//   │   │   └──┘  └──┘  └──┘              │ │   │   └──┘ └──┘  │junc│  │ │  └─────┘   │
//   │   ├────o──────o         next row   │ │   ...                      │ │            │
//
// One lane per bridge (Docker network or a bridge made with ip link): its network tags and NAT gates
// on top, the bridge under them, and every namespace plugged into it in a grid below, each hanging on
// its own port by a short vertical veth cable. The bridge's ports sit on rails (taxi-routed
// bridge-port edges) so a bridge with many rows still reads as one bus. A namespace on two networks
// sits in a junction column between their lanes. Lanes wrap into shelves whose width is chosen for the
// viewport's shape, so the fitted view is as large (and its labels as legible) as possible.
//
// Split in two so live changes do not reshuffle the picture: planLanes() decides the order (lanes by a
// barycentric heuristic on shared namespaces, tiles by name) and the wrapping; placeLanes() turns a
// plan into coordinates. extendPlan() appends what is new to an existing plan, so a new container
// lands in the next free slot of its lane, a new network opens a new lane, and only a box that grew
// pushes what follows it.

import { lodMetrics, detailSize, overviewBadgeSize, tileText, tileLabelSize, gateSize, styledSize } from './graph-lod.js';
import { measureLabel } from './graph-style.js';
import { word } from './graph-words.js';

// One collator for every comparison: localeCompare with options builds a new one per call (most of a diff's sorting time).
const collator = new Intl.Collator(undefined, { numeric: true });
const natural = (a, b) => collator.compare(String(a), String(b));

export const ROUTED = 'lane:routed';

/** Nodes written large at overview zoom: host-mode containers, the host's own interfaces, network tags. */
export function isBig(n) {
  return n.kind === 'container' || n.kind === 'network' || (n.kind === 'interface' && n.type !== 'loopback' && !n.ele.hasClass('down'));
}
export const ISOLATED = 'lane:isolated';

/** Spacing for normal and projector mode (projector text is ~1.7x larger, gaps grow a little less). */
function spacing(projector) {
  const S = projector ? 1.0 : 1; // projector text is 1.7x larger; the gaps need not grow as much
  return {
    gapX: 22 * S,          // between tiles in a row
    gapY: 10 * S,          // under a row of tiles
    laneGap: 30 * S,       // between lanes in a shelf
    shelfGap: 30 * S,      // between shelves
    headerGap: 10 * S,     // between the tag/gate row and the bridge
    railGap: 12 * S,       // between the bridge and its first rail
    turn: 6 * S,           // from a port's top up to its rail
    cable: 12 * S,         // veth cable between a port and its tile
    bandGap: 44 * S,       // between the host band and the lanes
    itemGap: 14 * S,       // between tags/gates/host devices in a row
    lanePad: 10 * S,       // inside a lane's frame
  };
}

// ---- 1. the model: one pass over Cytoscape into plain objects ---------------------------------

/**
 * Reads the visible elements into the graph the layout works on. Only this function touches
 * Cytoscape collections (once per element); everything after it is arithmetic on plain objects,
 * which keeps a 300-namespace layout in tens of milliseconds.
 */
export function readModel(eles, projector) {
  const nodes = new Map();
  for (const n of eles.nodes()) {
    const d = n.data();
    nodes.set(d.id, {
      id: d.id, kind: d.kind, type: d.type ?? null, label: String(d.label ?? ''), parent: d.parent ?? null,
      isHost: d.kind === 'netns' && (d.isHost === true || n.hasClass('host')),
      hostDevice: n.hasClass('host-device'), modeHost: n.hasClass('mode-host'),
      ele: n, children: [], isParent: false,
    });
  }
  for (const node of nodes.values()) {
    const parent = node.parent ? nodes.get(node.parent) : null;
    if (parent) { parent.children.push(node); parent.isParent = true; } else node.parent = null;
  }
  const edges = [];
  for (const e of eles.edges()) {
    const d = e.data();
    if (!nodes.has(d.source) || !nodes.has(d.target)) continue;
    edges.push({ id: d.id, kind: d.kind, role: d.type ?? null, source: d.source, target: d.target, ele: e });
  }

  const host = [...nodes.values()].find(n => n.isHost) ?? null;
  const inHost = n => host !== null && n.parent === host.id;
  const bridges = host ? host.children.filter(n => n.kind === 'interface' && n.type === 'bridge') : [];
  const bridgeIds = new Set(bridges.map(b => b.id));
  const portBridge = new Map(); // host port id -> bridge id
  const bridgePortEdges = new Map(); // port id -> edge
  const vethPeer = new Map(); // host end <-> namespace end
  const tagsOf = new Map(); // bridge id -> network nodes
  const natEdges = [];
  for (const e of edges) {
    const s = nodes.get(e.source);
    const t = nodes.get(e.target);
    if (e.kind === 'bridge-port') {
      const [bridge, port] = bridgeIds.has(t.id) ? [t, s] : bridgeIds.has(s.id) ? [s, t] : [null, null];
      if (bridge && inHost(port) && !portBridge.has(port.id)) { portBridge.set(port.id, bridge.id); bridgePortEdges.set(port.id, e); }
    } else if (e.kind === 'veth') {
      const sTile = s.parent && !inHost(s);
      const tTile = t.parent && !inHost(t);
      if (inHost(s) && tTile) { vethPeer.set(s.id, t.id); vethPeer.set(t.id, s.id); }
      else if (inHost(t) && sTile) { vethPeer.set(t.id, s.id); vethPeer.set(s.id, t.id); }
    } else if (e.kind === 'network-bridge') {
      const [net, bridge] = s.kind === 'network' ? [s, t] : [t, s];
      if (net.kind === 'network' && bridgeIds.has(bridge.id)) {
        if (!tagsOf.has(bridge.id)) tagsOf.set(bridge.id, []);
        tagsOf.get(bridge.id).push(net);
      }
    } else if (e.kind === 'nat') {
      natEdges.push(e);
    }
  }

  // Namespace tiles: every top-level namespace box but the host's.
  const tiles = [];
  const tileOfIface = new Map();
  for (const n of nodes.values()) {
    if (n.kind !== 'netns' || n.isHost || n.parent) continue;
    const leaves = [];
    const walk = p => { for (const c of p.children) { if (c.isParent) walk(c); else leaves.push(c); } };
    walk(n);
    const linked = leaves.filter(c => c.kind === 'interface' && vethPeer.has(c.id));
    const bridgesOfTile = [...new Set(linked.map(c => portBridge.get(vethPeer.get(c.id))).filter(Boolean))];
    const tile = { id: n.id, node: n, leaves, linked, bridges: bridgesOfTile, routed: linked.some(c => !portBridge.has(vethPeer.get(c.id))) };
    for (const c of linked) tileOfIface.set(c.id, tile);
    tiles.push(tile);
  }
  tiles.sort((a, b) => natural(tileText(a.node.ele), tileText(b.node.ele)) || natural(a.id, b.id));
  const tileById = new Map(tiles.map(t => [t.id, t]));

  // NAT gates go to the lane of the bridge or namespace they translate for; the rest to the host band.
  const gateLane = new Map();
  for (const e of natEdges) {
    const rule = nodes.get(e.source).kind === 'nat-rule' ? nodes.get(e.source) : nodes.get(e.target);
    if (!rule || rule.kind !== 'nat-rule') continue;
    const other = rule.id === e.source ? nodes.get(e.target) : nodes.get(e.source);
    let lane = null;
    if (bridgeIds.has(other.id)) lane = other.id;
    else if (tileOfIface.has(other.id)) lane = portBridge.get(vethPeer.get(other.id)) ?? laneKeyOf(tileOfIface.get(other.id));
    else if (other.kind === 'container' && other.parent && !inHost(other)) {
      const t = tileById.get(other.parent);
      if (t) lane = laneKeyOf(t);
    }
    // A lane named by the rule's own bridge edge wins over one found through a namespace.
    if (lane && (!gateLane.has(rule.id) || bridgeIds.has(lane))) gateLane.set(rule.id, lane);
  }

  // Ports of a bridge with nothing cabled to a namespace yet (a container being started, a veth whose
  // peer is still in the host): they hang on their bridge's rail in a slot of their own.
  const orphanPorts = new Map();
  for (const [portId, bridgeId] of portBridge) {
    if (vethPeer.has(portId)) continue;
    if (!orphanPorts.has(bridgeId)) orphanPorts.set(bridgeId, []);
    orphanPorts.get(bridgeId).push(nodes.get(portId));
  }
  for (const list of orphanPorts.values()) list.sort((a, b) => natural(a.label, b.label));

  const placedElsewhere = new Set();
  for (const b of bridges) placedElsewhere.add(b.id);
  for (const id of portBridge.keys()) placedElsewhere.add(id);
  for (const id of vethPeer.keys()) placedElsewhere.add(id);
  for (const list of tagsOf.values()) for (const n of list) placedElsewhere.add(n.id);
  for (const id of gateLane.keys()) placedElsewhere.add(id);
  // A namespace box whose children are all hidden (an ip netns with only lo) reads as a leaf here, but it is a tile:
  // in the band too, the band's position would win and the box would be drawn over the host band or a lane.
  for (const t of tiles) placedElsewhere.add(t.id);
  const externals = [...nodes.values()].filter(n => n.kind === 'external');
  for (const n of externals) placedElsewhere.add(n.id);
  // The host band: the host's own devices, loopback, host-mode containers, and anything without a lane.
  const bandRank = n => (n.hostDevice ? 0 : n.kind === 'interface' && n.type !== 'loopback' ? 1 : n.type === 'loopback' ? 2 : n.kind === 'container' ? 3 : 4);
  const band = [];
  for (const n of nodes.values()) {
    if (n.isParent || placedElsewhere.has(n.id)) continue;
    if (n.parent && !inHost(n)) continue; // inside a tile
    band.push(n);
  }
  band.sort((a, b) => bandRank(a) - bandRank(b) || natural(a.label, b.label));

  return { nodes, edges, host, bridges, portBridge, bridgePortEdges, vethPeer, tagsOf, tiles, tileById, orphanPorts, gateLane, band, externals, projector };
}

/** The lane a tile belongs in: its one bridge, a junction of its bridges, routed or isolated. */
export function laneKeyOf(tile) {
  if (tile.bridges.length === 1) return tile.bridges[0];
  if (tile.bridges.length > 1) return 'junction:' + tile.bridges.slice().sort().join('|');
  return tile.routed ? ROUTED : ISOLATED;
}

// ---- 2. sizes --------------------------------------------------------------------------------

// Sizes come from labels, not from Cytoscape's styled elements: the layout runs before anything is styled.
const styled = (n, projector) => styledSize(n.kind, n.type, n.label, projector);

/** The first address of an interface label ("eth0\n172.17.0.2/16" -> "172.17.0.2"), or ''. */
export function addressOf(label) {
  const line = String(label ?? '').split('\n')[1] ?? '';
  return line.replace(/\/\d+$/, '');
}

function rowWidth(sizes, gap) {
  return sizes.reduce((w, s) => w + s.w, 0) + Math.max(0, sizes.length - 1) * gap;
}

/** The footprint of every size-bearing node, the larger of its overview and detail sizes. */
function measure(model, projector) {
  const m = lodMetrics(projector);
  const sp = spacing(projector);
  const size = new Map();
  const ifaceSize = n => detailSize('interface', n.type, n.label, projector);
  const both = (d, o) => ({ w: Math.max(d.w, o.w), h: Math.max(d.h, o.h) });
  for (const b of model.bridges) {
    size.set(b.id, both(detailSize('interface', 'bridge', b.label, projector), overviewBadgeSize('interface', b.label, projector, 'bridge')));
  }
  for (const id of model.vethPeer.keys()) {
    const n = model.nodes.get(id);
    if (n.parent === model.host?.id) size.set(id, ifaceSize(n));
  }
  for (const list of model.orphanPorts.values()) for (const n of list) size.set(n.id, ifaceSize(n));
  for (const n of model.band) {
    // The host band is drawn by graph-style.js in detail, larger in overview.
    if (n.kind === 'nat-rule') size.set(n.id, gateSize(n.ele, projector));
    else if (isBig(n)) size.set(n.id, both(styled(n, projector), overviewBadgeSize(n.kind, n.label, projector, n.type)));
    else size.set(n.id, styled(n, projector));
  }
  for (const list of model.tagsOf.values()) for (const n of list) size.set(n.id, both(styled(n, projector), overviewBadgeSize('network', n.label, projector)));
  for (const id of model.gateLane.keys()) size.set(id, gateSize(model.nodes.get(id).ele, projector));
  for (const n of model.externals) size.set(n.id, styled(n, projector));

  // Tiles: ports on top (cabled interfaces), badges and the other interfaces below.
  const tiles = new Map();
  for (const t of model.tiles) {
    const linked = t.linked.slice().sort((a, b) => natural(a.label, b.label));
    const rest = t.leaves.filter(c => !linked.includes(c))
      .sort((a, b) => (a.kind === 'container' ? 0 : a.type === 'loopback' ? 2 : 1) - (b.kind === 'container' ? 0 : b.type === 'loopback' ? 2 : 1) || natural(a.label, b.label));
    const sz = c => detailSize(c.kind, c.type, c.label, projector) ?? styled(c, projector);
    for (const c of t.leaves) size.set(c.id, sz(c));
    const rows = linked.length ? [linked, rest].filter(r => r.length) : [rest].filter(r => r.length);
    const rowSizes = rows.map(r => r.map(c => size.get(c.id)));
    const text = tileText(t.node.ele);
    const label = tileLabelSize(text, projector);
    // The detail title, inside at the bottom: the inode when the badges name the containers, else the
    // whole title (an ip netns name), wrapped to the tile's width.
    const hasBadges = t.leaves.some(c => c.kind === 'container');
    const titleText = hasBadges ? t.node.label.replace(/^.*·\s*(netns \d+)$/, '$1') : t.node.label;
    const titleW = Math.min(measureLabel(titleText, m.dFont + 1, 'bold'), projector ? 150 : 100);
    const detailW = Math.max(0, ...rowSizes.map(r => rowWidth(r, sp.gapX * 0.6)));
    const rowsH = rowSizes.reduce((h, r) => h + Math.max(...r.map(s => s.h)), 0) + Math.max(0, rowSizes.length - 1) * sp.gapY * 0.7;
    // Overview: connector dots where the ports were, each with its address under it, then the names.
    const addrs = linked.map(c => addressOf(c.label));
    const addrW = rowWidth(addrs.map(a => ({ w: measureLabel(a, m.ovSmall, 'normal') })), sp.gapX * 0.6);
    const addrH = m.ovAddr && addrs.some(a => a) ? m.ovSmall * 1.25 + 3 : 0;
    const row1H = rowSizes.length && linked.length ? Math.max(...rowSizes[0].map(s => s.h)) : 0;
    const shrink = linked.length ? (row1H - m.dotH) / 2 : 0; // the overview box starts this much lower
    const ovNeed = (linked.length ? m.dotH + addrH + 5 : 0) + label.h + 2;
    const innerOv = Math.max(ovNeed, projector ? 60 : 40);
    const innerW = Math.max(detailW, label.w + 12, m.ovAddr ? addrW + 8 : 0, titleW, projector ? 150 : 96);
    const titleLines = Math.min(3, Math.ceil(measureLabel(titleText, m.dFont + 1, 'bold') / Math.max(40, innerW)));
    const titleH = titleLines * (m.dFont + 1) * 1.25;
    const detailH = rowsH + sp.gapY * 0.5 + titleH;
    const innerOv2 = Math.max(innerOv, detailH - shrink);
    const innerH = Math.max(detailH, shrink + innerOv2);
    tiles.set(t.id, { text, title: titleText, titleH, rows, rowSizes, innerW, innerH, minH: innerOv2, labelDy: linked.length ? (m.dotH + addrH + 5 + label.h / 2) - innerOv2 / 2 : 0, w: innerW + 2 * m.nsPad, h: innerH + 2 * m.nsPad });
  }
  return { size, tiles, m, sp };
}

// ---- 3. the plan: order and wrapping -----------------------------------------------------------

/** Builds the lanes (bridge lanes, junction columns, routed, isolated) in reading order. */
function buildLanes(model) {
  const lanes = new Map();
  const tagName = b => (model.tagsOf.get(b.id) ?? []).map(n => n.label).sort(natural)[0] ?? null;
  // docker0 (the default network) first, then Docker networks by name, then bridges made by hand.
  const ordered = model.bridges.slice().sort((a, b) =>
    (b.label.startsWith('docker0') - a.label.startsWith('docker0'))
    || ((tagName(a) === null) - (tagName(b) === null))
    || natural(tagName(a) ?? a.label, tagName(b) ?? b.label));
  for (const b of ordered) lanes.set(b.id, { key: b.id, kind: 'bridge', bridge: b.id, tiles: [] });
  for (const t of model.tiles) {
    const key = laneKeyOf(t);
    if (!lanes.has(key)) {
      lanes.set(key, key.startsWith('junction:')
        ? { key, kind: 'junction', bridges: t.bridges.slice(), tiles: [] }
        : { key, kind: key === ROUTED ? 'routed' : 'isolated', tiles: [] });
    }
    lanes.get(key).tiles.push(t.id);
  }
  for (const [bridgeId, ports] of model.orphanPorts) {
    if (lanes.has(bridgeId)) for (const p of ports) lanes.get(bridgeId).tiles.push(p.id);
  }
  return lanes;
}

/**
 * Orders the bridge lanes so that lanes sharing namespaces sit side by side: the barycentric
 * heuristic (each lane moves to the mean position of the lanes it shares namespaces with, repeated
 * while the total weighted distance drops), as used for layer ordering in layered graph drawing.
 */
export function orderLanes(keys, weights) {
  let order = keys.slice();
  const cost = o => {
    const pos = new Map(o.map((k, i) => [k, i]));
    let c = 0;
    for (const [a, nb] of weights) for (const [b, w] of nb) c += w * Math.abs(pos.get(a) - pos.get(b));
    return c / 2;
  };
  let best = order;
  let bestCost = cost(order);
  for (let iter = 0; iter < 12 && bestCost > 0; iter++) {
    const pos = new Map(order.map((k, i) => [k, i]));
    const bary = new Map(order.map(k => {
      const nb = weights.get(k);
      if (!nb || nb.size === 0) return [k, pos.get(k)];
      let s = 0; let w = 0;
      for (const [o, wt] of nb) { s += wt * pos.get(o); w += wt; }
      // A little of its own place keeps the order stable when the pull is even.
      return [k, (s + 0.5 * pos.get(k)) / (w + 0.5)];
    }));
    order = order.slice().sort((a, b) => bary.get(a) - bary.get(b) || pos.get(a) - pos.get(b));
    const c = cost(order);
    if (c < bestCost) { best = order; bestCost = c; } else break;
  }
  return best;
}

/** Reading order of columns: bridge lanes (barycentric), junctions between their lanes, routed, isolated. */
function columnOrder(lanes) {
  const bridgeKeys = [...lanes.values()].filter(l => l.kind === 'bridge').map(l => l.key);
  const weights = new Map(bridgeKeys.map(k => [k, new Map()]));
  for (const l of lanes.values()) {
    if (l.kind !== 'junction') continue;
    for (const a of l.bridges) for (const b of l.bridges) {
      if (a === b || !weights.has(a) || !weights.has(b)) continue;
      weights.get(a).set(b, (weights.get(a).get(b) ?? 0) + l.tiles.length);
    }
  }
  const order = orderLanes(bridgeKeys, weights);
  const columns = [];
  const pos = new Map(order.map((k, i) => [k, i]));
  const junctions = [...lanes.values()].filter(l => l.kind === 'junction');
  for (const key of order) {
    columns.push(key);
    // A junction of two neighbouring lanes goes between them; others after their leftmost lane.
    for (const j of junctions) {
      const ps = j.bridges.map(b => pos.get(b)).filter(p => p !== undefined).sort((a, b) => a - b);
      if (ps.length && order[ps[0]] === key) columns.push(j.key);
    }
  }
  for (const j of junctions) if (!columns.includes(j.key)) columns.push(j.key);
  if (lanes.has(ROUTED)) columns.push(ROUTED);
  if (lanes.has(ISOLATED)) columns.push(ISOLATED);
  return columns;
}

/** Width of a lane when it has `cols` tile columns. */
function laneWidth(lane, cols, geo) {
  const grid = lane.tiles.length ? geo.gutter(lane, cols) + cols * geo.slotW(lane) - geo.sp.gapX : 0;
  // Tags beside the bridge when the grid is that wide anyway; above it (narrower) for a lane of one or two.
  return Math.max(geo.headerMin(lane), grid, 80);
}

/** Columns that wrap as one: a lane, the junction columns after it and the lane after those. */
function wrapUnits(columns) {
  const units = [];
  for (let i = 0; i < columns.length; i++) {
    if (i + 2 < columns.length && columns[i + 1].startsWith('junction:') && !columns[i].startsWith('junction:')) {
      let j = i + 1;
      while (j < columns.length && columns[j].startsWith('junction:')) j++;
      units.push(columns.slice(i, Math.min(j + 1, columns.length)));
      i = Math.min(j, columns.length - 1);
    } else units.push([columns[i]]);
  }
  return units;
}

/**
 * Wraps columns into shelves no wider than target. Units wrap as one (a lane, a junction column and the
 * lane after it, so a namespace on both networks sits between its two lanes). A single lane that is
 * shorter than what the shelf already holds stacks under the previous single lane instead of widening
 * the shelf: small lanes (an internal network, a bridge made by hand, "no network") fill the space
 * beside a tall one. Returns shelves as arrays of columns, a column being the lanes stacked in it.
 */
function packShelves(columns, dims, target, gap) {
  const units = wrapUnits(columns);
  const shelves = [];
  const place = (unit, ds, uw, uh) => {
    let cur = shelves[shelves.length - 1];
    if (!cur || cur.w + gap + uw > target) { cur = { cols: [], w: -gap, h: 0 }; shelves.push(cur); }
    unit.forEach((k, i) => cur.cols.push({ keys: [k], w: ds[i].w, h: ds[i].h, stackable: unit.length === 1 }));
    cur.w += gap + uw;
    cur.h = Math.max(cur.h, uh);
  };
  // Big units first, in reading order; then the small lanes fill the holes they left: beside a shelf
  // that has width to spare (without making it taller), else under a single lane with room below it.
  const measured = units.map(unit => {
    const ds = unit.map(dims);
    return { unit, ds, tiles: ds.reduce((s, d) => s + (d.tiles ?? 0), 0), uw: ds.reduce((s, d) => s + d.w, 0) + gap * (unit.length - 1), uh: Math.max(...ds.map(d => d.h)) };
  });
  const small = u => u.unit.length === 1 && (u.uw < target * 0.3 || u.tiles <= 2);
  for (const u of measured) if (!small(u)) place(u.unit, u.ds, u.uw, u.uh);
  for (const u of measured) {
    if (!small(u)) continue;
    const beside = shelves.find(sh => sh.w + gap + u.uw <= target && u.uh <= sh.h);
    if (beside) {
      beside.cols.push({ keys: [u.unit[0]], w: u.uw, h: u.uh, stackable: true });
      beside.w += gap + u.uw;
      continue;
    }
    let stacked = false;
    for (const sh of shelves) {
      for (const col of sh.cols) {
        const grow = Math.max(0, u.uw - col.w);
        if (col.stackable && col.h + gap + u.uh <= sh.h && sh.w + grow <= target) {
          col.keys.push(u.unit[0]); col.h += gap + u.uh; col.w += grow; sh.w += grow;
          stacked = true;
          break;
        }
      }
      if (stacked) break;
    }
    if (!stacked) place(u.unit, u.ds, u.uw, u.uh);
  }
  return shelves.map(s => s.cols.map(c => c.keys));
}

/**
 * Decides the lanes, their order, their column counts and the shelves they wrap into. Tries a range
 * of shelf widths and keeps the one whose picture fits the viewport (aspect) at the largest zoom.
 */
export function planLanes(model, projector, aspect) {
  const meas = measure(model, projector);
  const lanes = buildLanes(model);
  const columns = columnOrder(lanes);
  const geo = geometryHelpers(model, meas, lanes);
  const tileCount = key => lanes.get(key).tiles.length;

  // Lanes that wrap together (a lane, its junction columns, the next lane) share one shelf width in
  // proportion to their tiles; a lane alone may use all of it.
  const units = wrapUnits(columns);
  const build = target => {
    const cols = new Map();
    for (const unit of units) {
      const fixed = unit.filter(k => lanes.get(k).kind === 'junction');
      for (const k of fixed) cols.set(k, 1);
      const flexible = unit.filter(k => lanes.get(k).kind !== 'junction');
      const fixedW = fixed.reduce((s, k) => s + laneWidth(lanes.get(k), 1, geo), 0) + meas.sp.laneGap * (unit.length - 1);
      const demand = flexible.map(k => Math.max(1, tileCount(k)) * geo.slotW(lanes.get(k)));
      const total = demand.reduce((a, b) => a + b, 0) || 1;
      flexible.forEach((key, i) => {
        const lane = lanes.get(key);
        const n = Math.max(1, tileCount(key));
        const share = Math.max(geo.slotW(lane), (target - fixedW) * demand[i] / total);
        const fit = Math.max(1, Math.floor((share - geo.gutter(lane, 1) + meas.sp.gapX) / geo.slotW(lane)));
        const rows = Math.ceil(n / Math.min(n, fit));
        cols.set(key, Math.ceil(n / rows));
      });
    }
    return pack(cols, target);
  };
  const pack = (cols, target) => {
    const shelves = packShelves(columns, k => ({ w: laneWidth(lanes.get(k), cols.get(k), geo), h: geo.laneHeight(lanes.get(k), cols.get(k)), tiles: tileCount(k) }), target, meas.sp.laneGap);
    return { cols, shelves, target };
  };
  // The search below tries the same arrangement many times (a re-pack that changes nothing, compact() with nothing to
  // move): placing every tile again for each was most of planLanes at 300 namespaces. A plan's picture depends only on
  // its shelves and the column counts of the lanes in them, so that is the key.
  const scores = new Map();
  const score = plan => {
    const key = plan.shelves.map(sh => sh.map(col => col.map(k => `${k}=${plan.cols.get(k) ?? 1}`).join(',')).join('|')).join('/');
    const known = scores.get(key);
    if (known !== undefined) return known;
    const bb = placeLanes(model, { ...plan, lanes, columns }, projector, meas).bounds;
    const w = Math.max(1, bb.x2 - bb.x1);
    const h = Math.max(1, bb.y2 - bb.y1);
    // The zoom a fit would reach in a viewport of this aspect (height 1).
    const s = Math.min(aspect / w, 1 / h);
    scores.set(key, s);
    return s;
  };
  const widths = columns.map(k => laneWidth(lanes.get(k), Math.max(1, tileCount(k)), geo));
  const widest = Math.max(400, ...columns.map(k => laneWidth(lanes.get(k), 1, geo)));
  const total = widths.reduce((a, b) => a + b, 0) + meas.sp.laneGap * Math.max(0, widths.length - 1);
  const candidates = [];
  const steps = 32;
  for (let i = 0; i <= steps; i++) {
    const target = widest * Math.pow(Math.max(1, total / widest), i / steps);
    const plan = build(target);
    candidates.push({ plan, s: score(plan) });
  }
  candidates.sort((a, b) => b.s - a.s);
  // Then, for the most promising shelf widths, give each lane one column more or less while that lets
  // the picture fill the viewport better (coordinate descent; re-packing, since a lane that got taller
  // may leave room beside or under it for a small one).
  const flexible = columns.filter(k => lanes.get(k).kind !== 'junction' && tileCount(k) > 1);
  // Lanes of a shelf holding only small lanes move under a lane of an earlier shelf with room below it.
  const compact = plan => {
    const shelves = plan.shelves.map(sh => sh.map(col => col.slice()));
    const h = k => geo.laneHeight(lanes.get(k), plan.cols.get(k) ?? 1);
    const w = k => laneWidth(lanes.get(k), plan.cols.get(k) ?? 1, geo);
    const colH = col => col.reduce((s, k) => s + h(k), 0) + meas.sp.laneGap * (col.length - 1);
    for (let i = shelves.length - 1; i > 0; i--) {
      const shelf = shelves[i];
      if (shelf.some(col => col.length !== 1 || tileCount(col[0]) > 2 || lanes.get(col[0]).kind === 'junction')) continue;
      for (const col of shelf.slice()) {
        const key = col[0];
        for (const target of shelves.slice(0, i)) {
          const shelfH = Math.max(...target.map(colH));
          const spot = target.find(c => !c.some(k => lanes.get(k).kind === 'junction') && w(key) <= Math.max(...c.map(w)) && colH(c) + meas.sp.laneGap + h(key) <= shelfH);
          if (spot) { spot.push(key); shelf.splice(shelf.indexOf(col), 1); break; }
        }
      }
      if (!shelf.length) shelves.splice(i, 1);
    }
    return { ...plan, shelves };
  };
  const descend = (start, startScore) => {
    let best = start;
    let bestScore = startScore;
    for (let round = 0; round < 12; round++) {
      let improved = false;
      for (const key of flexible) {
        // One row more or less, with the tiles spread evenly over the rows (13 tiles in 3 rows: 5, 5, 3).
        const n = tileCount(key);
        const rows = Math.ceil(n / (best.cols.get(key) ?? 1));
        for (const delta of [-1, 1]) {
          if (rows + delta < 1 || rows + delta > n) continue;
          const c = Math.ceil(n / (rows + delta));
          const cols = new Map(best.cols);
          cols.set(key, c);
          const repacked = pack(cols, best.target);
          const kept = { ...best, cols };
          for (const trial of [repacked, kept, compact(repacked), compact(kept)]) {
            const s = score(trial);
            if (s > bestScore * 1.001) { best = trial; bestScore = s; improved = true; }
          }
        }
      }
      if (!improved) break;
    }
    return { plan: best, s: bestScore };
  };
  let best = candidates.length ? candidates[0].plan : build(total);
  let bestScore = -1;
  for (const c of candidates.slice(0, 4)) {
    const start = compact(c.plan);
    const d = descend(start, score(start));
    if (d.s > bestScore) { best = d.plan; bestScore = d.s; }
  }
  return { lanes, columns, cols: best.cols, shelves: best.shelves, target: best.target, slots: slotsFrom(lanes) };
}

function slotsFrom(lanes) {
  return new Map([...lanes.values()].map(l => [l.key, l.tiles.slice()]));
}

/**
 * Adds what is new in the model to an existing plan without reordering anything: a new namespace
 * takes a free slot in its lane (or the next one), a new bridge opens a lane at the end of the last
 * shelf (or a new shelf), a namespace whose lane has no column goes to the lane of its first bridge.
 * A namespace whose lane changed (its first cable, a bridge lost) moves to it; a lane with nothing
 * left in it goes unless its bridge is still there. Any sequence of diffs so keeps what a fresh plan guarantees:
 * every namespace in its bridge's lane under its port, no box over another or over a lane not its own.
 */
export function extendPlan(plan, model, projector) {
  const meas = measure(model, projector);
  const known = new Set();
  for (const list of plan.slots.values()) for (const id of list) if (id) known.add(id);
  const present = new Set(model.tiles.map(t => t.id));
  for (const list of model.orphanPorts.values()) for (const n of list) present.add(n.id);
  const before = new Map([...plan.slots].map(([key, list]) => [key, list.slice()]));
  // Gone namespaces leave a hole (nothing after them moves); a later full layout closes it.
  for (const [key, list] of plan.slots) plan.slots.set(key, list.map(id => (id && present.has(id) ? id : null)));
  const lanes = plan.lanes;
  const geo = geometryHelpers(model, meas, lanes);
  // A new lane goes at the right end of the first shelf with room for it (nothing moves), else a new shelf.
  const addColumn = (key) => {
    plan.columns.push(key);
    plan.cols.set(key, 1);
    const widthOf = k => laneWidth(lanes.get(k), plan.cols.get(k) ?? 1, geo);
    const shelfW = shelf => shelf.reduce((s, col) => s + Math.max(...col.map(widthOf)), 0) + meas.sp.laneGap * shelf.length;
    const room = plan.shelves.find(shelf => shelfW(shelf) + widthOf(key) <= plan.target);
    if (room) room.push([key]); else plan.shelves.push([[key]]);
  };
  // A lane that was one row stays one row (it grows wider, pushing the lanes after it): a second row
  // would need the trunk's gutter and move every namespace already in the lane.
  const append = (key, id) => {
    const list = plan.slots.get(key);
    const hole = list.indexOf(null);
    if (hole >= 0) { list[hole] = id; return; }
    const cols = plan.cols.get(key) ?? 1;
    const oneRow = list.length <= cols;
    list.push(id);
    if (oneRow && lanes.get(key)?.kind === 'bridge' && list.length > cols && list.length <= 24) plan.cols.set(key, list.length);
  };
  for (const b of model.bridges) {
    if (lanes.has(b.id)) continue;
    lanes.set(b.id, { key: b.id, kind: 'bridge', bridge: b.id, tiles: [] });
    plan.slots.set(b.id, []);
    addColumn(b.id);
  }
  // Where each namespace sits now, and which slots held a port before this diff (a port whose namespace has just
  // appeared or just got its cable is no longer an orphan, so its slot is a hole by now).
  const laneOfId = new Map();
  for (const [key, list] of plan.slots) for (const id of list) if (id) laneOfId.set(id, key);
  const laneFor = (t, current) => {
    let key = laneKeyOf(t);
    if (plan.columns.includes(key)) return key;
    if (key.startsWith('junction:')) {
      // No junction column between its lanes: it stays in the lane it is in if that is one of its own, else goes to
      // the lane of its first bridge (a fresh layout puts it between them).
      if (current && t.bridges.includes(current)) return current;
      key = t.bridges.find(b => plan.columns.includes(b)) ?? key;
      if (plan.columns.includes(key)) return key;
    }
    lanes.set(key, key === ROUTED || key === ISOLATED ? { key, kind: key === ROUTED ? 'routed' : 'isolated', tiles: [] } : { key, kind: 'junction', bridges: t.bridges.slice(), tiles: [] });
    plan.slots.set(key, []);
    addColumn(key);
    return key;
  };
  for (const t of model.tiles) {
    const current = laneOfId.get(t.id) ?? null;
    const key = laneFor(t, current);
    if (key === current) continue;
    // A namespace whose lane changed (an ip netns that got its first cable, a bridge it lost or gained) moves to its
    // lane; anywhere else its cable would run across the picture and its box sit in a lane it is not in.
    if (current) { const list = plan.slots.get(current); list[list.indexOf(t.id)] = null; }
    // A container finishing its start, an ip netns getting its veth: the namespace takes the slot its port had.
    const list = plan.slots.get(key);
    const was = before.get(key) ?? [];
    const ports = new Set(t.linked.map(c => model.vethPeer.get(c.id)).filter(Boolean));
    const portSlot = was.findIndex((id, i) => ports.has(id) && list[i] === null);
    if (portSlot >= 0) list[portSlot] = t.id; else append(key, t.id);
    known.add(t.id);
  }
  for (const [bridgeId, ports] of model.orphanPorts) {
    const list = plan.slots.get(bridgeId);
    if (!list) continue;
    for (const p of ports) if (!known.has(p.id) && !list.includes(p.id)) append(bridgeId, p.id);
  }
  // An empty lane would stay as an empty frame a fresh layout does not draw ("no network" once its ip netns got a
  // cable, the lane of a deleted bridge): it goes, and the lanes after it in its shelf close the gap. A bridge that
  // is still there keeps its lane, empty or not.
  const bridgeIds = new Set(model.bridges.map(b => b.id));
  for (const [key, lane] of [...lanes]) {
    if (lane.kind === 'bridge' && bridgeIds.has(key)) continue;
    if ((plan.slots.get(key) ?? []).some(Boolean)) continue;
    lanes.delete(key);
    plan.slots.delete(key);
    plan.cols.delete(key);
    plan.columns = plan.columns.filter(k => k !== key);
    plan.shelves = plan.shelves.map(shelf => shelf.map(col => col.filter(k => k !== key)).filter(col => col.length)).filter(shelf => shelf.length);
  }
  return plan;
}

// ---- 4. geometry -----------------------------------------------------------------------------

function geometryHelpers(model, meas, lanes) {
  const { size, tiles, sp } = meas;
  const bridgeW = lane => (lane.bridge && size.get(lane.bridge) ? size.get(lane.bridge).w : 0);
  const slotW = lane => {
    let w = 0;
    for (const id of lane.tiles) w = Math.max(w, tiles.get(id)?.w ?? size.get(id)?.w ?? 0);
    return Math.max(w, 80) + sp.gapX;
  };
  // Room left of the tiles for the trunk that runs down from the bridge to the lower rails; a lane with
  // one row has no trunk, its rail starts under the bridge.
  const gutter = (lane, cols) => (lane.kind === 'bridge' && (lane.slots ?? lane.tiles).length > Math.max(1, cols ?? 1) ? bridgeW(lane) / 2 + sp.gapX * 0.6 : 0);
  const headerItems = lane => {
    if (lane.kind !== 'bridge') return [];
    const tags = model.tagsOf.get(lane.bridge) ?? [];
    const gates = [...model.gateLane].filter(([, l]) => l === lane.key).map(([id]) => id);
    return [...tags.map(n => n.id), ...gates];
  };
  const headerMin = lane => Math.max(bridgeW(lane), ...headerItems(lane).map(id => size.get(id)?.w ?? 0));
  // A bridge's network tags always sit beside it on its row.
  const tagsW = lane => (lane.kind === 'bridge' ? (model.tagsOf.get(lane.bridge) ?? []).reduce((s, n) => s + (size.get(n.id)?.w ?? 0) + sp.itemGap, 0) : 0);
  const hostPorts = [...model.vethPeer.keys(), ...model.portBridge.keys()].filter(id => model.nodes.get(id)?.parent === model.host?.id);
  const maxPortH = Math.max(meas.m.dotH, ...hostPorts.map(id => size.get(id)?.h ?? 0));
  const geo = { bridgeW, slotW, gutter, headerItems, headerMin, tagsW, sp, size, tiles, maxPortH };
  // Vertical metrics of a group of lanes laid out side by side (their rails line up): the header rows
  // (tags and gates that do not fit beside the bridge), the bridge's row, the pitch of tile rows.
  const captionH = (meas.m.font > 13 ? 28 : 16) * 1.4;
  geo.metrics = (group, colsOf) => {
    const headerRows = new Map();
    let headerH = 0;
    let bridgeH = 0;
    for (const l of group) {
      const lw = laneWidth(l, colsOf.get(l.key) ?? 1, geo);
      // The bridge's own row takes its tags and as many gates as fit beside it; the rest go above.
      const inline = [];
      const rest = [];
      let used = bridgeW(l);
      for (const id of headerItems(l)) {
        const w = size.get(id).w;
        if (!rest.length && used + sp.itemGap + w <= lw) { inline.push(id); used += sp.itemGap + w; } else rest.push(id);
      }
      const rows = [];
      let cur = [];
      for (const id of rest) {
        const trial = [...cur, id].map(i => size.get(i));
        if (cur.length && rowWidth(trial, sp.itemGap) > lw) { rows.push(cur); cur = []; }
        cur.push(id);
      }
      if (cur.length) rows.push(cur);
      headerRows.set(l.key, { above: rows, inline });
      headerH = Math.max(headerH, rows.reduce((h, r) => h + Math.max(...r.map(i => size.get(i).h)) + sp.itemGap * 0.6, 0));
      if (l.kind === 'bridge') bridgeH = Math.max(bridgeH, size.get(l.bridge).h, ...inline.map(i => size.get(i).h));
      // A lane without a bridge has a caption instead ("no network"), drawn by the underlay.
      else headerH = Math.max(headerH, captionH);
    }
    // Each row as tall as its tallest tile in any lane of the group (a two-name tile makes only its row taller).
    const minTile = meas.m.dotH * 4;
    const rowHeights = [];
    for (const l of group) {
      const list = l.slots ?? l.tiles;
      const cols = Math.max(1, colsOf.get(l.key) ?? 1);
      list.forEach((id, i) => {
        const r = Math.floor(i / cols);
        const h = id ? (tiles.get(id)?.h ?? size.get(id)?.h ?? 0) : 0;
        rowHeights[r] = Math.max(rowHeights[r] ?? minTile, h);
      });
    }
    const portZone = group.some(l => l.kind !== 'isolated') ? sp.turn + maxPortH + sp.cable : 0;
    const tops = [0];
    const rowTop = r => {
      for (let k = tops.length; k <= r; k++) tops[k] = tops[k - 1] + portZone + (rowHeights[k - 1] ?? minTile) + sp.gapY;
      return tops[r];
    };
    return { headerRows, headerH, bridgeH, portZone, rowTop };
  };
  // Height of a lane on its own, exactly as placeLanes draws it (for packing).
  geo.laneHeight = (lane, cols) => {
    const mt = geo.metrics([lane], new Map([[lane.key, cols]]));
    const rows = Math.max(1, Math.ceil(lane.tiles.length / Math.max(1, cols)));
    return mt.headerH + (mt.headerH ? sp.headerGap : 0) + mt.bridgeH + (mt.bridgeH ? sp.railGap : 0) + mt.rowTop(rows) - sp.gapY + 2 * sp.lanePad;
  };
  return geo;

}

/**
 * Coordinates for a plan: leaf positions, tile minimum sizes, rail turns for the bridge-port edges,
 * and the decor the underlay draws (host band, lane frames, host strips behind bridges and rails).
 */
export function placeLanes(model, plan, projector, meas = measure(model, projector)) {
  const { size, tiles, m, sp } = meas;
  const lanes = plan.lanes;
  const slots = plan.slots ?? slotsFrom(lanes);
  const geo = geometryHelpers(model, meas, new Map([...lanes].map(([k, l]) => [k, { ...l, tiles: (slots.get(k) ?? []).filter(Boolean), slots: slots.get(k) ?? [] }])));
  const positions = {};
  const tileBoxes = {};
  const turns = {};
  const decor = { lanes: [], strips: [], band: null, captions: [] };
  // Per lane, the clear gutter above its shelf: where a NAT gate's arrow to or from the outside world runs.
  const gutterOf = new Map();
  const portH = id => size.get(id)?.h ?? (projector ? 40 : 26);
  const laneOf = key => ({ ...lanes.get(key), tiles: (slots.get(key) ?? []).filter(Boolean), slots: slots.get(key) ?? [] });
  const maxPortH = geo.maxPortH;

  const metricsOf = group => geo.metrics(group, plan.cols);

  let y = 0;
  let right = 0;
  for (const shelf of plan.shelves) {
    const columns = shelf.map(col => col.filter(k => lanes.has(k))).filter(col => col.length);
    // Lanes joined by a junction column share their metrics, so their rails line up (the junction's
    // two ports sit on the rails of both its lanes); every other lane uses its own.
    const groupOf = new Map();
    let group = [];
    // A junction joins the lane before it and, if it is one of the junction's, the lane after it.
    const partnerOf = (junction, key) => lanes.get(junction)?.bridges?.includes(key);
    columns.forEach((col, i) => {
      const joined = i > 0 && (col[0].startsWith('junction:') || (columns[i - 1][0].startsWith('junction:') && partnerOf(columns[i - 1][0], col[0])));
      if (!joined && group.length) { const m2 = metricsOf(group.map(k => laneOf(k))); for (const k of group) groupOf.set(k, m2); group = []; }
      group.push(col[0]);
    });
    if (group.length) { const m2 = metricsOf(group.map(k => laneOf(k))); for (const k of group) groupOf.set(k, m2); }
    const top = y;
    const gutter = top === 0 ? -(sp.bandGap + sp.lanePad) / 2 : top - sp.shelfGap / 2;
    let x = 0;
    let shelfBottom = top;
    const rails = [];
    const headerAt = [];
    for (const col of columns) {
      let colTop = top;
      let colW = 0;
      col.forEach((key, k) => {
        const l = laneOf(key);
        gutterOf.set(key, gutter);
        const mt = k === 0 ? groupOf.get(key) : metricsOf([l]);
        const w = laneWidth(l, plan.cols.get(l.key) ?? 1, geo);
        colW = Math.max(colW, w);
        const bridgeY = colTop + mt.headerH + (mt.headerH ? sp.headerGap : 0) + mt.bridgeH / 2;
        const firstRow = colTop + mt.headerH + (mt.headerH ? sp.headerGap : 0) + mt.bridgeH + (mt.bridgeH ? sp.railGap : 0);
        const cols = Math.max(1, plan.cols.get(l.key) ?? 1);
        const laneSlots = slots.get(l.key) ?? [];
        const rowsN = Math.max(1, Math.ceil(laneSlots.length / cols));
        const x0 = x + geo.gutter(l, cols);
        const slotW = geo.slotW(l);
        const trunkX = x + geo.bridgeW(l) / 2;
        const header = mt.headerRows.get(l.key) ?? { above: [], inline: [] };
        // Lanes in a group share the tallest header (their rails line up); a lane's own header rows sit just
        // above its bridge, and its host strip starts there, not at the group's top (no empty blue block).
        const ownAboveH = header.above.reduce((t, r) => t + Math.max(...r.map(i => size.get(i).h)) + sp.itemGap * 0.6, 0);
        const ownTop = l.kind === 'bridge' ? Math.max(colTop, bridgeY - mt.bridgeH / 2 - (ownAboveH ? sp.headerGap + ownAboveH : 0)) : colTop;
        headerAt.push({ l, x, w, top: ownTop, rows: header.above, inline: header.inline, inlineY: bridgeY, inlineX: x + geo.bridgeW(l) + sp.itemGap });
        if (l.kind === 'bridge') positions[l.bridge] = { x: trunkX, y: bridgeY };
        laneSlots.forEach((id, i) => {
          if (!id) return;
          const r = Math.floor(i / cols);
          const c = i % cols;
          const rowTop = firstRow + mt.rowTop(r);
          const cx = l.kind === 'junction' ? x + w / 2 : x0 + c * slotW + (slotW - sp.gapX) / 2;
          const t = tiles.get(id);
          if (!t) {
            // A port without a namespace (yet): on the rail, where its namespace will hang.
            if (!size.has(id) || !model.portBridge.has(id)) return;
            positions[id] = { x: cx, y: rowTop + sp.turn + maxPortH / 2 };
            turns[id] = { turn: sp.turn + (maxPortH - portH(id)) / 2, turnOv: sp.turn + (maxPortH - m.dotH) / 2 };
            rails.push({ y: rowTop, x: cx, bridge: model.portBridge.get(id) });
            return;
          }
          placeTile(model, t, id, cx, rowTop + mt.portZone, positions, m, sp);
          tileBoxes[id] = { w: t.innerW, h: t.innerH, hOv: t.minH, text: t.text, dy: t.labelDy, title: t.title, titleH: t.titleH };
          for (const iface of model.tileById.get(id)?.linked ?? []) {
            const port = model.vethPeer.get(iface.id);
            if (!port || model.nodes.get(port)?.parent !== model.host?.id) continue;
            positions[port] = { x: positions[iface.id].x, y: rowTop + sp.turn + maxPortH / 2 };
            turns[port] = { turn: sp.turn + (maxPortH - portH(port)) / 2, turnOv: sp.turn + (maxPortH - m.dotH) / 2 };
            if (model.portBridge.has(port)) rails.push({ y: rowTop, x: positions[port].x, bridge: model.portBridge.get(port) });
          }
        });
        const laneBottom = firstRow + mt.rowTop(rowsN) - sp.gapY;
        decor.lanes.push({ key: l.key, kind: l.kind, x1: x - sp.lanePad, x2: x + w + sp.lanePad, y1: colTop - sp.lanePad, y2: laneBottom + sp.lanePad, bridge: l.bridge ?? null });
        if (l.kind === 'bridge') {
          decor.strips.push({ x1: x - sp.lanePad * 0.5, x2: x + w + sp.lanePad * 0.5, y1: ownTop - sp.lanePad * 0.5, y2: firstRow + sp.turn * 0.5, lane: l.key });
        }
        if (l.kind === 'routed' || l.kind === 'isolated') decor.captions.push({ x, y: colTop, text: l.kind === 'routed' ? word('vethNoBridge') : word('noNetwork') });
        colTop = laneBottom + sp.lanePad * 2 + sp.laneGap * 0.5;
        shelfBottom = Math.max(shelfBottom, laneBottom);
      });
      x += colW + sp.laneGap;
    }
    // Header rows: tags over the bridge, each NAT gate over what it translates for (its bridge, or the
    // namespace it forwards to), pushed apart where they would overlap and kept inside the lane.
    for (const h of headerAt) {
      let hy = h.top;
      for (const r of h.rows) {
        const rh = Math.max(...r.map(i => size.get(i).h));
        const items = r.map((id, k) => ({ id, w: size.get(id).w, x: wantedX(model, id, positions) ?? h.x - 1e6 + k }));
        const placed = sweepInto(items, sp.itemGap, h.x, h.x + h.w);
        for (const it of placed) positions[it.id] = { x: it.cx, y: hy + rh / 2 };
        hy += rh + sp.itemGap * 0.6;
      }
      if (h.inline.length) {
        // Tags first, next to their bridge; gates after them, over what they translate for.
        const items = h.inline.map((id, k) => ({ id, w: size.get(id).w, x: wantedX(model, id, positions) ?? h.inlineX - 1e6 + k }));
        for (const it of sweepInto(items, sp.itemGap, h.inlineX, h.x + h.w)) positions[it.id] = { x: it.cx, y: h.inlineY };
      }
    }
    // Host strips behind each rail: from the trunk under the bridge to the last port on that rail.
    const byRail = new Map();
    for (const r of rails) {
      const key = r.bridge + '@' + r.y;
      const trunk = positions[r.bridge]?.x ?? r.x;
      const cur = byRail.get(key) ?? { y: r.y, x1: trunk, x2: trunk, lane: r.bridge };
      cur.x1 = Math.min(cur.x1, r.x); cur.x2 = Math.max(cur.x2, r.x);
      byRail.set(key, cur);
    }
    for (const r of byRail.values()) {
      decor.strips.push({ x1: r.x1 - maxPortH * 0.9, x2: r.x2 + maxPortH * 0.9, y1: r.y - sp.turn, y2: r.y + sp.turn * 1.5 + maxPortH, lane: r.lane, rail: true });
    }
    right = Math.max(right, x - sp.laneGap);
    y = shelfBottom + sp.shelfGap;
  }
  const lanesBottom = y - sp.shelfGap;

  // The top row: the host band with the host's own interfaces (the one routing to the outside world
  // first), host-mode containers and anything without a lane; it spans the picture: it is the host
  // namespace the lanes' blue strips belong to. The outside world sits left of it, in a margin of its
  // own left of the lanes, so the arrows between it and the lanes' NAT gates run in clear space.
  const band = model.band.filter(n => size.has(n.id));
  const externals = model.externals;
  const width = Math.max(right, 600);
  const extW = externals.length ? rowWidth(externals.map(n => size.get(n.id)), sp.itemGap) : 0;
  const bandX1 = 0;
  const bandRows = [];
  let cur = [];
  for (const n of band) {
    const trial = [...cur, n].map(i => size.get(i.id));
    if (cur.length && rowWidth(trial, sp.itemGap) > width - bandX1 - 2 * sp.lanePad) { bandRows.push(cur); cur = []; }
    cur.push(n);
  }
  if (cur.length) bandRows.push(cur);
  const bandH = bandRows.reduce((s, r) => s + Math.max(...r.map(n => size.get(n.id).h)) + sp.itemGap, 0) - (bandRows.length ? sp.itemGap : 0);
  const extH = externals.length ? Math.max(...externals.map(n => size.get(n.id).h)) : 0;
  const rowH = Math.max(bandH + 3 * sp.lanePad, extH);
  const bandTop = -(rowH + sp.bandGap);
  let by = bandTop + (rowH - bandH) / 2 + sp.lanePad * 0.5;
  for (const r of bandRows) {
    const rh = Math.max(...r.map(n => size.get(n.id).h));
    let bx = bandX1 + sp.lanePad * 2;
    for (const n of r) { const s = size.get(n.id); positions[n.id] = { x: bx + s.w / 2, y: by + rh / 2 }; bx += s.w + sp.itemGap; }
    by += rh + sp.itemGap;
  }
  decor.band = { x1: bandX1 - sp.lanePad, x2: width + sp.lanePad, y1: bandTop, y2: bandTop + rowH, title: model.host?.label ?? 'host' };
  if (externals.length) {
    let ex = -sp.lanePad - sp.laneGap - extW;
    for (const n of externals) { const s = size.get(n.id); positions[n.id] = { x: ex + s.w / 2, y: bandTop + rowH / 2 }; ex += s.w + sp.itemGap; }
  }
  const egress = egressRoutes(model, positions, gutterOf, sp);

  const all = Object.entries(positions).map(([id, p]) => {
    const s = size.get(id) ?? { w: 40, h: 30 };
    return { x1: p.x - s.w / 2, x2: p.x + s.w / 2, y1: p.y - s.h / 2, y2: p.y + s.h / 2 };
  });
  const items = union(all);
  for (const l of decor.lanes) all.push(l);
  if (decor.band) all.push(decor.band);
  const bounds = union(all);
  bounds.y2 = Math.max(bounds.y2, lanesBottom);
  // items: what the nodes cover (a host box in a hub grows from it to the bounds, decor included).
  return { positions, tileBoxes, turns, egress, decor, bounds, items };
}

/**
 * The arrows between a lane's NAT gate and the outside world (MASQUERADE out, DNAT in), routed as a network
 * diagram draws them: straight up (or down) between the gate and the clear gutter above its shelf, along
 * that gutter to the margin left of the lanes, and up that margin to the outside world, instead of
 * diagonals across other lanes. Returns, per edge id, the taxi turn (its distance from the edge's source
 * centre, in model units) and the direction; arrows sharing a gutter are spread a little apart.
 */
function egressRoutes(model, positions, gutterOf, sp) {
  const routes = {};
  const byGutter = new Map();
  for (const e of model.edges) {
    if (e.kind !== 'nat') continue;
    const fromOutside = model.nodes.get(e.source)?.kind === 'external';
    const gate = fromOutside ? e.target : e.source;
    const outside = fromOutside ? e.source : e.target;
    if (model.nodes.get(outside)?.kind !== 'external' || !model.gateLane.has(gate)) continue;
    const gutter = gutterOf.get(model.gateLane.get(gate));
    if (gutter === undefined || !positions[gate] || !positions[outside]) continue;
    const list = byGutter.get(gutter) ?? [];
    list.push({ e, gate, outside, fromOutside });
    byGutter.set(gutter, list);
  }
  for (const [gutter, list] of byGutter) {
    // The one nearest the margin runs lowest (largest y), each further one higher, so an arrow's horizontal run
    // passes above the vertical legs of the gates it passes, never across them.
    list.sort((a, b) => positions[a.gate].x - positions[b.gate].x);
    const step = Math.min(6, (sp.shelfGap * 0.6) / Math.max(1, list.length));
    list.forEach((r, i) => {
      const y = gutter - (i - (list.length - 1) / 2) * step;
      const source = positions[r.fromOutside ? r.outside : r.gate];
      routes[r.e.id] = r.fromOutside ? { turn: y - source.y, dir: 'downward' } : { turn: source.y - y, dir: 'upward' };
    });
  }
  return routes;
}

/** The smallest box around every rectangle; all zero when there is none. */
function union(rects) {
  const b = rects.reduce((b, r) => ({ x1: Math.min(b.x1, r.x1), x2: Math.max(b.x2, r.x2), y1: Math.min(b.y1, r.y1), y2: Math.max(b.y2, r.y2) }),
    { x1: Infinity, x2: -Infinity, y1: Infinity, y2: -Infinity });
  return Number.isFinite(b.x1) ? b : { x1: 0, x2: 0, y1: 0, y2: 0 };
}

// ---- several hosts (a hub): one lanes picture per host box, the boxes tiled ---------------------

/** Room around a host's picture: its box's padding (graph-style.js node.kind-host) and its title above it. */
function hostMargins(projector) {
  const pad = projector ? 40 : 28;
  return { pad, title: projector ? 44 : 28, gap: projector ? 90 : 60 };
}

/**
 * The visible elements of each host box (node kind "host"), hosts in natural order of their labels, or null when
 * there is none (a single NetViz). Each group is read as one host's picture: its namespaces are top-level to it.
 */
export function hostGroups(visible) {
  const hosts = visible.nodes('[kind = "host"]');
  if (hosts.empty()) return null;
  const shown = new Set(visible.map(e => e.id()));
  return hosts.map(h => {
    const nodes = h.descendants().filter(n => shown.has(n.id()));
    const eles = nodes.union(nodes.connectedEdges().filter(e => shown.has(e.id())));
    return { id: h.id(), label: String(h.data('label') ?? h.id()), ele: h, eles };
  }).sort((a, b) => natural(a.label, b.label) || natural(a.id, b.id));
}

/**
 * Plans every host's lanes. Each host is planned for the aspect ratio of its cell in a grid of hosts tiled to the
 * viewport's (<paramref name="aspect"/>), so that the whole overview, not each host, fills the screen.
 */
export function planHosts(groups, projector, aspect) {
  const n = Math.max(1, groups.length);
  const cols = Math.max(1, Math.min(n, Math.round(Math.sqrt(n * aspect))));
  const rows = Math.ceil(n / cols);
  const cellAspect = aspect * rows / cols;
  const plans = new Map(groups.map(g => [g.id, planLanes(g.model, projector, cellAspect)]));
  const empty = new Set(groups.filter(g => g.model.nodes.size === 0).map(g => g.id));
  return { hosts: plans, empty, cellAspect, aspect, cols: null, filled: 0 };
}

/**
 * Extends each host's plan with what is new. A new host, or one whose box was empty (its agent's first snapshot
 * arrives as one diff), gets a plan of its own: its whole picture is new, nothing in it can jump.
 */
export function extendHosts(plan, groups, projector) {
  for (const g of groups) {
    const own = plan.hosts.get(g.id);
    if (own && !plan.empty.has(g.id)) extendPlan(own, g.model, projector);
    else plan.hosts.set(g.id, planLanes(g.model, projector, plan.cellAspect));
    if (g.model.nodes.size === 0) plan.empty.add(g.id); else plan.empty.delete(g.id);
  }
}

/**
 * Places every host's picture and tiles the host boxes in rows: the column count is the one whose grid, fitted to
 * the viewport's aspect ratio, is drawn largest (chosen once per plan and again only when a host box fills or
 * empties, so a host that grows pushes its neighbours but never reshuffles the grid). Returns placeLanes' shape
 * merged over hosts, plus each host box's size.
 */
export function placeHosts(groups, plan, projector) {
  const mg = hostMargins(projector);
  const placed = groups.map(g => ({ g, r: placeLanes(g.model, plan.hosts.get(g.id), projector) }));
  // A cell: the host's picture (decor included) inside its box's padding, its title on top.
  const cell = ({ r }) => ({ w: r.bounds.x2 - r.bounds.x1 + 2 * mg.pad, h: r.bounds.y2 - r.bounds.y1 + 2 * mg.pad + mg.title });
  const cells = placed.map(cell);
  const grid = cols => {
    const colW = new Array(cols).fill(0);
    const rowH = new Array(Math.ceil(cells.length / cols)).fill(0);
    cells.forEach((c, i) => { colW[i % cols] = Math.max(colW[i % cols], c.w); rowH[Math.floor(i / cols)] = Math.max(rowH[Math.floor(i / cols)], c.h); });
    const W = colW.reduce((a, b) => a + b, 0) + mg.gap * (cols - 1);
    const H = rowH.reduce((a, b) => a + b, 0) + mg.gap * (rowH.length - 1);
    return { colW, rowH, W, H };
  };
  // Chosen again only when a host gains or loses its whole picture (an agent's first snapshot: boxes start empty).
  const filled = groups.filter(g => g.model.nodes.size > 0).length;
  if (plan.cols === null || plan.cols > cells.length || plan.filled !== filled) {
    plan.filled = filled;
    let best = 1, bestScale = -1;
    for (let c = 1; c <= Math.max(1, cells.length); c++) {
      const { W, H } = grid(c);
      const scale = Math.min(plan.aspect / Math.max(1, W), 1 / Math.max(1, H));
      if (scale > bestScale * 1.0001) { best = c; bestScale = scale; }
    }
    plan.cols = best;
  }
  const { colW, rowH } = grid(plan.cols);
  const out = { positions: {}, tileBoxes: {}, turns: {}, egress: {}, decor: { lanes: [], strips: [], band: null, bands: [], captions: [] }, hostBoxes: {} };
  const frames = [];
  placed.forEach(({ g, r }, i) => {
    const col = i % plan.cols;
    const row = Math.floor(i / plan.cols);
    const cx = colW.slice(0, col).reduce((a, b) => a + b, 0) + mg.gap * col;
    const cy = rowH.slice(0, row).reduce((a, b) => a + b, 0) + mg.gap * row;
    // The picture's top-left corner goes inside the box's padding, under the title.
    const dx = cx + mg.pad - r.bounds.x1;
    const dy = cy + mg.title + mg.pad - r.bounds.y1;
    const shift = b => ({ ...b, x1: b.x1 + dx, x2: b.x2 + dx, y1: b.y1 + dy, y2: b.y2 + dy });
    for (const [id, p] of Object.entries(r.positions)) out.positions[id] = { x: p.x + dx, y: p.y + dy };
    Object.assign(out.tileBoxes, r.tileBoxes);
    Object.assign(out.turns, r.turns);
    Object.assign(out.egress, r.egress);
    for (const l of r.decor.lanes) out.decor.lanes.push(shift(l));
    for (const st of r.decor.strips) out.decor.strips.push(shift(st));
    if (r.decor.band) out.decor.bands.push(shift(r.decor.band));
    for (const c of r.decor.captions) out.decor.captions.push({ ...c, x: c.x + dx, y: c.y + dy });
    // The box must hold the decor too (the host band spans the picture): its minimum size is the picture's,
    // the extra put on the side where the decor reaches beyond the nodes (Cytoscape's min-width-bias-*).
    const w = r.bounds.x2 - r.bounds.x1;
    const h = r.bounds.y2 - r.bounds.y1;
    const left = Math.max(0, r.items.x1 - r.bounds.x1);
    const right = Math.max(0, r.bounds.x2 - r.items.x2);
    const top = Math.max(0, r.items.y1 - r.bounds.y1);
    const bottom = Math.max(0, r.bounds.y2 - r.items.y2);
    out.hostBoxes[g.id] = {
      w, h,
      biasLeft: left + right > 0 ? (100 * left) / (left + right) : 50,
      biasTop: top + bottom > 0 ? (100 * top) / (top + bottom) : 50,
    };
    frames.push({ x1: cx, x2: cx + cells[i].w, y1: cy, y2: cy + cells[i].h });
  });
  out.bounds = union(frames);
  return out;
}

/** Where a header item wants to be: a tag over its bridge, a gate over the interface it points at. */
function wantedX(model, id, positions) {
  const n = model.nodes.get(id);
  if (n.kind === 'network') return null;
  const xs = [];
  for (const e of model.edges) {
    if (e.kind !== 'nat' || (e.source !== id && e.target !== id)) continue;
    const other = e.source === id ? e.target : e.source;
    if (model.nodes.get(other)?.kind === 'external') continue;
    if (positions[other]) xs.push(positions[other].x);
  }
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/**
 * Items with a wanted centre x and a width on one line between x1 and x2, in wanted order, without
 * overlap, each as near its wish as the others allow (left to right, then pulled back from the right end).
 */
function sweepInto(items, gap, x1, x2) {
  const sorted = items.slice().sort((a, b) => a.x - b.x);
  let cursor = x1;
  for (const it of sorted) { it.cx = Math.max(it.x, cursor + it.w / 2); cursor = it.cx + it.w / 2 + gap; }
  let limit = x2;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const it = sorted[i];
    if (it.cx + it.w / 2 > limit) it.cx = limit - it.w / 2;
    limit = it.cx - it.w / 2 - gap;
  }
  // The right end may have pushed the first ones past the lane's left edge: then simply pack from the left.
  if (sorted.length && sorted[0].cx - sorted[0].w / 2 < x1 - 0.5) {
    let c = x1;
    for (const it of sorted) { it.cx = c + it.w / 2; c += it.w + gap; }
  }
  return sorted;
}

/** Children of a tile: cabled interfaces in the top row, badges and the rest below, centred. */
function placeTile(model, t, id, cx, top, positions, m, sp) {
  let y = top + m.nsPad;
  t.rows.forEach((row, i) => {
    const sizes = t.rowSizes[i];
    const h = Math.max(...sizes.map(s => s.h));
    let x = cx - rowWidth(sizes, sp.gapX * 0.6) / 2;
    row.forEach((c, k) => { positions[c.id] = { x: x + sizes[k].w / 2, y: y + h / 2 }; x += sizes[k].w + sp.gapX * 0.6; });
    y += h + sp.gapY * 0.7;
  });
  if (!t.rows.length) positions[id] = { x: cx, y: top + t.h / 2 };
}

// ---- 5. measuring the picture ------------------------------------------------------------------

function segmentsCross(a, b) {
  const d = (p, q, r) => (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  const d1 = d(b.p, b.q, a.p); const d2 = d(b.p, b.q, a.q);
  const d3 = d(a.p, a.q, b.p); const d4 = d(a.p, a.q, b.q);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/**
 * Counts crossings between straight segments drawn between node centres (taxi-routed edges by their
 * actual bends): all visible edges, and veth cables against each other.
 */
export function countCrossings(cy) {
  const segs = [];
  for (const e of cy.edges(':visible')) {
    const s = e.source().position();
    const t = e.target().position();
    const kind = e.data('kind');
    let pts = [s, t];
    if (e.pstyle('curve-style').value === 'taxi') {
      const sp = e.segmentPoints?.();
      if (sp && sp.length) pts = [s, ...sp, t];
    }
    for (let i = 0; i + 1 < pts.length; i++) segs.push({ id: e.id(), kind, p: pts[i], q: pts[i + 1], ends: [e.source().id(), e.target().id()] });
  }
  let all = 0;
  let veth = 0;
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const a = segs[i]; const b = segs[j];
      if (a.id === b.id) continue;
      if (a.ends.some(x => b.ends.includes(x))) continue; // sharing an end is touching, not crossing
      if (!segmentsCross(a, b)) continue;
      all++;
      if (a.kind === 'veth' && b.kind === 'veth') veth++;
    }
  }
  return { all, veth, edges: cy.edges(':visible').length };
}
