// The Topology page's graph, fetched while Blazor starts (GET api/graph: the elements of one snapshot and its
// sequence). The graph module draws it (adoptPrefetched) when the circuit's first reset names the same sequence, so
// the first picture does not wait for the same 400 KiB to come over the circuit; otherwise the circuit's reset draws.
// Only on the Topology page (the base path): other pages need no graph.
(() => {
  const base = new URL(document.baseURI).pathname;
  if (location.pathname !== base) return;
  window.netvizGraphPrefetch = fetch('api/graph', { headers: { Accept: 'application/json' }, cache: 'no-store' })
    .then(r => (r.ok ? r.json() : null))
    .catch(() => null);
})();
