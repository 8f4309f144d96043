using NetViz.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;
using static NetViz.E2E.Infrastructure.SecurityProbe;

namespace NetViz.E2E;

/// <summary>NetViz started with --urls http://0.0.0.0:PORT, as a team screen; every request goes to 127.0.0.1 only.</summary>
public sealed class ExposedServerFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public PublishedNetVizServer Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The login URL the app printed, its host replaced by 127.0.0.1 (the tests never leave loopback).</summary>
    public Uri LoginUrl { get; private set; } = null!;

    /// <summary>The token from that URL.</summary>
    public string Token { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(BindHost: "0.0.0.0"));
        var printed = await Server.WaitForLogAsync(new Regex(@"Login: http://(?<host>[^\s/:]+):(?<port>\d+)/login\?t=(?<token>[0-9a-f]{32})\b"), TimeSpan.FromSeconds(30));
        Assert.Equal(Server.BaseAddress.Port.ToString(), printed.Groups["port"].Value);
        Token = printed.Groups["token"].Value;
        LoginUrl = new Uri(Server.BaseAddress, $"/login?t={Token}");
        _playwright = await Playwright.CreateAsync();
        Browser = await ChromiumBrowser.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Bound beyond loopback, every request needs the token: pages redirect to a login page, the API, the event
/// stream, the Blazor hub and static files answer 401; the printed login URL gives a cookie, Bearer works for the
/// API, wrong tokens are rate-limited per address.
/// </summary>
public sealed class ExposedServerTests(ExposedServerFixture app) : IClassFixture<ExposedServerFixture>
{
    private HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = app.Server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    [Theory]
    [InlineData("/api/topology")]
    [InlineData("/api/graph")]
    [InlineData("/api/events")]
    [InlineData("/api/history")]
    [InlineData("/api/history?episode=1&format=text")]
    [InlineData("/culture?c=ko&r=/")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/js/netviz-graph.bundle.js")]
    public async Task Without_a_token_the_api_the_stream_and_static_files_answer_401(string path)
    {
        using var client = Client();
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"NetViz\"", response.Headers.WwwAuthenticate.ToString());
        AssertSecurityHeaders(response, path);
    }

    [Fact]
    public async Task Without_a_token_the_blazor_hub_refuses_to_negotiate()
    {
        using var client = Client();
        using var response = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_a_page_leads_to_the_login_page()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/nat") { Headers = { { "Accept", "text/html" } } };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/login", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("?returnUrl=%2Fnat", response.RequestMessage.RequestUri.Query);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"login-form\"", html);
        Assert.DoesNotContain("_framework/blazor.web", html); // nothing of the dashboard before login
        Assert.DoesNotContain("<script", html);
        AssertSecurityHeaders(response, "/login");
    }

    [Fact]
    public async Task The_printed_login_url_sets_an_httponly_strict_cookie_that_opens_the_pages_the_api_and_the_hub()
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        using var login = await client.GetAsync(app.LoginUrl);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("netviz_auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("http-equiv=\"refresh\" content=\"0;url=/\"", await login.Content.ReadAsStringAsync());

        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("_framework/blazor.web", await page.Content.ReadAsStringAsync());
        using var api = await client.GetAsync("/api/topology");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        AssertSecurityHeaders(api, "/api/topology");
        var cookie = cookies.GetCookieHeader(app.Server.BaseAddress);
        var own = app.Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Equal(101, await WebSocketUpgradeStatusAsync(app.Server.BaseAddress, $"/_blazor?id={await NegotiateBlazorAsync(client)}", own, cookie));
        // The cookie does not make another site's page welcome.
        Assert.Equal(403, await WebSocketUpgradeStatusAsync(app.Server.BaseAddress, $"/_blazor?id={await NegotiateBlazorAsync(client)}", "http://evil.example", cookie));
    }

    [Fact]
    public async Task The_bearer_token_opens_the_api_and_a_wrong_one_does_not()
    {
        using var client = Client();
        using var good = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { { "Authorization", "Bearer " + app.Token } } };
        using var ok = await client.SendAsync(good);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True((await ok.Content.ReadAsStringAsync()).Contains("\"nodes\"", StringComparison.Ordinal));

        // One character off (a token that already ends in '0' made "+ 0" the right token: 200, a false failure).
        var wrong = app.Token[..^1] + (app.Token[^1] == '0' ? "1" : "0");
        Assert.NotEqual(app.Token, wrong);
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { { "Authorization", "Bearer " + wrong } } };
        using var refused = await client.SendAsync(bad);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_wrong_token_in_the_login_url_shows_the_form_again_and_sets_no_cookie()
    {
        using var client = Client();
        using var response = await client.GetAsync("/login?t=0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("netviz_auth=", StringComparison.Ordinal)));
        Assert.Contains("That token is not valid", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_login_form_posts_the_token_and_returns_to_the_page_asked_for()
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        using var response = await client.PostAsync("/login?returnUrl=%2Fnat", new FormUrlEncodedContent([new("t", app.Token)]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("content=\"0;url=/nat\"", await response.Content.ReadAsStringAsync());
        using var nat = await client.GetAsync("/nat");
        Assert.Equal(HttpStatusCode.OK, nat.StatusCode);
        Assert.Equal("/nat", nat.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Failed_attempts_are_limited_per_address_without_locking_out_others()
    {
        // Sent from 127.0.0.2 (still to 127.0.0.1), so this address's limit does not touch the other tests.
        using var fromOtherAddress = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = app.Server.BaseAddress };

        async Task<HttpStatusCode> Try(HttpClient client, string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { { "Authorization", "Bearer " + token } } };
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Try(fromOtherAddress, $"wrong-{i}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Try(fromOtherAddress, "wrong-again"));
        // Past the limit even the right token is not looked at from that address...
        Assert.Equal(HttpStatusCode.TooManyRequests, await Try(fromOtherAddress, app.Token));
        using var login = await fromOtherAddress.GetAsync(app.LoginUrl);
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
        // ...while 127.0.0.1 is not affected.
        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, await Try(client, app.Token));
    }

    [Fact]
    public async Task Any_host_name_is_answered_but_only_with_the_token()
    {
        // Bound to every interface with the token on: colleagues may type any name; a rebinding page has no cookie.
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { Host = "attacker.example" } };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Chromium_logs_in_through_the_printed_url_and_the_dashboard_renders_without_a_CSP_violation()
    {
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        var violations = await WatchCspViolationsAsync(context);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);

        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("[data-testid=login-form]");
        Assert.EndsWith("/login?returnUrl=%2F", page.Url);

        await page.GotoAsync(app.LoginUrl.ToString());
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        Assert.Equal(app.Server.BaseAddress.ToString(), page.Url);
        Assert.True(await page.EvaluateAsync<int>("() => window.netvizCy.nodes().length") > 0);
        Assert.Empty(await page.QuerySelectorAllAsync("[data-testid=unsecured-banner]"));
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "netviz_auth");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        await AssertNoViolationAndInlineScriptRefusedAsync(page, violations);
    }
}
