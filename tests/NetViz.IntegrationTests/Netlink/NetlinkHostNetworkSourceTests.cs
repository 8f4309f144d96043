using NetViz.Core.Sources.Namespaces;
using System.Text.Json;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Netlink;

namespace NetViz.IntegrationTests.Netlink;

/// <summary>
/// Given the lesson's topology built with ip, when NetViz collects over netlink, then every namespace, link, address,
/// route and veth pairing matches what `ip -j` reports independently.
/// </summary>
[Collection(NetlinkTopologyCollection.Name)]
public sealed class NetlinkHostNetworkSourceTests : IDisposable
{
    private readonly NetlinkHostNetworkSource _source = new();

    public void Dispose() => _source.Dispose();

    private static ulong HostInode => Ip.Inode("/proc/self/ns/net");

    private static ulong NsInode(string ns) => Ip.Inode($"/var/run/netns/{ns}");

    private static string Prefix(string ns) => ns == "host" ? "" : $"-n {ns} ";

    // Each comparison below reads NetViz and then ip afresh until both agree (Eventually): the fixture waits for
    // IPv6 to settle, but the kernel may still be finishing a route or an operstate the moment a test reads.

    [Fact]
    public Task Collect_finds_the_host_and_the_ip_netns_namespaces_by_inode_and_name() => Eventually.PassesAsync("namespaces as ip netns and /proc say", async () =>
    {
        var view = await _source.CollectAsync(CancellationToken.None);

        Assert.True(view.Ok, view.Error);
        Assert.Equal(HostInode, view.HostInode);
        var host = Assert.Single(view.Namespaces, n => n.IsHost);
        Assert.Equal(HostInode, host.Inode);
        Assert.InRange(host.Pids.Length, 1, NetworkNamespaceDiscovery.MaxPids);
        Assert.Equal(host.Pids.Order(), host.Pids);
        // Low pids are long-lived: stat(1) confirms they live in the host namespace.
        Assert.Equal(HostInode, Ip.Inode($"/proc/{host.Pids[0]}/ns/net"));
        foreach (var ns in NetlinkTopologyFixture.Namespaces)
        {
            var found = Assert.Single(view.Namespaces, n => n.Inode == NsInode(ns));
            Assert.Equal(ns, found.Name);
            Assert.False(found.IsHost);
            Assert.Contains($"/var/run/netns/{ns}", found.Paths);
            Assert.Empty(found.Pids); // ip netns add starts no process in it
        }
        Assert.Equal(view.Namespaces.Length, view.Namespaces.Select(n => n.Inode).Distinct().Count());
    });

    [Theory]
    [InlineData("nvnl-a")]
    [InlineData("nvnl-b")]
    public Task Namespace_links_addresses_and_routes_match_ip(string ns) => Eventually.PassesAsync($"NetViz's {ns} equals ip -n {ns}", async () =>
    {
        var view = await _source.CollectAsync(CancellationToken.None);
        var ipLink = Ip.Json($"-n {ns} -d -j link");
        var nsView = view.Namespaces.Single(n => n.Inode == NsInode(ns));

        AssertLinksMatch(ipLink, nsView.Links, nsView.Links.Select(l => l.Name));
        Assert.Equal(Addresses(Ip.Json($"-n {ns} -j addr")), nsView.Addresses.Select(a => (a.Index, a.Family, a.Cidr, a.Scope)).Order());
        Assert.Equal(Routes(Ip.Json($"-n {ns} -j -4 route show table all"), ipLink, 32), nsView.Routes.Where(r => r.Family == 4).Select(Comparable).Order());
        Assert.Equal(Routes(Ip.Json($"-n {ns} -j -6 route show table all"), ipLink, 128), nsView.Routes.Where(r => r.Family == 6).Select(Comparable).Order());
        var defaultRoute = Assert.Single(nsView.Routes, r => r.Destination == "default" && r.Family == 4);
        Assert.Equal("10.213.77.1", defaultRoute.Gateway);
        Assert.Equal(Ip.IndexOf(ipLink, "eth0"), defaultRoute.OutIndex);
        if (ns == "nvnl-a") Assert.Equal("vxlan", nsView.Links.Single(l => l.Name == "vx0").Type);
    });

