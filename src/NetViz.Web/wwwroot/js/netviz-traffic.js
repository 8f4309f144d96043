// Traffic on the wires (issue 12): draws each cable wider with the bytes per second through the interface at
// either end (log scale, 1.5 px idle to 12 px at 100 MB/s). A plain module working on the instance's `cy`;
// it only sets and removes its own per-element width.

const MIN = 1.5, MAX = 12;

function width(bytesPerSecond) {
  if (!(bytesPerSecond > 0)) return null;
  // 1 KB/s -> thin, 100 MB/s -> MAX.
  const t = Math.min(1, Math.max(0, (Math.log10(bytesPerSecond) - 3) / 5));
  return MIN + t * (MAX - MIN);
}

const touched = new WeakMap();

/** `rates`: [{ id: interface node id, bps: bytes per second both ways }]. Cables of idle interfaces get their width back. */
export function show(graph, rates) {
  const cy = graph && graph.cy;
  if (!cy) return 0;
  const byId = new Map((rates || []).map(r => [r.id, r.bps]));
  const previous = touched.get(cy) || new Set();
  const now = new Set();
  cy.batch(() => {
    for (const [id, bps] of byId) {
      const node = cy.getElementById(id);
      if (node.empty()) continue;
      const w = width(bps);
      if (w === null) continue;
      node.connectedEdges('[kind = "veth"], [kind = "bridge-port"], [kind = "route"]').forEach(e => {
        e.style('width', w);
        e.data('trafficBps', bps);
        now.add(e.id());
      });
    }
    for (const id of previous) {
      if (now.has(id)) continue;
      const e = cy.getElementById(id);
      if (e.nonempty()) { e.removeStyle('width'); e.removeData('trafficBps'); }
    }
  });
  touched.set(cy, now);
  return now.size;
}
