using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using NetViz.Web.Api;

namespace NetViz.Web.Tests.Api;

public sealed class PathApiTests
{
    private static (bool Ok, Core.Paths.PathQuery Query, string Error) Read(params (string Key, string[] Values)[] pairs)
    {
        var q = new QueryCollection(pairs.ToDictionary(p => p.Key, p => new StringValues(p.Values)));
        var ok = PathApi.TryReadQuery(q, out var query, out var error);
        return (ok, query, error);
    }

    [Fact]
    public void A_complete_query_is_read_with_its_defaults()
    {
        var (ok, query, _) = Read(("from", ["container:web"]), ("to", ["host:8080"]));
        Assert.True(ok);
        Assert.Equal(new Core.Paths.PathQuery("container:web", "host:8080", "tcp", 80), query);
        var (icmpOk, icmp, _) = Read(("from", ["web"]), ("to", ["db"]), ("proto", ["ICMP"]), ("port", ["443"]));
        Assert.True(icmpOk);
        Assert.Equal(new Core.Paths.PathQuery("web", "db", "icmp", null), icmp);
        var (udpOk, udp, _) = Read(("from", ["web"]), ("to", ["db"]), ("proto", ["udp"]), ("port", ["53"]));
        Assert.True(udpOk);
        Assert.Equal(53, udp.Port);
    }

    [Theory]
    [InlineData("from", "", "from and to are required")]
    [InlineData("proto", "sctp", "proto must be tcp, udp or icmp")]
    [InlineData("port", "0", "port must be a number from 1 to 65535")]
    [InlineData("port", "65536", "port must be a number from 1 to 65535")]
    [InlineData("port", "-1", "port must be a number from 1 to 65535")]
    [InlineData("port", "8O", "port must be a number from 1 to 65535")]
    [InlineData("evil", "1", "unknown parameter 'evil'")]
    public void A_bad_parameter_is_refused_with_a_sentence(string key, string value, string message)
    {
        var pairs = new Dictionary<string, string[]> { ["from"] = ["web"], ["to"] = ["db"] };
        pairs[key] = [value];
        var (ok, _, error) = Read([.. pairs.Select(p => (p.Key, p.Value))]);
        Assert.False(ok);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Long_or_repeated_endpoints_are_refused()
    {
        Assert.Contains("at most 256", Read(("from", [new string('a', 257)]), ("to", ["db"])).Error);
        Assert.Contains("more than once", Read(("from", ["a", "b"]), ("to", ["db"])).Error);
    }
}
