using System.Text.Json;
using System.Text.Json.Nodes;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Correlation;

/// <summary>Issue 11: IPv6 routes and rules, point-to-point peers, aliases, macvlan parents, consistent nulls.</summary>
public class BeyondTheLessonTests
{
    private static string If(ulong ns, int index) => NodeId.Interface(ns, index);

    /// <summary>The lesson's host with an IPv6 default route beside the IPv4 one, out of the same eth0.</summary>
    private static SourceReadings WithIpv6Default(NatView? nat = null)
    {
        // Docker reports the container's v6 address as GlobalIPv6Address of its endpoint.
        var docker = LessonTopology.Docker();
        var webContainer = docker.Containers[0];
        webContainer = webContainer with { Endpoints = [webContainer.Endpoints[0] with { GlobalIPv6Address = "fd00:db8:1::2" }] };
        var readings = Readings(nat, docker with { Containers = docker.Containers.SetItem(0, webContainer) });
        var host = readings.Host.Namespaces[0];
        host = host with
        {
            Addresses = host.Addresses.Add(new AddressInfo { Index = 3, Family = 6, Address = "fd00:db8:1::1", PrefixLength = 64, Scope = "global" }),
            Routes = host.Routes.Add(new RouteInfo { Family = 6, Destination = "default", Gateway = "fe80::1", OutIndex = 2, Table = 254, Type = "unicast" }),
        };
        var web = readings.Host.Namespaces[1];
        web = web with
        {
            Addresses = web.Addresses.Add(new AddressInfo { Index = 5, Family = 6, Address = "fd00:db8:1::2", PrefixLength = 64, Scope = "global" }),
            Routes = web.Routes.Add(new RouteInfo { Family = 6, Destination = "default", Gateway = "fd00:db8:1::1", OutIndex = 5, Table = 254, Type = "unicast" }),
        };
        return readings with { Host = readings.Host with { Namespaces = [host, web, .. readings.Host.Namespaces.Skip(2)] } };
    }

    [Fact]
    public void An_ipv4_and_an_ipv6_default_route_out_of_the_same_interface_are_two_edges()
    {
        var snapshot = TopologyBuilder.Build(WithIpv6Default());

        var hostRoutes = snapshot.Edges.OfType<RouteEdge>().Where(e => e.Source == If(Host, 2)).OrderBy(e => e.Family).ToList();
        Assert.Equal([(4, "10.0.2.2", "route:if:4026531840:2->external"), (6, "fe80::1", "route6:if:4026531840:2->external")],
            hostRoutes.Select(e => (e.Family, e.Gateway, e.Id)));
        // The container's v6 default route reaches docker0, which owns its gateway address, like the v4 one.
        var webRoutes = snapshot.Edges.OfType<RouteEdge>().Where(e => e.Source == If(Web, 5)).OrderBy(e => e.Family).ToList();
        Assert.Equal([(4, If(Host, 3)), (6, If(Host, 3))], webRoutes.Select(e => (e.Family, e.Target)));
    }

    [Fact]
    public void Ip6tables_rules_are_their_own_nodes_and_gates_even_with_the_same_text_as_an_ipv4_rule()
    {
        const string jump = "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER";
        var nat = Nat() with
        {
            Ip6Rules =
            [
                new() { Table = "nat", Chain = "PREROUTING", Position = 1, Target = "DOCKER", Rule = jump, DstType = "LOCAL", Family = 6 },
                new() { Table = "nat", Chain = "POSTROUTING", Position = 1, Target = "MASQUERADE", Rule = "-A POSTROUTING -s fd00:db8:1::/64 ! -o docker0 -j MASQUERADE",
                    Source = "fd00:db8:1::/64", OutInterface = "docker0", OutInterfaceNegated = true, Family = 6 },
                new() { Table = "nat", Chain = "DOCKER", Position = 1, Target = "DNAT", Rule = "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:db8:1::2]:80",
                    InInterface = "docker0", InInterfaceNegated = true, Protocol = "tcp", DestinationPort = "8080", ToDestination = "[fd00:db8:1::2]:80", ToIp = "fd00:db8:1::2", ToPort = 80, Family = 6 },
            ],
        };

        var snapshot = TopologyBuilder.Build(WithIpv6Default(nat));

        var jumps = snapshot.Nodes.OfType<NatRuleNode>().Where(n => n.Rule == jump).ToList();
        Assert.Equal([4, 6], jumps.Select(n => n.Family).Order());
        Assert.Equal(2, jumps.Select(n => n.Id).Distinct().Count());
        Assert.StartsWith("nat6:nat:PREROUTING:", Assert.Single(jumps, n => n.Family == 6).Id);

        var masquerade = Assert.Single(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Family == 6 && n.Target == "MASQUERADE");
        var masqueradeEdges = snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == masquerade.Id).Select(e => (e.Role, e.Target)).ToHashSet();
        Assert.Equal(new HashSet<(string, string)> { (NatRoles.Masquerade, If(Host, 3)), (NatRoles.Egress, NodeId.External) }, masqueradeEdges);

