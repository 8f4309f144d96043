using System.Net;
using System.Text;
using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;
using Xunit.Abstractions;

namespace NetViz.E2E;

/// <summary>
/// The published app, run the way ./run.sh runs it, serves its page and static assets and opens
/// an interactive Blazor Server circuit in a real Chromium.
/// </summary>
[Collection(NetVizAppCollection.Name)]
public sealed class SmokeTests(NetVizAppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Home_page_is_served_as_html_that_loads_blazor()
    {
        using var client = app.Server.CreateHttpClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("_framework/blazor.web", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("_framework/blazor.web.js", "text/javascript")]
    [InlineData("_content/MudBlazor/MudBlazor.min.css", "text/css")]
    [InlineData("js/netviz-graph.bundle.js", "text/javascript")]
    public async Task Static_asset_is_served_in_production_exactly_as_published(string path, string mediaType)
    {
        using var client = app.Server.CreateHttpClient();

        using var response = await client.GetAsync(path);

        // In Production a broken static-asset setup answers 500 or falls through to the HTML
        // page router: comparing bytes with the published file tells the two apart.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var published = await File.ReadAllBytesAsync(Path.Combine(app.Server.PublishDirectory, "wwwroot", path));
        Assert.Equal(published, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>
    /// Chromium cancels the requests in flight when the host's network changes (net::ERR_NETWORK_CHANGED), which on a
    /// Docker host happens whenever a container starts or stops: a page that lost blazor.web.js that way never became
    /// interactive (seen in a full run: the graph never got ready). The first request of Blazor's and MudBlazor's scripts fails here.
    /// </summary>
    [Fact]
    public async Task A_page_whose_scripts_fail_to_load_once_asks_again_and_becomes_interactive()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        var failedOnce = new HashSet<string>();
        await page.RouteAsync(url => url.Contains("/_framework/blazor.web.") || url.Contains("/_content/MudBlazor/MudBlazor.min.") && url.EndsWith(".js"), async route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            if (failedOnce.Add(path)) await route.AbortAsync("internetdisconnected");
            else await route.ContinueAsync();
        });

        await page.GotoAsync("/");

        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        output.WriteLine("refused once: " + string.Join(", ", failedOnce));
        Assert.Equal(2, failedOnce.Count); // each was refused once: what is tested did happen
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.Blazor === 'object' && typeof window.mudElementRef === 'object'"));
        Assert.False(await page.Locator("#blazor-error-ui").IsVisibleAsync());
    }

    /// <summary>
    /// The same for the modules the circuit imports (the graph's bundle, the settings store): here the network "changes"
    /// while the circuit's imports are in flight. Every request for those files fails until the circuit's socket is open
    /// (so the early picture cannot draw them either), then the next one for each file fails too: without asking again
    /// the page showed "The graph could not be drawn".
    /// </summary>
    [Fact]
    public async Task A_page_whose_modules_fail_to_load_asks_again_and_draws_the_graph()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        var circuitOpen = false;
        page.WebSocket += (_, socket) => { if (socket.Url.Contains("/_blazor", StringComparison.Ordinal)) circuitOpen = true; };
        var refused = new List<string>();
        var refusedAfterOpen = new HashSet<string>();
        await page.RouteAsync(url => url.Contains("/js/netviz-graph.bundle.") || url.Contains("/js/netviz-settings."), async route =>
        {
            var file = Path.GetFileName(new Uri(route.Request.Url).AbsolutePath).Split('.')[0];
            if (!circuitOpen || refusedAfterOpen.Add(file)) { refused.Add(route.Request.Url); await route.AbortAsync("internetdisconnected"); }
            else await route.ContinueAsync();
        });

        await page.GotoAsync("/");

        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true], [data-testid=graph-error]");
        output.WriteLine("refused: " + string.Join(", ", refused));
        Assert.Equal(0, await page.Locator("[data-testid=graph-error]").CountAsync());
        // What is tested did happen: the circuit's own import of the graph was refused once.
        Assert.Contains("netviz-graph", refusedAfterOpen);
        Assert.True(await page.EvaluateAsync<int>("() => document.querySelectorAll('[data-testid=graph] canvas').length") > 0);
    }

    [Fact]
    public async Task Home_page_opens_an_interactive_Blazor_circuit_in_chromium()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, error) => pageErrors.Add(error);
        var circuitSocket = BlazorCircuitProbe.Attach(page);
        var negotiate = page.WaitForResponseAsync(r => r.Url.Contains("/_blazor/negotiate"));

        var response = await page.GotoAsync("/");

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Equal(200, (await negotiate).Status);
        await page.WaitForFunctionAsync("() => typeof window.Blazor === 'object'");
        // The server pushes a render batch over the circuit's socket only once the circuit
        // is up and the interactive root component has rendered.
        await circuitSocket.RenderBatchReceived.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(await page.Locator("#blazor-error-ui").IsVisibleAsync());
        Assert.Empty(pageErrors);

        var screenshot = await Screenshots.SaveAsync(page, "smoke-home");
        output.WriteLine($"screenshot: {screenshot}");
    }
}