    [Fact]
    public Task Host_side_bridge_veths_and_macvlan_match_ip() => Eventually.PassesAsync("NetViz's host links equal ip's", async () =>
    {
        var view = await _source.CollectAsync(CancellationToken.None);
        // Other work shares the host namespace: compare only the links this test created.
        var ipLink = Ip.Json("-d -j link");
        var host = view.Namespaces.Single(n => n.IsHost);
        string[] ours = [NetlinkTopologyFixture.Bridge, NetlinkTopologyFixture.Macvlan, .. NetlinkTopologyFixture.Namespaces.Select(NetlinkTopologyFixture.HostVeth)];
        AssertLinksMatch(ipLink, host.Links, ours);

        var bridge = host.Links.Single(l => l.Name == NetlinkTopologyFixture.Bridge);
        Assert.Equal("bridge", bridge.Type);
        Assert.Equal(Ip.IndexOf(ipLink, NetlinkTopologyFixture.Bridge), bridge.Index);
        foreach (var ns in NetlinkTopologyFixture.Namespaces)
            Assert.Equal(bridge.Index, host.Links.Single(l => l.Name == NetlinkTopologyFixture.HostVeth(ns)).Master);
        var macvlan = host.Links.Single(l => l.Name == NetlinkTopologyFixture.Macvlan);
        Assert.Equal("macvlan", macvlan.Type);
        Assert.Equal(bridge.Index, macvlan.Link);
        Assert.Null(macvlan.LinkNetnsId);
        Assert.Contains(host.Addresses, a => a.Index == bridge.Index && a.Cidr == "10.213.77.1/24" && a.Scope == "global");
        Assert.Contains(host.Routes, r => r.Destination == "10.213.77.0/24" && r.OutIndex == bridge.Index && r.PreferredSource == "10.213.77.1" && r.Table == 254);
    });

    [Theory]
    [InlineData("nvnl-a")]
    [InlineData("nvnl-b")]
    public async Task Veth_peers_resolve_across_namespaces_from_both_sides(string ns)
    {
        var view = await _source.CollectAsync(CancellationToken.None);
        var host = view.Namespaces.Single(n => n.IsHost);
        var nsView = view.Namespaces.Single(n => n.Inode == NsInode(ns));
        var hostIfindex = Ip.IndexOf(Ip.Json("-j link"), NetlinkTopologyFixture.HostVeth(ns));
        var peerIfindex = Ip.IndexOf(Ip.Json($"-n {ns} -j link"), "eth0");

        var hostSide = host.Links.Single(l => l.Name == NetlinkTopologyFixture.HostVeth(ns));
        Assert.Equal(peerIfindex, hostSide.Link);
        Assert.Equal(NsInode(ns), host.NsIdToInode[hostSide.LinkNetnsId!.Value]);

        var nsSide = nsView.Links.Single(l => l.Name == "eth0");
        Assert.Equal(hostIfindex, nsSide.Link);
        Assert.Equal(HostInode, nsView.NsIdToInode[nsSide.LinkNetnsId!.Value]);
    }

    [Fact]
    public async Task Refreshing_rereads_only_the_stale_namespace_and_still_resolves_its_netns_ids()
    {
        var inode = NsInode("nvnl-b");
        var known = new NetworkNamespaceDiscovery().Discover().Namespaces.Select(n => n.Inode).ToHashSet();

        var refresh = await _source.RefreshNamespacesAsync([inode], known, CancellationToken.None);

        // Namespaces that appeared between the discovery above and the refresh (another test's) are read too.
        var view = Assert.Single(refresh.Read, n => known.Contains(n.Inode));
        Assert.Contains(HostInode, refresh.Existing);
        Assert.Equal(inode, view.Inode);
        Assert.Equal("nvnl-b", view.Name);
        var eth0 = view.Links.Single(l => l.Name == "eth0");
        Assert.Equal(HostInode, view.NsIdToInode[eth0.LinkNetnsId!.Value]);
    }

