using System.Text.Json;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

/// <summary>The parser against real kernel replies (see Fixtures/netlink/README.md), checked against `ip -j` of the same moment.</summary>
public class NetlinkParserTests
{
    public static TheoryData<string> Namespaces => ["cap", "cpeer"];

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void Links_match_ip_link(string ns)
    {
        var dump = new RecordedDump(ns);
        Assert.True(dump.Links.Done);
        Assert.Empty(dump.Links.Warnings);
        var expected = dump.IpLink.EnumerateArray().ToList();
        Assert.Equal(expected.Select(l => l.GetProperty("ifindex").GetInt32()), dump.Links.Links.Select(l => l.Index));

        foreach (var ip in expected)
        {
            var link = dump.Links.Links.Single(l => l.Index == ip.GetProperty("ifindex").GetInt32());
            Assert.Equal(ip.GetProperty("ifname").GetString(), link.Name);
            Assert.Equal(ip.GetProperty("mtu").GetInt32(), link.Mtu);
            Assert.Equal(ip.GetProperty("address").GetString(), link.Mac);
            var kind = ip.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) ? k.GetString()
                : ip.GetProperty("link_type").GetString() == "loopback" ? "loopback" : "device";
            Assert.Equal(kind, link.Type);
            Assert.Equal(ip.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP"), link.Up);
            Assert.Equal(ip.GetProperty("operstate").GetString()!.ToLowerInvariant(), link.OperState);
            Assert.Equal(ip.TryGetProperty("master", out var master) ? dump.IndexOf(master.GetString()!) : null, link.Master);
            // ip prints a same-namespace lower link by name ("link") and a cross-namespace one by index ("link_index").
            int? lower = ip.TryGetProperty("link_index", out var li) ? li.GetInt32()
                : ip.TryGetProperty("link", out var ln) && ln.ValueKind == JsonValueKind.String ? dump.IndexOf(ln.GetString()!) : null;
            Assert.Equal(lower, link.Link);
            Assert.Equal(ip.TryGetProperty("link_netnsid", out var nsid) ? nsid.GetInt32() : null, link.LinkNetnsId);

            var rx = ip.GetProperty("stats64").GetProperty("rx");
            var tx = ip.GetProperty("stats64").GetProperty("tx");
            Assert.Equal(
                new LinkCounters(rx.GetProperty("packets").GetUInt64(), tx.GetProperty("packets").GetUInt64(), rx.GetProperty("bytes").GetUInt64(), tx.GetProperty("bytes").GetUInt64(),
                    rx.GetProperty("dropped").GetUInt64(), tx.GetProperty("dropped").GetUInt64(), rx.GetProperty("errors").GetUInt64(), tx.GetProperty("errors").GetUInt64()),
                link.Counters);
        }
    }

