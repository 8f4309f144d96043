// Focus: which part of the host the graph shows. Everything else is hidden (not dimmed), so FIT and
// the layout work on what is shown.
//
//   null / ''            everything
//   'lesson'             the lesson's cases: the default bridge (docker0) and bridges made by hand with
//                        their namespaces, --network none containers, host-mode containers, the host's
//                        own interfaces and the outside world
//   'selection'          the selected element, its box and its neighbours (see below)
//   a network id         that Docker network's bridge lane
//   a bridge id          that bridge's lane (Docker's or one made with ip link)
//   a netns id           that namespace, the ports and bridges it is cabled to, their NAT rules
//   any other element    it, its neighbours and their boxes (a host-mode container, a NAT rule, ...)
//   a, b, c              what any of them shows
//
// Context that is always kept: the outside world and the host's physical interfaces (where NAT sends
// traffic), and the parents of everything shown (a box must be displayed for its children to be).

const isBridge = n => n.data('kind') === 'interface' && n.data('type') === 'bridge';

const isHostNetns = n => n.data('kind') === 'netns' && (n.data('isHost') === true || n.hasClass('host'));

function topBox(node) {
  let p = node;
  // In a hub's graph every box sits in a host box: the top box is the one just inside it.
  while (p.parent().nonempty() && p.parent().data('kind') !== 'host') p = p.parent();
  return p;
}

/** The bridge a network tag is attached to. */
function bridgeOfNetwork(net) {
  return net.connectedEdges('[kind = "network-bridge"]').connectedNodes().filter(isBridge);
}

function natAround(cy, eles) {
  return eles.connectedEdges('[kind = "nat"]').connectedNodes('[kind = "nat-rule"]');
}

function context(cy) {
  return cy.nodes('[kind = "external"]').union(cy.nodes('.host-device'));
}

/** A bridge, its network tags, ports, the namespaces cabled to those ports and their NAT rules. */
export function laneOf(cy, bridge) {
  const ports = bridge.connectedEdges('[kind = "bridge-port"]').connectedNodes().not(bridge);
  const peers = ports.connectedEdges('[kind = "veth"]').connectedNodes().not(ports);
  const boxes = peers.map(topBox).filter(b => !isHostNetns(b));
  let set = bridge.union(ports).union(peers);
  for (const b of boxes) set = set.union(b).union(b.descendants());
  set = set.union(bridge.connectedEdges('[kind = "network-bridge"]').connectedNodes());
  return set.union(natAround(cy, set));
}

/** A namespace box, its contents, the host ports it is cabled to and their bridges with tags and NAT. */
export function boxOf(cy, box) {
  let set = box.union(box.descendants());
  const ports = set.connectedEdges('[kind = "veth"]').connectedNodes().not(set);
  const bridges = ports.connectedEdges('[kind = "bridge-port"]').connectedNodes().filter(isBridge);
  set = set.union(ports).union(bridges).union(bridges.connectedEdges('[kind = "network-bridge"]').connectedNodes());
  return set.union(natAround(cy, set));
}

/** The nodes a focus shows, or null for everything. */
export function focusNodes(cy, focus, selectedId) {
  if (!focus) return null;
  // Several at once, comma-separated (a link to "these networks"): what any of them shows.
  if (focus.includes(',')) {
    let union = cy.collection();
    for (const part of focus.split(',').map(p => p.trim()).filter(Boolean)) union = union.union(focusNodes(cy, part, selectedId) ?? cy.collection());
    return union;
  }
  let set;
  const host = cy.getElementById(focus);
  if (host.nonempty() && host.data('kind') === 'host') {
    // A host filter (hub): that host's box and everything in it, nothing of the other hosts.
    return host.union(host.descendants());
  }
  if (focus === 'lesson') {
    const bridges = cy.nodes('[kind = "interface"][type = "bridge"]').filter(b =>
      String(b.data('label') ?? '').startsWith('docker0') || b.connectedEdges('[kind = "network-bridge"]').empty());
    set = cy.collection();
    for (const b of bridges) set = set.union(laneOf(cy, b));
    // --network none (and any namespace without a cable) and host-mode containers.
    for (const box of cy.nodes('[kind = "netns"]').filter(n => !isHostNetns(n) && n.parent().empty())) {
      if (box.descendants('[kind = "interface"]').connectedEdges('[kind = "veth"]').empty()) set = set.union(box).union(box.descendants());
    }
    set = set.union(cy.nodes('.mode-host')).union(cy.nodes('[kind = "interface"]').filter(n => isHostNetns(n.parent()) && n.data('type') !== 'bridge' && n.data('type') !== 'veth'));
  } else {
    const id = focus === 'selection' ? selectedId : focus;
    const ele = id ? cy.getElementById(id) : cy.collection();
    if (ele.empty()) return focus === 'selection' ? null : cy.collection();
    set = neighbourhoodOf(cy, ele.isEdge() ? ele.connectedNodes() : ele);
  }
  set = set.union(context(cy));
  // Parents of what is shown are shown (a hidden box hides its children).
  return set.union(set.ancestors());
}

function neighbourhoodOf(cy, eles) {
  let set = cy.collection();
  for (const n of eles) {
    const kind = n.data('kind');
    if (kind === 'network') {
      const b = bridgeOfNetwork(n);
      set = set.union(n).union(b.nonempty() ? laneOf(cy, b[0]) : cy.collection());
    } else if (isBridge(n)) {
      set = set.union(laneOf(cy, n));
    } else if (kind === 'netns' && !isHostNetns(n)) {
      set = set.union(boxOf(cy, n));
    } else if (n.parent().nonempty() && !isHostNetns(topBox(n))) {
      set = set.union(boxOf(cy, topBox(n)));
    } else {
      // A host interface, a host-mode container, a NAT rule, the outside world: it and its neighbours,
      // with the boxes of neighbours that live in one.
      set = set.union(n).union(n.neighborhood().nodes());
      for (const o of n.neighborhood().nodes()) {
        const box = topBox(o);
        if (!isHostNetns(box) && box.data('kind') === 'netns') set = set.union(boxOf(cy, box));
      }
    }
  }
  return set;
}
