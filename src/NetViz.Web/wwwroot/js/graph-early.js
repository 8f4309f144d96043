// The Topology page's first picture before the Blazor circuit exists. The page is prerendered, so the graph's area is
// in the first HTML; this module (deferred: it runs once the HTML is parsed) imports the graph bundle and draws the
// elements graph-prefetch.js is fetching, with the settings the circuit will read (localStorage, the URL's ?show= and
// ?lesson=). The circuit replaces the prerendered DOM when it starts; the page's create() then adopts this instance
// into its own container (netviz-graph.js startEarly/_adopt): one picture, laid out once.
const base = new URL(document.baseURI).pathname;
const area = document.querySelector('[data-testid="graph"]');
if (location.pathname === base && area && window.netvizGraphPrefetch) {
  // The same URLs the page imports, so both get the same module instances.
  const at = path => new URL(path, document.baseURI).href;
  const [graph, settings] = await Promise.all([import(at('js/netviz-graph.bundle.js')), import(at('js/netviz-settings.js'))]);
  const loaded = settings.load();
  let saved = {};
  try {
    const parsed = loaded.json ? JSON.parse(loaded.json) : null;
    if (parsed && typeof parsed === 'object') saved = parsed;
  } catch {
    // Unreadable: the circuit runs with the defaults too (DashboardSettingsStore.Parse).
  }
  // DashboardSettings' defaults; a phone starts with the panel closed; projector mode folds it (as the circuit does).
  const flag = (name, fallback) => (typeof saved[name] === 'boolean' ? saved[name] : fallback);
  const panelOpen = flag('panelOpen', true) && !loaded.narrow;
  const query = new URLSearchParams(location.search);
  const lesson = query.get('lesson') === '1';
  const show = query.get('show') || null;
  let words;
  try {
    words = JSON.parse(area.getAttribute('data-graph-words') || 'null') ?? undefined;
  } catch {
    words = undefined;
  }
  // With the side panel closed the graph takes the page's whole width (Topology.razor.css).
  const frame = panelOpen ? area : area.closest('[data-testid="topology"]') ?? area;
  const r = frame.getBoundingClientRect();
  // The imports take a while on a cold or busy browser: by now the circuit may have replaced the prerendered DOM
  // (a detached area measures 0 x 0). Then the circuit draws the first picture; a graph laid out in no space would not.
  if (area.isConnected && r.width > 0 && r.height > 0) graph.startEarly({ left: r.left + window.scrollX, top: r.top + window.scrollY, width: r.width, height: r.height }, {
    theme: flag('dark', false) ? 'dark' : 'light',
    projector: flag('projector', false),
    layout: typeof saved.layout === 'string' ? saved.layout : undefined,
    filter: { hideLoopback: flag('hideLoopback', true) && !lesson, hideHostDevices: flag('hideHostDevices', false), hideNat: flag('hideNat', false) && !lesson, focus: show },
    words,
  });
}
