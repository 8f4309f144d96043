using Microsoft.JSInterop;

namespace NetViz.Web.Components;

/// <summary>
/// Loads the page's JavaScript modules through <c>window.netvizImport</c> (wwwroot/js/script-retry.js) rather than
/// Blazor's plain <c>import</c>: on a Docker host Chromium cancels the requests in flight whenever a container starts
/// or stops (net::ERR_NETWORK_CHANGED), and a module whose one request was cancelled left the page without its graph.
/// The helper asks again up to three times, a little later each time, then fails as <c>import</c> does.
/// </summary>
public static class JsModules
{
    /// <summary>The page function that imports with retries (defined by script-retry.js, loaded first).</summary>
    public const string Import = "netvizImport";

    /// <summary>The module at <paramref name="path"/> (relative to the page's base, as for Blazor's <c>import</c>).</summary>
    public static ValueTask<IJSObjectReference> ImportModuleAsync(this IJSRuntime js, string path) =>
        js.InvokeAsync<IJSObjectReference>(Import, path);
}
