// The packet-path overlay (issue 12): highlights, on the graph instance netviz-graph.js created, the nodes a
// path explanation names and the cables between them, the current hop brighter, the stop in red. A separate
// plain module (no bundling): it only adds and removes its own classes and styles on the instance's `cy`.

const PATH = 'nv-path';
const CURRENT = 'nv-path-current';
const STOP = 'nv-path-stop';
const DIM = 'nv-path-dim';

const styled = new WeakSet();

function ensureStyle(cy) {
  if (styled.has(cy)) return;
  styled.add(cy);
  cy.style()
    .selector(`node.${PATH}`).style({ 'border-width': 4, 'border-color': '#1e88e5', 'border-opacity': 1 })
    .selector(`edge.${PATH}`).style({ 'line-color': '#1e88e5', 'target-arrow-color': '#1e88e5', width: 5, 'z-index': 90 })
    .selector(`.${CURRENT}`).style({ 'border-color': '#ffb300', 'line-color': '#ffb300', 'border-width': 6, 'z-index': 99 })
    .selector(`.${STOP}`).style({ 'border-color': '#e53935', 'line-color': '#e53935', 'border-width': 6, 'z-index': 99 })
    .selector(`.${DIM}`).style({ opacity: 0.25 })
    .update();
}

function cyOf(graph) {
  const cy = graph && graph.cy;
  if (!cy || typeof cy.batch !== 'function') throw new Error('netviz-path: not a graph instance');
  return cy;
}

/** Node ids to a collection: the nodes themselves and every cable whose two ends are both on the path. */
function pathElements(cy, ids) {
  const set = new Set(ids || []);
  const nodes = cy.nodes().filter(n => set.has(n.id()));
  const edges = nodes.connectedEdges().filter(e => set.has(e.source().id()) && set.has(e.target().id()));
  return nodes.union(edges);
}

/**
 * Shows a path: `all` are the node ids of every hop, `current` those of the hop being read, `stop` those of the
 * hop where the packet stops (or empty). Everything else is dimmed, not hidden, so the picture does not move.
 */
export function show(graph, all, current, stop) {
  const cy = cyOf(graph);
  ensureStyle(cy);
  cy.batch(() => {
    cy.elements().removeClass([PATH, CURRENT, STOP, DIM].join(' '));
    const path = pathElements(cy, all);
    if (path.empty()) return;
    cy.elements().not(path).not(path.ancestors()).addClass(DIM);
    path.addClass(PATH);
    pathElements(cy, current).addClass(CURRENT);
    pathElements(cy, stop).addClass(STOP);
  });
  return pathElements(cy, all).nodes().length;
}

/** Removes the overlay. */
export function clear(graph) {
  const cy = cyOf(graph);
  cy.batch(() => cy.elements().removeClass([PATH, CURRENT, STOP, DIM].join(' ')));
}