        var dnat = Assert.Single(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Family == 6 && n.Target == "DNAT");
        Assert.Equal("DNAT tcp [::]:8080 → [fd00:db8:1::2]:80", dnat.Label);
        var dnatEdges = snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == dnat.Id).Select(e => (e.Role, e.Target)).ToHashSet();
        Assert.Equal(new HashSet<(string, string)> { (NatRoles.DnatTo, If(Web, 5)), (NatRoles.DnatToContainer, NodeId.Container(WebId)) }, dnatEdges);
    }

    [Fact]
    public void The_ip6_filter_table_and_its_error_reach_the_snapshot()
    {
        var filter = new NatRule { Table = "filter", Chain = "FORWARD", Position = 1, Target = "DOCKER-USER", Rule = "-A FORWARD -j DOCKER-USER", Family = 6 };
        var chain = new ChainInfo("filter", "FORWARD", "DROP", 0, 0) { Family = 6 };
        var snapshot = TopologyBuilder.Build(Readings(Nat() with { Ip6FilterRules = [filter], Ip6Chains = [chain], Ip6Error = "ip6tables-save not found" }));

        Assert.Equal([filter], snapshot.Filter.Ip6Rules);
        Assert.Equal([chain], snapshot.Filter.Ip6Chains);
        Assert.Empty(snapshot.Filter.Rules);
        Assert.Equal("ip6tables-save not found", snapshot.Sources.Nat.Ip6Error);
        Assert.True(snapshot.Sources.Nat.Ok);
    }

    [Fact]
    public void A_point_to_point_address_keeps_its_peer()
    {
        var readings = Readings();
        var host = readings.Host.Namespaces[0];
        host = host with { Addresses = host.Addresses.Add(new AddressInfo { Index = 13, Family = 4, Address = "10.1.1.1", PrefixLength = 32, Scope = "global", Peer = "10.1.1.2" }) };
        var snapshot = TopologyBuilder.Build(readings with { Host = readings.Host with { Namespaces = [host, .. readings.Host.Namespaces.Skip(1)] } });

        var macv = Assert.IsType<InterfaceNode>(Assert.Single(snapshot.Nodes, n => n.Id == If(Host, 13)));
        Assert.Equal(["10.1.1.1 peer 10.1.1.2/32"], macv.PeerAddresses);
        Assert.Equal("10.1.1.1/32", Assert.Single(macv.Addresses).Cidr);
        Assert.Empty(Assert.IsType<InterfaceNode>(Assert.Single(snapshot.Nodes, n => n.Id == If(Host, 2))).PeerAddresses);
    }

    [Fact]
    public void Aliases_macvlan_parent_and_an_empty_network_id_written_as_null()
    {
        const string macvlanId = "4444444444440000000000000000000000000000000000000000000000000000";
        var docker = LessonTopology.Docker();
        var web = docker.Containers[0];
        web = web with { Endpoints = [web.Endpoints[0] with { Aliases = ["web", "aaaaaaaaaaaa"] }] };
        var created = new ContainerInfo
        {
            Id = "9999999999990000000000000000000000000000000000000000000000000009", Name = "never-started", Image = "x", State = "created", Pid = 0,
            NetworkMode = "bridge", Endpoints = [new ContainerEndpoint { NetworkName = "bridge", NetworkId = "" }],
        };
        docker = docker with
        {
            Containers = [web, .. docker.Containers.Skip(1), created],
            Networks = docker.Networks.Add(new DockerNetworkInfo { Id = macvlanId, Name = "mv", Driver = "macvlan",
                Options = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("parent", "eth0") }),
        };

        var snapshot = TopologyBuilder.Build(Readings(docker: docker));
        var json = JsonSerializer.SerializeToNode(snapshot, TopologyJson.Options)!;
        JsonNode NodeJson(string id) => json["nodes"]!.AsArray().Single(n => (string?)n!["id"] == id)!["props"]!;

        Assert.Equal("""["web","aaaaaaaaaaaa"]""", NodeJson(NodeId.Container(WebId))["networks"]![0]!["aliases"]!.ToJsonString());
        var createdNetworks = NodeJson(NodeId.Container(created.Id))["networks"]![0]!.AsObject();
        Assert.True(createdNetworks.ContainsKey("networkId"));
        Assert.Null(createdNetworks["networkId"]);
        Assert.Equal(BridgeNetId, (string?)NodeJson(NodeId.Container(WebId))["networks"]![0]!["networkId"]);

        var mv = Assert.IsType<NetworkNode>(Assert.Single(snapshot.Nodes, n => n.Id == NodeId.Network(macvlanId)));
        Assert.Equal((If(Host, 2), "eth0"), (mv.ParentInterface, mv.ParentInterfaceName));
        var bridge = Assert.IsType<NetworkNode>(Assert.Single(snapshot.Nodes, n => n.Id == NodeId.Network(BridgeNetId)));
        Assert.Equal((null, null), (bridge.ParentInterface, bridge.ParentInterfaceName));
    }
}

