// Asks again for a page script whose load failed. Chromium cancels the requests in flight when the host's network
// changes (net::ERR_NETWORK_CHANGED), and on a Docker host that is whenever a container starts or stops: a page loaded
// at that moment lost blazor.web.js (or MudBlazor's script, or a module) and never became interactive. Loaded first, as
// a plain script, so that it sees the others fail; each is asked for again up to three times, a little later each time.
// The browser remembers a module that failed by its URL: a retry asks under another one.
const netvizRetryUrl = (url, attempt) => `${url}${url.includes('?') ? '&' : '?'}netviz-retry=${attempt}`;
const netvizRetryDelay = attempt => 250 * attempt;

(() => {
  const tries = new Map();
  window.addEventListener('error', e => {
    const failed = e.target;
    if (!(failed instanceof HTMLScriptElement) || !failed.src) return;
    const url = failed.src.replace(/[?&]netviz-retry=\d+$/, '');
    const attempt = (tries.get(url) ?? 0) + 1;
    if (attempt > 3) return;
    tries.set(url, attempt);
    const again = document.createElement('script');
    for (const a of failed.attributes) if (a.name !== 'src') again.setAttribute(a.name, a.value);
    again.src = failed.type === 'module' ? netvizRetryUrl(url, attempt) : url;
    setTimeout(() => failed.replaceWith(again), netvizRetryDelay(attempt));
  }, true);
})();

// The modules the circuit loads (the graph, the settings store, ...): Blazor's `import` gives up on the first
// cancelled request, so the page imports through this instead (Components/JsModules.cs). The path is resolved against
// the page's base as Blazor's import does (the import map then sends it to the fingerprinted file); a retry asks under
// another URL, as the browser may remember the failed one.
window.netvizImport = async path => {
  const url = new URL(path, document.baseURI).href;
  for (let attempt = 0; ; attempt++) {
    try {
      return await import(attempt === 0 ? url : netvizRetryUrl(url, attempt));
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise(resolve => setTimeout(resolve, netvizRetryDelay(attempt + 1)));
    }
  }
};
