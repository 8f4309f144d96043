using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;
using NetViz.Testing;

namespace NetViz.E2E;

/// <summary>
/// A hub over two real agents (published app, agent mode, each with its token) in real Chromium: one box per host
/// holding that host's namespaces in lanes, side by side, and a host that dies greyed in place.
/// </summary>
public sealed class HubDashboardTests
{
    private const string Token = "nvhost-e2e-token-0123456789";
    private const float Patience = 60_000;

    private static Task<PublishedNetVizServer> StartAgentAsync() => PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(
        Arguments: ["--NetViz:Mode=Agent", "--NetViz:Auth=Token", $"--NetViz:AuthToken={Token}"]));

    [Fact]
    public async Task Each_host_is_its_own_box_around_its_namespaces_and_a_dead_agent_greys_its_box()
    {
        await using var alpha = await StartAgentAsync();
        var beta = await StartAgentAsync();
        await using var hub = await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(Arguments: [
            "--NetViz:Agents:0:Name=alpha", $"--NetViz:Agents:0:Url={alpha.BaseAddress}", $"--NetViz:Agents:0:Token={Token}",
            "--NetViz:Agents:1:Name=beta", $"--NetViz:Agents:1:Url={beta.BaseAddress}", $"--NetViz:Agents:1:Token={Token}",
            "--NetViz:AgentRetryMax=00:00:01"]));
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await ChromiumBrowser.LaunchAsync(playwright);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = hub.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
            page.SetDefaultTimeout(Patience);
            await page.GotoAsync("/");
            await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
            await page.WaitForFunctionAsync("() => window.netvizCy.nodes('[kind = \"host\"]').length === 2"
                + " && ['alpha', 'beta'].every(h => window.netvizCy.getElementById('host:' + h).children('[kind = \"netns\"]').length > 0)");

            // Every namespace sits in the box of the host its id names.
            var misplaced = await page.EvaluateAsync<string[]>(
                "() => window.netvizCy.nodes('[kind = \"netns\"]').filter(n => n.parent().id() !== 'host:' + n.id().split('/')[0]).map(n => n.id())");
            Assert.Empty(misplaced);
            await Screenshots.SaveAsync(page, "hub-two-hosts");
            // The two boxes do not overlap: a reader sees two hosts, not one tangle.
            var overlap = await page.EvaluateAsync<bool>(
                "() => { const [a, b] = ['host:alpha', 'host:beta'].map(id => window.netvizCy.getElementById(id).boundingBox());"
                + " return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }");
            Assert.False(overlap);
            // Each box holds its own lanes picture (lanes-layout.js placeHosts), not fcose's: two tall host pictures on a
            // wide screen are tiled side by side, tops aligned, in the hosts' order.
            var tiled = await page.EvaluateAsync<bool>(
                "() => { const [a, b] = ['host:alpha', 'host:beta'].map(id => window.netvizCy.getElementById(id));"
                + " const [ba, bb] = [a.boundingBox(), b.boundingBox()];"
                + " return a.hasClass('nv-lanes') && b.hasClass('nv-lanes') && ba.x2 < bb.x1 && Math.abs(ba.y1 - bb.y1) < 1; }");
            Assert.True(tiled);

            // The host filter: only alpha's box and what it holds.
            await page.GotoAsync("/?show=host:alpha");
            await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
            await page.WaitForFunctionAsync("() => window.netvizCy.nodes().filter(n => !n.hasClass('nv-hidden')).length > 0"
                + " && window.netvizCy.nodes().filter(n => !n.hasClass('nv-hidden')).every(n => n.id() === 'host:alpha' || n.id().startsWith('alpha/'))"
                + " && window.netvizCy.getElementById('host:beta').hasClass('nv-hidden')");
            await Screenshots.SaveAsync(page, "hub-host-filter");
            await page.GotoAsync("/");
            await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");

            await beta.DisposeAsync();
            await page.WaitForFunctionAsync("() => window.netvizCy.getElementById('host:beta').hasClass('down')"
                + " && window.netvizCy.getElementById('host:beta').data('label').includes('unreachable')");
            Assert.False(await page.EvaluateAsync<bool>("() => window.netvizCy.getElementById('host:alpha').hasClass('down')"));
            Assert.True(await page.EvaluateAsync<bool>("() => window.netvizCy.getElementById('host:beta').children('[kind = \"netns\"]').length > 0"));
            await Screenshots.SaveAsync(page, "hub-host-unreachable");
        }
        finally
        {
            await beta.DisposeAsync();
        }
    }
}
