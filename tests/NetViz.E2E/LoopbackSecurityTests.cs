using System.Net;
using NetViz.E2E.Infrastructure;
using static NetViz.E2E.Infrastructure.SecurityProbe;

namespace NetViz.E2E;

/// <summary>
/// The default loopback bind (./run.sh): no login, as before; but another site's name in Host (DNS rebinding) gets
/// 400, another site's page cannot open the Blazor hub, and every response carries the security headers.
/// </summary>
[Collection(NetVizAppCollection.Name)]
public sealed class LoopbackSecurityTests(NetVizAppFixture app)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/topology")]
    [InlineData("/api/graph")]
    [InlineData("/_framework/blazor.web.js")]
    public async Task A_rebinding_host_name_gets_400_while_loopback_names_get_the_content(string path)
    {
        using var client = app.Server.CreateHttpClient();
        using var attacker = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = "attacker.example" } };
        using var refused = await client.SendAsync(attacker);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsByteArrayAsync());

        foreach (var host in new[] { "localhost", "127.0.0.1", "[::1]" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = $"{host}:{app.Server.BaseAddress.Port}" } };
            using var ok = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task The_blazor_hub_refuses_a_websocket_from_another_origin_and_accepts_its_own()
    {
        using var client = app.Server.CreateHttpClient();
        var own = app.Server.BaseAddress.GetLeftPart(UriPartial.Authority);

        Assert.Equal(403, await WebSocketUpgradeStatusAsync(app.Server.BaseAddress, $"/_blazor?id={await NegotiateBlazorAsync(client)}", "http://evil.example"));
        Assert.Equal(403, await WebSocketUpgradeStatusAsync(app.Server.BaseAddress, $"/_blazor?id={await NegotiateBlazorAsync(client)}", "null"));
        // Same port on another loopback name is another origin too.
        Assert.Equal(403, await WebSocketUpgradeStatusAsync(app.Server.BaseAddress, $"/_blazor?id={await NegotiateBlazorAsync(client)}", $"http://localhost:{app.Server.BaseAddress.Port}"));
        Assert.Equal(101, await WebSocketUpgradeStatusAsync(app.Server.BaseAddress, $"/_blazor?id={await NegotiateBlazorAsync(client)}", own));
    }

    [Fact]
    public async Task A_cross_origin_fetch_of_the_api_is_refused()
    {
        using var client = app.Server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { { "Origin", "http://evil.example" } } };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertSecurityHeaders(response, "403");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/nat")]
    [InlineData("/api/topology")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("/js/netviz-graph.bundle.js")]
    [InlineData("/no-such-page")]
    public async Task Every_response_carries_the_security_headers_and_needs_no_login_on_loopback(string path)
    {
        using var client = app.Server.CreateHttpClient();
        using var response = await client.GetAsync(path);
        Assert.Equal(path == "/no-such-page" ? HttpStatusCode.NotFound : HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(path, response.RequestMessage!.RequestUri!.AbsolutePath); // not sent to a login page
        AssertSecurityHeaders(response, path);
    }

    [Fact]
    public async Task The_event_stream_carries_the_security_headers()
    {
        using var client = app.Server.CreateHttpClient();
        using var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(response, "/api/events");
    }

    [Fact]
    public async Task The_dashboard_renders_its_graph_and_pages_in_chromium_without_a_CSP_violation()
    {
        await using var context = await app.NewContextAsync();
        var violations = await WatchCspViolationsAsync(context);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);

        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        Assert.True(await page.EvaluateAsync<int>("() => window.netvizCy.nodes().length") > 0);
        // The same circuit navigates to the table pages (enhanced navigation) and back.
        await page.ClickAsync("a[href='nat']");
        await page.WaitForSelectorAsync("[data-testid=nat-chain]");
        await page.ClickAsync("a[href='containers']");
        await page.WaitForSelectorAsync("text=Containers");
        await AssertNoViolationAndInlineScriptRefusedAsync(page, violations);
    }
}
