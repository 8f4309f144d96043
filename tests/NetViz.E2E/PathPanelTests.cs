using System.Text.Json;
using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;

namespace NetViz.E2E;

/// <summary>
/// The path panel in real Chromium: pick the host and the outside world, explain, and the verdict shown is the one
/// GET /api/path gives, and the graph marks the path's elements (wwwroot/js/netviz-path.js on the live Cytoscape).
/// Nothing is sent anywhere: an explanation is computed from the rules.
/// </summary>
[Collection(NetVizAppCollection.Name)]
public sealed class PathPanelTests(NetVizAppFixture app)
{
    [Fact]
    public async Task Explaining_host_to_outside_shows_the_api_verdict_and_highlights_the_path()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });

        foreach (var (picker, text) in new[] { ("path-from", "the host"), ("path-to", "the outside world") })
        {
            await page.ClickAsync($"[data-testid={picker}]");
            await page.Locator(".mud-popover-open [role=option]", new PageLocatorOptions { HasTextString = text }).First.ClickAsync();
            await page.Keyboard.PressAsync("Escape");
        }
        await page.ClickAsync("[data-testid=path-explain]");
        var verdict = await page.WaitForSelectorAsync("[data-testid=path-verdict]");

        using var client = app.Server.CreateHttpClient();
        var api = JsonDocument.Parse(await client.GetStringAsync("/api/path?from=host&to=outside&proto=tcp&port=80")).RootElement;
        Assert.Equal(api.GetProperty("verdict").GetString(), await verdict!.GetAttributeAsync("data-verdict"));
        Assert.Equal(api.GetProperty("hops").GetArrayLength(), await page.Locator("[data-testid=path-hop]").CountAsync());
        var marked = await page.EvaluateAsync<int>("() => window.netvizCy.elements('.nv-path').length");
        Assert.True(marked > 0, "no graph element carries the nv-path class");

        await page.ClickAsync("[data-testid=path-clear]");
        await page.WaitForFunctionAsync("() => window.netvizCy.elements('.nv-path').length === 0");
    }
}
