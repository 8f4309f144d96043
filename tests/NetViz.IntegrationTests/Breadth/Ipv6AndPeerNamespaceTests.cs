using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Netlink;

namespace NetViz.IntegrationTests.Breadth;

/// <summary>
/// Given a namespace this test makes (nvbrd-PID-v6) with a veth to another (nvbrd-PID-gw), a point-to-point IPv4 address, IPv4 and
/// IPv6 default routes out of the same interface, and an ip6tables MASQUERADE and DNAT rule; when NetViz reads it
/// (netlink, and the real ip6tables-save run inside that namespace), then the peer, both route edges and both IPv6 rules
/// are there, as `ip` and `ip6tables-save` report them independently. Deleting the namespaces takes every rule and link
/// with it: the host is left as found.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Ipv6AndPeerNamespaceTests : IDisposable
{
    private static int s_instances;

    // A VNI of this instance's own: Docker's first overlay network is 4097, the kernel allows one vxlan per VNI and port in
    // the namespace of its socket, and the previous test's device, moved into a namespace that was deleted, is destroyed
    // by the kernel's asynchronous namespace cleanup, possibly after this constructor runs (xunit builds one per test).
    private readonly int _vni = 9_000_000 + Environment.ProcessId % 10_000 * 100 + Interlocked.Increment(ref s_instances) % 100;

    private readonly string _ns = $"nvbrd-{Environment.ProcessId}-v6";
    private readonly string _gw = $"nvbrd-{Environment.ProcessId}-gw";
    private readonly string _dir = Directory.CreateTempSubdirectory("nvbrd-").FullName;

    public Ipv6AndPeerNamespaceTests()
    {
        SweepLeftovers();
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Namespaces of an nvbrd run whose test process is gone (an interrupted run).</summary>
    internal static void SweepLeftovers()
    {
        if (!Directory.Exists("/var/run/netns")) return;
        foreach (var name in Directory.GetFiles("/var/run/netns", "nvbrd-*").Select(Path.GetFileName).OfType<string>())
            if (name.Split('-') is [_, var pid, ..] && int.TryParse(pid, out var p) && p != Environment.ProcessId && !Directory.Exists($"/proc/{p}"))
                Ip.TryCmd($"netns del {name}");
    }

    private void Build()
    {
        Ip.TryCmd($"netns del {_ns}");
        Ip.TryCmd($"netns del {_gw}");
        Ip.Cmd($"netns add {_ns}");
        Ip.Cmd($"netns add {_gw}");
        Ip.Cmd($"-n {_ns} link add nvbrd-a type veth peer name nvbrd-b netns {_gw}");
        Ip.Cmd($"-n {_ns} link set lo up");
        Ip.Cmd($"-n {_ns} link set nvbrd-a up");
        Ip.Cmd($"-n {_gw} link set nvbrd-b up");
        Ip.Cmd($"-n {_ns} addr add 10.1.1.1 peer 10.1.1.2/32 dev nvbrd-a");
        Ip.Cmd($"-n {_gw} addr add 10.1.1.2/32 dev nvbrd-b");
        Ip.Cmd($"-n {_ns} addr add fd00:db8:77::1/64 dev nvbrd-a nodad");
        Ip.Cmd($"-n {_gw} addr add fd00:db8:77::2/64 dev nvbrd-b nodad");
        Ip.Cmd($"-n {_ns} route add default via 10.1.1.2 dev nvbrd-a");
        Ip.Cmd($"-n {_ns} -6 route add default via fd00:db8:77::2 dev nvbrd-a");
        // Like Docker's vxlan0: made in the host namespace, then moved, so its UDP socket (the underlay) stays in the host.
        Ip.Cmd($"link add nvbrd-vx{Environment.ProcessId % 10000} type vxlan id {_vni} dstport 4789");
        Ip.Cmd($"link set nvbrd-vx{Environment.ProcessId % 10000} netns {_ns}");
        InNamespace("ip6tables", "-t", "nat", "-A", "POSTROUTING", "-s", "fd00:db8:77::/64", "!", "-o", "nvbrd-a",
            "-m", "comment", "--comment", "nvbrd masquerade", "-j", "MASQUERADE");
        InNamespace("ip6tables", "-t", "nat", "-A", "PREROUTING", "-d", "fd00:db8:77::1/128", "-p", "tcp", "--dport", "8080",
            "-m", "comment", "--comment", "nvbrd dnat", "-j", "DNAT", "--to-destination", "[fd00:db8:77::2]:80");
    }

    public void Dispose()
    {
        Ip.TryCmd($"netns del {_ns}");
        Ip.TryCmd($"netns del {_gw}");
        Ip.TryCmd($"link del nvbrd-vx{Environment.ProcessId % 10000}"); // only if the fixture failed before moving it
        Directory.Delete(_dir, recursive: true);
    }

    private string InNamespace(string file, params string[] args) => Ip.Run("ip", ["netns", "exec", _ns, file, .. args]);

    /// <summary>A stand-in for an iptables binary that runs the real one inside the test's namespace.</summary>
    private string Wrapper(string binary)
    {
        var path = Path.Combine(_dir, binary);
        File.WriteAllText(path, $"#!/bin/sh\nexec ip netns exec '{_ns}' {binary} \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task Peer_address_both_default_routes_and_the_ip6tables_rules_are_in_the_snapshot()
    {
        var inode = Ip.Inode($"/var/run/netns/{_ns}");
        var gwInode = Ip.Inode($"/var/run/netns/{_gw}");
        var a = Ip.IndexOf(Ip.Json($"-n {_ns} -j link"), "nvbrd-a");
        var b = Ip.IndexOf(Ip.Json($"-n {_gw} -j link"), "nvbrd-b");
        // The truth, read independently: ip prints the peer as "address" next to "local".
        var p2p = Ip.Json($"-n {_ns} -j -4 addr show dev nvbrd-a")[0].GetProperty("addr_info")[0];
        Assert.Equal(("10.1.1.1", "10.1.1.2"), (p2p.GetProperty("local").GetString(), p2p.GetProperty("address").GetString()));
        var ip6Save = InNamespace("ip6tables-save", "-t", "nat");

        using var netlink = new NetlinkHostNetworkSource();
        var nat = await new IptablesNatSource(Wrapper("iptables-save"), ip6tablesSavePath: Wrapper("ip6tables-save")).CollectAsync(CancellationToken.None);
        var host = await Eventually.PassesAsync("both default routes read", async () =>
        {
            var view = await netlink.CollectAsync(CancellationToken.None);
            var ns = Assert.Single(view.Namespaces, n => n.Inode == inode);
            Assert.Equal(2, ns.Routes.Count(r => r.Destination == "default"));
            return view;
        });
        var snapshot = TopologyBuilder.Build(new SourceReadings
        {
            Hostname = "nvbrd", CollectedAt = DateTimeOffset.UtcNow, Host = host,
            Docker = new DockerView { Ok = false, Endpoint = "none" }, Nat = nat,
        });

        var nic = Assert.IsType<InterfaceNode>(Assert.Single(snapshot.Nodes, n => n.Id == NodeId.Interface(inode, a)));
        Assert.Equal(["10.1.1.1 peer 10.1.1.2/32"], nic.PeerAddresses);
        Assert.Contains("10.1.1.1/32", nic.Addresses.Select(x => x.Cidr));

        var routes = snapshot.Edges.OfType<RouteEdge>().Where(e => e.Source == nic.Id).OrderBy(e => e.Family).ToList();
        Assert.Equal([(4, "10.1.1.2", NodeId.Interface(gwInode, b)), (6, "fd00:db8:77::2", NodeId.Interface(gwInode, b))],
            routes.Select(e => (e.Family, e.Gateway, e.Target)));
        Assert.NotEqual(routes[0].Id, routes[1].Id);

        Assert.True(nat.Ok, nat.Error);
        Assert.Null(nat.Ip6Error);
        Assert.Equal(ip6Save.Split('\n').Count(l => l.StartsWith("-A ", StringComparison.Ordinal)), nat.Ip6Rules.Length);
        Assert.Empty(nat.Rules.Where(r => r.Comment?.StartsWith("nvbrd", StringComparison.Ordinal) == true)); // v4 tables hold none of ours
        var masquerade = Assert.Single(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Comment == "nvbrd masquerade");
        Assert.Equal((6, "fd00:db8:77::/64", "POSTROUTING"), (masquerade.Family, masquerade.Source, masquerade.Chain));
        Assert.StartsWith("nat6:nat:POSTROUTING:", masquerade.Id);
        var dnat = Assert.Single(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Comment == "nvbrd dnat");
        Assert.Equal((6, "fd00:db8:77::1", 8080, "fd00:db8:77::2", 80), (dnat.Family, dnat.HostIp, dnat.HostPort, dnat.ToIp, dnat.ToPort));
        // The DNAT target is nvbrd-b, which owns fd00:db8:77::2; its -d address is not the host's, so no dnat-from.
        Assert.Equal([(NatRoles.DnatTo, NodeId.Interface(gwInode, b))],
            snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == dnat.Id).Select(e => (e.Role, e.Target)));
    }

    [Fact]
    public async Task A_vxlan_moved_out_of_the_host_has_its_vni_port_and_underlay_edge_into_the_host()
    {
        var inode = Ip.Inode($"/var/run/netns/{_ns}");
        var hostInode = Ip.Inode("/proc/self/ns/net");
        var name = $"nvbrd-vx{Environment.ProcessId % 10000}";
        var truth = Ip.Json($"-n {_ns} -d -j link show dev {name}")[0];
        var data = truth.GetProperty("linkinfo").GetProperty("info_data");
        var index = truth.GetProperty("ifindex").GetInt32();

        using var netlink = new NetlinkHostNetworkSource();
        var host = await netlink.CollectAsync(CancellationToken.None);
        var snapshot = TopologyBuilder.Build(new SourceReadings
        {
            Hostname = "nvbrd", CollectedAt = DateTimeOffset.UtcNow, Host = host,
            Docker = new DockerView { Ok = false, Endpoint = "none" }, Nat = new NatView { Ok = true },
        });

        var vxlan = Assert.IsType<InterfaceNode>(Assert.Single(snapshot.Nodes, n => n.Id == NodeId.Interface(inode, index)));
        Assert.Equal((data.GetProperty("id").GetInt32(), data.GetProperty("port").GetInt32()), (vxlan.VxlanId!.Value, vxlan.VxlanPort!.Value));
        Assert.Equal((_vni, 4789), (vxlan.VxlanId, vxlan.VxlanPort));
        Assert.Equal(NodeId.Netns(hostInode), vxlan.UnderlayNetns);
        var underlay = Assert.Single(snapshot.Edges.OfType<UnderlayEdge>(), e => e.Source == vxlan.Id);
        Assert.Equal(NodeId.Netns(hostInode), underlay.Target);
    }
    /// <summary>
    /// The namespace rule reader (the real iptables-save and ip6tables-save entered into the namespace by nsenter, as the
    /// app runs it) gives that namespace's IPv4 and IPv6 nat rules, each family equal to what the namespace's own
    /// *-save prints; and the drawer's command for the IPv6 DNAT, run as offered, lists it at the position shown.
    /// </summary>
    [Fact]
    public async Task The_namespace_rule_reader_reads_both_families_and_the_drawer_command_lists_the_ipv6_rule()
    {
        InNamespace("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.1.1.0/30", "!", "-o", "nvbrd-a",
            "-m", "comment", "--comment", "nvbrd v4", "-j", "MASQUERADE");
        var inode = Ip.Inode($"/var/run/netns/{_ns}");
        static string[] Appended(string save) => [.. save.Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        var v4Truth = Appended(InNamespace("iptables-save", "-t", "nat"));
        var v6Truth = Appended(InNamespace("ip6tables-save", "-t", "nat"));
        Assert.Equal(2, v6Truth.Length);

        using var netlink = new NetlinkHostNetworkSource();
        using var docker = new NetViz.Core.Sources.Docker.DockerEngineSource();
        var collector = new NetViz.Core.Collection.TopologyCollector(netlink, docker, new IptablesNatSource(), TimeProvider.System,
            new NamespaceRuleReader(new IptablesNatSource().ReadNamespaceAsync));
        var snapshot = await collector.CollectAsync(CancellationToken.None);

        var rules = snapshot.Nodes.OfType<NatRuleNode>().Where(n => n.Netns == NodeId.Netns(inode)).ToList();
        Assert.Equal(v4Truth, rules.Where(r => r.Family == 4).Select(r => r.Rule).Order(StringComparer.Ordinal));
        Assert.Equal(v6Truth, rules.Where(r => r.Family == 6).Select(r => r.Rule).Order(StringComparer.Ordinal));
        Assert.All(rules.Where(r => r.Family == 6), r => Assert.StartsWith("nat6:", r.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(snapshot.Host.Warnings, w => w.Contains(inode.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        var dnat = Assert.Single(rules, r => r.Comment == "nvbrd dnat");
        var hint = NetViz.Web.Commands.CommandHints.For(snapshot, dnat.Id)[0];
        Assert.Equal($"ip netns exec {_ns} ip6tables -t nat -L PREROUTING -v -n --line-numbers", hint.Command);
        var listed = Ip.Run("bash", "-c", hint.Command);
        var line = Assert.Single(listed.Split('\n'), l => l.Contains("nvbrd dnat", StringComparison.Ordinal));
        Assert.StartsWith(dnat.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", line.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("dpt:8080", line, StringComparison.Ordinal);
        Assert.Contains("fd00:db8:77::2", line, StringComparison.Ordinal);
    }
}