    [Fact]
    public void Fixture_covers_the_interesting_link_kinds()
    {
        // Guards the fixture itself: the assertions above are only as good as what it contains.
        var cap = new RecordedDump("cap").Links.Links;
        Assert.Equal(["loopback", "bridge", "veth", "macvlan", "vxlan"], cap.Select(l => l.Type));
        var veth = cap.Single(l => l.Name == "veth0");
        Assert.NotNull(veth.LinkNetnsId);
        Assert.Equal(cap.Single(l => l.Name == "br0").Index, veth.Master);
        var peer = new RecordedDump("cpeer").Links.Links.Single(l => l.Name == "eth0");
        Assert.Equal(veth.Index, peer.Link);
        Assert.Equal(peer.Index, veth.Link);
    }

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void Addresses_match_ip_addr(string ns)
    {
        var dump = new RecordedDump(ns);
        Assert.True(dump.Addresses.Done);
        Assert.Empty(dump.Addresses.Warnings);
        var expected = dump.IpAddr.EnumerateArray()
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray().Select(a => (
                Index: l.GetProperty("ifindex").GetInt32(),
                Family: a.GetProperty("family").GetString() == "inet" ? 4 : 6,
                Cidr: $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}",
                Scope: a.GetProperty("scope").GetString())))
            .Order().ToList();
        var actual = dump.Addresses.Addresses.Select(a => (a.Index, a.Family, a.Cidr, a.Scope)).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void Routes_match_ip_route_show_table_all(string ns)
    {
        var dump = new RecordedDump(ns);
        Assert.True(dump.Routes4.Done && dump.Routes6.Done);
        Assert.Empty(dump.Routes4.Warnings.Concat(dump.Routes6.Warnings));
        Assert.All(dump.Routes4.Routes, r => Assert.Equal(4, r.Family));
        Assert.All(dump.Routes6.Routes, r => Assert.Equal(6, r.Family));
        Assert.Equal(IpRoutes(dump, dump.IpRoute4, 32), dump.Routes4.Routes.Select(Comparable).Order().ToList());
        Assert.Equal(IpRoutes(dump, dump.IpRoute6, 128), dump.Routes6.Routes.Select(Comparable).Order().ToList());
    }

    [Fact]
    public void Routes_carry_table_metric_gateway_and_default()
    {
        var cap = new RecordedDump("cap").Routes4.Routes;
        var table100 = cap.Single(r => r.Destination == "10.213.81.0/24");
        Assert.Equal(100, table100.Table);
        Assert.Equal("10.213.78.2", table100.Gateway);
        Assert.Equal(50, cap.Single(r => r.Destination == "10.213.80.0/24").Metric);
        Assert.Contains(cap, r => r.Table == 255 && r.Type == "local" && r.Destination == "10.213.78.1/32");
        var peerDefault = new RecordedDump("cpeer").Routes4.Routes.Single(r => r.Destination == "default");
        Assert.Equal("10.213.78.1", peerDefault.Gateway);
        Assert.Equal(254, peerDefault.Table);
    }

    // ip -j leaves out the defaults (main table, unicast, scope global, proto boot, no metric) and /32 (/128) on host routes.
    private static string Comparable(RouteInfo r)
        => $"{r.Destination} via={r.Gateway} oif={r.OutIndex} table={r.Table} type={r.Type} scope={r.Scope} proto={r.Protocol} metric={r.Metric ?? 0} src={r.PreferredSource}";

    private static List<string> IpRoutes(RecordedDump dump, JsonElement routes, int hostPrefix) => routes.EnumerateArray().Select(r =>
    {
        var dst = r.GetProperty("dst").GetString()!;
        if (dst != "default" && !dst.Contains('/')) dst += $"/{hostPrefix}";
        var table = r.TryGetProperty("table", out var t) ? t.GetString() switch { "main" => 254, "local" => 255, var n => int.Parse(n!) } : 254;
        return Comparable(new RouteInfo
        {
            Family = 0,
            Destination = dst,
            Gateway = r.TryGetProperty("gateway", out var g) ? g.GetString() : null,
            OutIndex = r.TryGetProperty("dev", out var d) ? dump.IndexOf(d.GetString()!) : null,
            Table = table,
            Type = r.TryGetProperty("type", out var ty) ? ty.GetString() : "unicast",
            Scope = r.TryGetProperty("scope", out var s) ? s.GetString() : "global",
            Protocol = r.TryGetProperty("protocol", out var p) ? p.GetString() : "boot",
            Metric = r.TryGetProperty("metric", out var m) ? m.GetInt32() : 0,
            PreferredSource = r.TryGetProperty("prefsrc", out var ps) ? ps.GetString() : null,
        });
    }).Order().ToList();

    [Fact]
    public void Truncated_reply_keeps_the_whole_messages_before_the_cut_and_warns()
    {
        var bytes = RecordedDump.Bytes("cap", "links");
        var first = BitConverter.ToInt32(bytes, 0);
        var second = BitConverter.ToInt32(bytes, first);
        // Cut in the middle of the third message.
        var cut = bytes.AsSpan(0, first + second + 40);

        var dump = NetlinkParser.Parse(cut);

        Assert.Equal(["lo", "br0"], dump.Links.Select(l => l.Name));
        Assert.False(dump.Done);
        Assert.Single(dump.Warnings);
    }

    [Fact]
    public void Message_with_an_impossible_attribute_length_is_skipped_alone()
    {
        var bytes = RecordedDump.Bytes("cap", "links");
        var first = BitConverter.ToInt32(bytes, 0);
        // The first attribute of the second message (after nlmsghdr 16 + ifinfomsg 16) claims 0xffff bytes.
        BitConverter.TryWriteBytes(bytes.AsSpan(first + 32, 2), (ushort)0xffff);

        var dump = NetlinkParser.Parse(bytes);

        Assert.Equal(["lo", "veth0", "mv0", "vx0"], dump.Links.Select(l => l.Name));
        Assert.True(dump.Done);
        Assert.Contains(dump.Warnings, w => w.Contains("malformed"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(20)]
    public void Short_or_garbage_input_never_throws(int length)
    {
        var garbage = new byte[length];
        Random.Shared.NextBytes(garbage);
        if (length >= 4) BitConverter.TryWriteBytes(garbage.AsSpan(0, 4), 16 + 4); // a header that claims a tiny payload
        if (length >= 6) BitConverter.TryWriteBytes(garbage.AsSpan(4, 2), NetlinkParser.RTM_NEWLINK);

        var dump = NetlinkParser.Parse(garbage);

        Assert.Empty(dump.Links);
        Assert.Equal(length is 0 ? 0 : 1, dump.Warnings.Count);
    }
}
