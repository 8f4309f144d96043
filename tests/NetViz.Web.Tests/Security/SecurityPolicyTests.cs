using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using NetViz.Web.Security;

namespace NetViz.Web.Tests.Security;

public class SecurityPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://127.0.0.2:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://0.0.0.0:5000", false)]
    [InlineData("http://[::]:5000", false)]
    [InlineData("http://*:5000", false)]
    [InlineData("http://+:5000", false)]
    [InlineData("http://10.0.0.5:5000", false)]
    [InlineData("http://myhost:5000", false)]
    [InlineData("http://unix:/run/netviz.sock", false)]
    public void Only_loopback_addresses_count_as_loopback(string url, bool loopback) =>
        Assert.Equal(loopback, ListenExposure.IsLoopbackUrl(url));

    [Fact]
    public void Loopback_bind_accepts_only_loopback_names_and_the_bound_host()
    {
        var hosts = AllowedHostsPolicy.Compute(["http://127.0.0.1:5000"], new NetVizSecurityOptions(), null);
        Assert.Equal(["localhost", "127.0.0.1", "[::1]"], hosts);
        Assert.Equal(["localhost", "127.0.0.1", "[::1]", "10.0.0.5"], AllowedHostsPolicy.Compute(["http://10.0.0.5:5000"], new NetVizSecurityOptions(), null));
    }

    [Fact]
    public void Wildcard_bind_with_the_token_accepts_any_host_unless_names_are_configured()
    {
        Assert.Equal(["*"], AllowedHostsPolicy.Compute(["http://0.0.0.0:5000"], new NetVizSecurityOptions(), null));
        Assert.Equal(["localhost", "127.0.0.1", "[::1]", "netviz.lab.example"],
            AllowedHostsPolicy.Compute(["http://0.0.0.0:5000"], new NetVizSecurityOptions { AllowedHosts = "netviz.lab.example" }, null));
    }

    [Fact]
    public void Wildcard_bind_without_auth_accepts_the_machines_names_and_addresses_but_never_any_host()
    {
        var hosts = AllowedHostsPolicy.Compute(["http://[::]:5000"], new NetVizSecurityOptions { Auth = AuthMode.None }, null);
        Assert.DoesNotContain("*", hosts);
        Assert.Contains(System.Net.Dns.GetHostName(), hosts);
        Assert.Contains("127.0.0.1", hosts);
    }

    [Fact]
    public void An_explicit_AllowedHosts_setting_wins()
    {
        Assert.Equal(["a.example", "b.example"], AllowedHostsPolicy.Compute(["http://0.0.0.0:5000"], new NetVizSecurityOptions(), "a.example;b.example"));
    }

    [Fact]
    public void Configured_urls_come_from_urls_and_kestrel_endpoints_and_default_to_kestrels_localhost()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:5000;http://0.0.0.0:6000",
            ["Kestrel:Endpoints:Extra:Url"] = "http://10.1.2.3:7000",
        }).Build();
        Assert.Equal(["http://127.0.0.1:5000", "http://0.0.0.0:6000", "http://10.1.2.3:7000"], AllowedHostsPolicy.ConfiguredUrls(configuration));
        Assert.Equal(["http://localhost:5000"], AllowedHostsPolicy.ConfiguredUrls(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void The_token_matches_only_itself()
    {
        var generated = new AccessToken(null);
        Assert.True(generated.IsGenerated);
        Assert.Matches("^[0-9a-f]{32}$", generated.Value);
        Assert.True(generated.Matches(generated.Value));
        Assert.False(generated.Matches(generated.Value[..^1]));
        Assert.False(generated.Matches(generated.Value + "0"));
        Assert.False(generated.Matches(""));
        Assert.False(generated.Matches(null));
        Assert.False(generated.Matches(new string('a', 5000)));
        Assert.NotEqual(generated.Value, new AccessToken(null).Value);

        var configured = new AccessToken("correct horse battery staple");
        Assert.False(configured.IsGenerated);
        Assert.True(configured.Matches("correct horse battery staple"));
        Assert.NotEqual(configured.Fingerprint, new AccessToken("correct horse battery stapler").Fingerprint);
        Assert.Throws<InvalidOperationException>(() => new AccessToken("short"));
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/nat?x=1", "/nat?x=1")]
    [InlineData("//evil.example/", null)]
    [InlineData("/\\evil.example", null)]
    [InlineData("https://evil.example/", null)]
    [InlineData("nat", null)]
    [InlineData("/a\nb", null)]
    [InlineData("", null)]
    public void The_return_url_after_login_stays_on_this_site(string url, string? expected) =>
        Assert.Equal(expected, LoginEndpoints.LocalUrl(url));

    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("HTTP://127.0.0.1:5000", true)]
    [InlineData("http://127.0.0.1:5001", false)]
    [InlineData("http://localhost:5000", false)]
    [InlineData("https://127.0.0.1:5000", false)]
    [InlineData("http://evil.example", false)]
    [InlineData("null", false)]
    [InlineData("http://127.0.0.1:5000/path", false)]
    public void Same_origin_means_same_scheme_host_and_port(string origin, bool same)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:5000");
        Assert.Equal(same, OriginCheckMiddleware.IsSameOrigin(context.Request, origin));
    }

    [Fact]
    public void The_csp_allows_no_inline_script_but_the_nonced_one_and_no_framing()
    {
        var csp = SecurityHeadersMiddleware.ContentSecurityPolicy("abc123");
        var directives = csp.Split(';').Select(d => d.Trim()).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("script-src 'self' 'nonce-abc123'", directives["script-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.Equal("object-src 'none'", directives["object-src"]);
        Assert.DoesNotContain("unsafe-eval", csp);
    }
}