    private static void AssertLinksMatch(JsonElement ipLink, IEnumerable<LinkInfo> links, IEnumerable<string> names)
    {
        var byName = links.ToDictionary(l => l.Name);
        var compared = 0;
        foreach (var name in names)
        {
            var ip = ipLink.EnumerateArray().Single(l => l.GetProperty("ifname").GetString() == name);
            var link = byName[name];
            Assert.Equal(ip.GetProperty("ifindex").GetInt32(), link.Index);
            Assert.Equal(ip.GetProperty("mtu").GetInt32(), link.Mtu);
            Assert.Equal(ip.GetProperty("address").GetString(), link.Mac);
            var kind = ip.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) ? k.GetString()
                : ip.GetProperty("link_type").GetString() == "loopback" ? "loopback" : "device";
            Assert.Equal(kind, link.Type);
            Assert.Equal(ip.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP"), link.Up);
            Assert.Equal(ip.GetProperty("operstate").GetString()!.ToLowerInvariant(), link.OperState);
            Assert.Equal(ip.TryGetProperty("master", out var master) ? Ip.IndexOf(ipLink, master.GetString()!) : null, link.Master);
            int? lower = ip.TryGetProperty("link_index", out var li) ? li.GetInt32()
                : ip.TryGetProperty("link", out var ln) && ln.ValueKind == JsonValueKind.String ? Ip.IndexOf(ipLink, ln.GetString()!) : null;
            Assert.Equal(lower, link.Link);
            Assert.Equal(ip.TryGetProperty("link_netnsid", out var nsid) ? nsid.GetInt32() : null, link.LinkNetnsId);
            compared++;
        }
        Assert.True(compared >= 2);
    }

    private static List<(int, int, string, string?)> Addresses(JsonElement ipAddr) => ipAddr.EnumerateArray()
        .SelectMany(l => l.GetProperty("addr_info").EnumerateArray().Select(a => (
            l.GetProperty("ifindex").GetInt32(),
            a.GetProperty("family").GetString() == "inet" ? 4 : 6,
            $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}",
            a.GetProperty("scope").GetString())))
        .Order().ToList();

    // ip -j leaves out the defaults (main table, unicast, scope global, proto boot, no metric) and /32 (/128) on host routes.
    private static string Comparable(RouteInfo r)
        => $"{r.Destination} via={r.Gateway} oif={r.OutIndex} table={r.Table} type={r.Type} scope={r.Scope} proto={r.Protocol} metric={r.Metric ?? 0} src={r.PreferredSource}";

    private static List<string> Routes(JsonElement routes, JsonElement ipLink, int hostPrefix) => routes.EnumerateArray().Select(r =>
    {
        var dst = r.GetProperty("dst").GetString()!;
        if (dst != "default" && !dst.Contains('/')) dst += $"/{hostPrefix}";
        return Comparable(new RouteInfo
        {
            Family = 0,
            Destination = dst,
            Gateway = r.TryGetProperty("gateway", out var g) ? g.GetString() : null,
            OutIndex = r.TryGetProperty("dev", out var d) ? Ip.IndexOf(ipLink, d.GetString()!) : null,
            Table = r.TryGetProperty("table", out var t) ? t.GetString() switch { "main" => 254, "local" => 255, var n => int.Parse(n!) } : 254,
            Type = r.TryGetProperty("type", out var ty) ? ty.GetString() : "unicast",
            Scope = r.TryGetProperty("scope", out var s) ? s.GetString() : "global",
            Protocol = r.TryGetProperty("protocol", out var p) ? p.GetString() : "boot",
            Metric = r.TryGetProperty("metric", out var m) ? m.GetInt32() : 0,
            PreferredSource = r.TryGetProperty("prefsrc", out var ps) ? ps.GetString() : null,
        });
    }).Order().ToList();
}