/// <summary>Rules of another namespace's rule set (Docker's embedded DNS) are gates of that namespace.</summary>
public class NamespaceRuleGateTests
{
    [Fact]
    public void Embedded_dns_rules_link_to_the_namespace_loopback_and_its_container_and_keep_their_own_ids()
    {
        NatRule Rule(string chain, int position, string target, string text) => new()
        {
            Table = "nat", Chain = chain, Position = position, Target = target, Rule = text, NetnsInode = Web,
        };
        var jump = Rule("OUTPUT", 1, "DOCKER_OUTPUT", "-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT") with { Destination = "127.0.0.11/32" };
        var dnat = Rule("DOCKER_OUTPUT", 1, "DNAT", "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41234")
            with { Destination = "127.0.0.11/32", Protocol = "udp", DestinationPort = "53", ToDestination = "127.0.0.11:41234", ToIp = "127.0.0.11", ToPort = 41234 };
        var snat = Rule("DOCKER_POSTROUTING", 1, "SNAT", "-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p udp -m udp --sport 41234 -j SNAT --to-source :53")
            with { Source = "127.0.0.11/32", Protocol = "udp", ToSource = ":53" };
        var inVanished = Rule("OUTPUT", 1, "DOCKER_OUTPUT", "-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT") with { NetnsInode = 999 };

        var snapshot = TopologyBuilder.Build(Readings(Nat() with { NamespaceRules = [jump, dnat, snat, inVanished] }));

        var rules = snapshot.Nodes.OfType<NatRuleNode>().Where(n => n.Netns is not null).ToList();
        Assert.Equal(3, rules.Count); // the rule of a namespace that is not in the snapshot is left out
        Assert.All(rules, n => Assert.Equal(NodeId.Netns(Web), n.Netns));
        Assert.All(rules, n => Assert.EndsWith($"@{Web}", n.Id));
        var dnatNode = Assert.Single(rules, n => n.Target == "DNAT");
        Assert.Equal(new HashSet<(string, string)> { (NatRoles.DnatTo, NodeId.Interface(Web, 1)), (NatRoles.DnatToContainer, NodeId.Container(SidecarId)) },
            snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == dnatNode.Id).Select(e => (e.Role, e.Target)).ToHashSet());
        var snatNode = Assert.Single(rules, n => n.Target == "SNAT");
        Assert.Equal([(NatRoles.Masquerade, NodeId.Interface(Web, 1))],
            snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == snatNode.Id).Select(e => (e.Role, e.Target)));
        // The host's rules are untouched: same nodes, same edges as without the namespace's.
        var plain = TopologyBuilder.Build(Readings());
        Assert.Equal(plain.Nodes.OfType<NatRuleNode>().Select(n => n.Id), snapshot.Nodes.OfType<NatRuleNode>().Where(n => n.Netns is null).Select(n => n.Id));
    }
}
