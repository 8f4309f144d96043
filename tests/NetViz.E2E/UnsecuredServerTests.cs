using NetViz.Testing;
using System.Net;
using System.Text.RegularExpressions;
using NetViz.E2E.Infrastructure;

namespace NetViz.E2E;

/// <summary>Bound to 0.0.0.0 with the explicit opt-out --NetViz:Auth=None: no login, but a loud warning and a banner.</summary>
public sealed class UnsecuredServerFixture : IAsyncLifetime
{
    public PublishedNetVizServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(BindHost: "0.0.0.0", Arguments: ["--NetViz:Auth=None"]));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class UnsecuredServerTests(UnsecuredServerFixture app) : IClassFixture<UnsecuredServerFixture>
{
    [Fact]
    public async Task Start_prints_a_warning_naming_the_exposed_address()
    {
        var warning = await app.Server.WaitForLogAsync(new Regex(@"NetViz:Auth=None while listening on (?<address>\S+): ANYONE who can reach this port"), TimeSpan.FromSeconds(30));
        Assert.Equal($"http://0.0.0.0:{app.Server.BaseAddress.Port}", warning.Groups["address"].Value);
        Assert.DoesNotMatch(new Regex(@"login\?t="), app.Server.Log);
    }

    [Fact]
    public async Task The_api_answers_without_a_token_and_every_page_shows_the_unsecured_banner()
    {
        using var client = app.Server.CreateHttpClient();
        using var api = await client.GetAsync("/api/topology");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        var html = await client.GetStringAsync("/nat");
        Assert.Contains("data-testid=\"unsecured-banner\"", html);
        Assert.Contains($"listening on http://0.0.0.0:{app.Server.BaseAddress.Port}", html);
    }

    [Fact]
    public async Task Without_a_token_host_filtering_is_what_stops_dns_rebinding()
    {
        using var client = app.Server.CreateHttpClient();
        using var attacker = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { Host = "attacker.example" } };
        using var refused = await client.SendAsync(attacker);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        // The machine's own name, as a colleague would type it, is accepted.
        using var byName = new HttpRequestMessage(HttpMethod.Get, "/api/topology") { Headers = { Host = $"{Dns.GetHostName()}:{app.Server.BaseAddress.Port}" } };
        using var ok = await client.SendAsync(byName);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
