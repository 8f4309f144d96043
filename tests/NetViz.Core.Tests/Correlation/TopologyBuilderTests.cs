using System.Collections.Immutable;
using System.Text.Json;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Correlation;

public class TopologyBuilderTests
{
    private static readonly TopologySnapshot Snapshot = TopologyBuilder.Build(Readings());

    private static TopologyNode Node(string id) => Assert.Single(Snapshot.Nodes, n => n.Id == id);
    private static T Node<T>(string id) where T : TopologyNode => Assert.IsType<T>(Node(id));
    private static IEnumerable<TopologyEdge> Edges(string kind) => Snapshot.Edges.Where(e => e.Kind == kind);
    private static string If(ulong ns, int index) => TopologyBuilder.InterfaceId(ns, index);

    [Fact]
    public void Veth_pairs_resolve_the_peer_namespace_through_the_reporting_side_netnsid()
    {
        // Both containers' eth0 are ifindex 5: only IFLA_LINK_NETNSID resolved per namespace tells them apart.
        var pairs = Edges(EdgeKinds.Veth).Select(e => new[] { e.Source, e.Target }.Order().ToArray()).ToList();
        Assert.Contains(new[] { If(Host, 7), If(Web, 5) }.Order().ToArray(), pairs);
        Assert.Contains(new[] { If(Host, 9), If(Db, 5) }.Order().ToArray(), pairs);
        Assert.Contains(new[] { If(Host, 12), If(Iso, 5) }.Order().ToArray(), pairs);
        Assert.Equal(3, pairs.Count);
        Assert.Equal(If(Db, 5), Node<InterfaceNode>(If(Host, 9)).Peer);
    }

    [Fact]
    public void A_veth_whose_peer_does_not_point_back_gets_no_edge()
    {
        var readings = Readings();
        var host = readings.Host.Namespaces[0];
        // Make the web side claim a different peer: the pair is no longer verified from both sides.
        var web = readings.Host.Namespaces[1];
        var brokenWeb = web with { Links = [Lo, web.Links[1] with { Link = 99 }] };
        var snapshot = TopologyBuilder.Build(readings with { Host = readings.Host with { Namespaces = [host, brokenWeb, .. readings.Host.Namespaces.Skip(2)] } });
        Assert.DoesNotContain(snapshot.Edges, e => e.Kind == EdgeKinds.Veth && (e.Source == If(Web, 5) || e.Target == If(Web, 5)));
        Assert.Equal(2, snapshot.Edges.Count(e => e.Kind == EdgeKinds.Veth));
    }

    [Fact]
    public void Bridge_ports_point_to_their_bridge_and_macvlan_to_its_lower_device()
    {
        var ports = Edges(EdgeKinds.BridgePort).Select(e => (e.Source, e.Target)).ToHashSet();
        Assert.Equal(new HashSet<(string, string)> { (If(Host, 7), If(Host, 3)), (If(Host, 9), If(Host, 3)), (If(Host, 12), If(Host, 10)) }, ports);
        var lower = Assert.Single(Edges(EdgeKinds.Lower));
        Assert.Equal((If(Host, 13), If(Host, 2)), (lower.Source, lower.Target));
    }

    [Fact]
    public void Network_modes_place_containers_in_the_right_namespace_boxes()
    {
        Assert.Equal(NetnsIdOf(Web), Node(TopologyBuilder.ContainerId(WebId)).Parent);
        Assert.Equal(NetnsIdOf(Web), Node(TopologyBuilder.ContainerId(SidecarId)).Parent); // container:web shares its box
        Assert.Equal(NetnsIdOf(Host), Node(TopologyBuilder.ContainerId(HostModeId)).Parent); // host mode: in the host box
        Assert.Equal(NetnsIdOf(None), Node(TopologyBuilder.ContainerId(NoneId)).Parent);
        // none: a namespace holding only lo.
        Assert.Equal(["lo"], Snapshot.Nodes.Where(n => n.Parent == NetnsIdOf(None) && n.Kind == NodeKinds.Interface).Select(n => n.Label));
        Assert.Equal("sidecar, web", Node(NetnsIdOf(Web)).Label);
        Assert.Equal("host", Node(NetnsIdOf(Host)).Label);
        Assert.Equal(NetnsIdOf(Host), Snapshot.Host.Netns);
    }

    private static string NetnsIdOf(ulong inode) => TopologyBuilder.NetnsId(inode);

    [Fact]
    public void A_host_mode_container_whose_namespace_could_not_be_read_is_still_in_the_host_box_and_others_are_in_none()
    {
        // Stopped: no pid, and its sandbox file (/var/run/docker/netns/default) unreadable, as in the image run
        // without Docker's netns folder. Only host mode says where it is.
        var readings = Readings();
        var unread = readings.Docker.Containers.Select(c => c with { State = "exited", Pid = 0, NetnsInode = null }).ToImmutableArray();
        var snapshot = TopologyBuilder.Build(readings with { Docker = readings.Docker with { Containers = unread } });
        var parents = snapshot.Nodes.OfType<ContainerNode>().ToDictionary(c => c.ContainerId, c => (c.Parent, c.Netns));
        Assert.Equal((NetnsIdOf(Host), NetnsIdOf(Host)), parents[HostModeId]);
        Assert.Equal(((string?)null, (string?)null), parents[WebId]);
        Assert.Equal(((string?)null, (string?)null), parents[NoneId]);
        Assert.Equal(((string?)null, (string?)null), parents[SidecarId]);
    }

    [Fact]
    public void Default_routes_lead_to_the_gateway_side()
    {
        var routes = Edges(EdgeKinds.Route).Select(e => (e.Source, e.Target)).ToHashSet();
        Assert.Contains((If(Web, 5), If(Host, 3)), routes); // the lesson's `route`: docker0 is the gateway
        Assert.Contains((If(Db, 5), If(Host, 3)), routes);
        Assert.Contains((If(Host, 2), TopologyBuilder.ExternalId), routes);
        Assert.Equal("10.0.2.2", Node<ExternalNode>(TopologyBuilder.ExternalId).Gateway);
        Assert.Equal("172.17.0.1", Node<NetnsNode>(NetnsIdOf(Web)).DefaultGateway);
    }

    [Fact]
    public void Masquerade_links_the_bridge_whose_subnet_it_covers_and_the_outside_world()
    {
        var masq = Assert.Single(Snapshot.Nodes.OfType<NatRuleNode>(), n => n.Source == "172.17.0.0/16");
        var targets = Snapshot.Edges.Where(e => e.Source == masq.Id).Select(e => e.Target).ToHashSet();
        Assert.Equal(new HashSet<string> { If(Host, 3), TopologyBuilder.ExternalId }, targets);
        // The internal network's bridge gets no MASQUERADE edge.
        Assert.DoesNotContain(Snapshot.Edges, e => e.Kind == EdgeKinds.Nat && e.Target == If(Host, 10));
        // The hairpin rule (-s 172.17.0.2/32) belongs to the interface owning that address.
        var hairpin = Assert.Single(Snapshot.Nodes.OfType<NatRuleNode>(), n => n.Source == "172.17.0.2/32");
        Assert.Equal(If(Web, 5), Assert.Single(Snapshot.Edges, e => e.Source == hairpin.Id).Target);
    }

    [Fact]
    public void Dnat_links_host_address_to_the_container_interface_and_container_owning_the_destination()
    {
        var dnat = Assert.Single(Snapshot.Nodes.OfType<NatRuleNode>(), n => n.Target == "DNAT");
        Assert.Equal(("tcp", "127.0.0.1", 8080, "172.17.0.2", 80), (dnat.Protocol, dnat.HostIp, dnat.HostPort, dnat.ToIp, dnat.ToPort));
        var p = JsonSerializer.SerializeToElement<TopologyNode>(dnat, TopologyJson.Options).GetProperty("props");
        Assert.Equal(JsonValueKind.Number, p.GetProperty("hostPort").ValueKind);
        var outgoing = Snapshot.Edges.Where(e => e.Source == dnat.Id).Select(e => e.Target).ToHashSet();
        Assert.Equal(new HashSet<string> { If(Web, 5), TopologyBuilder.ContainerId(WebId) }, outgoing);
        Assert.Contains(Snapshot.Edges, e => e.Target == dnat.Id && e.Source == If(Host, 1)); // from 127.0.0.1 (lo)
        Assert.Equal(7, dnat.Packets);
    }

    [Fact]
    public void Docker_networks_point_to_their_bridges()
    {
        var bridgeNet = Node<NetworkNode>(TopologyBuilder.NetworkId(BridgeNetId));
        Assert.Equal(If(Host, 3), bridgeNet.Bridge);
        Assert.Equal(If(Host, 10), Node<NetworkNode>(TopologyBuilder.NetworkId(InternalNetId)).Bridge);
        Assert.True(Node<NetworkNode>(TopologyBuilder.NetworkId(InternalNetId)).Internal);
        Assert.Null(Node<NetworkNode>(TopologyBuilder.NetworkId(HostNetId)).Bridge);
        Assert.Contains(Snapshot.Edges, e => e.Kind == EdgeKinds.NetworkBridge && e.Source == bridgeNet.Id && e.Target == If(Host, 3));
    }

    [Fact]
    public void Every_edge_joins_existing_nodes_and_every_parent_exists()
    {
        var ids = Snapshot.Nodes.Select(n => n.Id).ToHashSet();
        Assert.Equal(Snapshot.Nodes.Length, ids.Count);
        Assert.All(Snapshot.Edges, e => Assert.True(ids.Contains(e.Source) && ids.Contains(e.Target), e.Id));
        Assert.All(Snapshot.Nodes.Where(n => n.Parent is not null), n => Assert.Contains(n.Parent!, ids));
        Assert.Equal(Snapshot.Edges.Length, Snapshot.Edges.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void Ids_are_stable_and_counters_only_update_props()
    {
        var nat = Nat();
        var later = TopologyBuilder.Build(Readings(nat: nat with { Rules = [.. nat.Rules.Select(r => r with { Packets = r.Packets + 5 })] }));
        Assert.Equal(Snapshot.Nodes.Select(n => n.Id).Order(), later.Nodes.Select(n => n.Id).Order());
        Assert.Equal(Snapshot.Edges.Select(n => n.Id).Order(), later.Edges.Select(n => n.Id).Order());
        var changed = later.Nodes.Where(n => !n.Equals(Snapshot.Nodes.Single(o => o.Id == n.Id))).Select(n => n.Kind).Distinct();
        Assert.Equal([NodeKinds.NatRule], changed);
    }

    [Fact]
    public void The_filter_table_and_chain_policies_stay_typed_on_the_snapshot_but_out_of_the_json()
    {
        var filter = new NatRule { Table = "filter", Chain = "DOCKER-USER", Position = 1, Target = "RETURN", Rule = "-A DOCKER-USER -j RETURN", Packets = 3 };
        var chain = new ChainInfo("filter", "FORWARD", "DROP", 17, 1020);
        var snapshot = TopologyBuilder.Build(Readings(nat: Nat() with { FilterRules = [filter], Chains = [chain] }));
        Assert.Equal([filter], snapshot.Filter.Rules);
        Assert.Equal([chain], snapshot.Filter.Chains);
        // The packet-path view will document them first (docs/api.md); until then the contract does not carry them.
        Assert.False(JsonSerializer.SerializeToElement(snapshot, TopologyJson.Options).TryGetProperty("filter", out _));
    }

    [Fact]
    public void Missing_docker_keeps_the_host_view_and_reports_why()
    {
        var down = new DockerView { Ok = false, Endpoint = "unix:///var/run/docker.sock", Error = "Cannot connect to the Docker engine" };
        var snapshot = TopologyBuilder.Build(Readings(docker: down));
        Assert.False(snapshot.Sources.Docker.Ok);
        Assert.Equal("Cannot connect to the Docker engine", snapshot.Sources.Docker.Error);
        Assert.Contains(snapshot.Nodes, n => n.Id == If(Web, 5));
        Assert.DoesNotContain(snapshot.Nodes, n => n.Kind == NodeKinds.Container);
        Assert.Equal("netns " + Web, snapshot.Nodes.Single(n => n.Id == NetnsIdOf(Web)).Label);
    }

    [Fact]
    public void A_DNAT_in_a_chain_nothing_jumps_to_is_listed_as_unreachable_without_edges()
    {
        var nat = Nat();
        // The same published-port DNAT, but in a chain no rule jumps to: iptables keeps it, no packet meets it.
        var orphan = nat.Rules[4] with { Chain = "ORPHAN", Position = 1, Rule = nat.Rules[4].Rule.Replace("-A DOCKER", "-A ORPHAN"), Reachable = false };
        var snapshot = TopologyBuilder.Build(Readings(nat with { Rules = [.. nat.Rules.Take(4), orphan] }));

        var node = Assert.Single(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Chain == "ORPHAN");
        Assert.False(node.Reachable);
        Assert.False(JsonSerializer.SerializeToElement<TopologyNode>(node, TopologyJson.Options).GetProperty("props").GetProperty("reachable").GetBoolean());
        Assert.DoesNotContain(snapshot.Edges, e => e.Source == node.Id || e.Target == node.Id);
        // In the lesson's rule set every rule is reachable and the live DNAT has its edges.
        Assert.All(Snapshot.Nodes.OfType<NatRuleNode>(), n => Assert.True(n.Reachable));
    }

    [Fact]
    public void Degraded_nat_is_not_ok_and_says_why_and_warnings_are_bounded()
    {
        var nat = Nat() with
        {
            Ok = false, Degraded = true, Error = "NAT rules incomplete: more than 5000 rules: only the first 5000 were read.",
            Warnings = [.. Enumerable.Range(1, 80).Select(i => $"line {i}: {new string('x', 1000)}")],
        };
        var snapshot = TopologyBuilder.Build(Readings(nat));

        Assert.Equal((false, true, nat.Error), (snapshot.Sources.Nat.Ok, snapshot.Sources.Nat.Degraded, snapshot.Sources.Nat.Error));
        Assert.Equal(51, snapshot.Host.Warnings.Length);
        Assert.Equal("… and 30 more warnings", snapshot.Host.Warnings[^1]);
        Assert.All(snapshot.Host.Warnings, w => Assert.True(w.Length <= 300));
        var json = JsonSerializer.Serialize(snapshot, TopologyJson.Options);
        Assert.Contains("\"degraded\":true", json);
    }
}

public class NetworkGatewayAndParentTests
{
    private static string If(ulong ns, int index) => TopologyBuilder.InterfaceId(ns, index);

    private static TopologySnapshot BuildWith(Func<DockerView, DockerView> change) =>
        TopologyBuilder.Build(Readings(docker: change(LessonTopology.Docker())));

    [Fact]
    public void A_subnet_network_without_an_ipam_gateway_shows_its_bridges_address_inside_the_subnet()
    {
        // Docker 20.10 leaves IPAM's Gateway empty for `docker network create --subnet`; the bridge holds 10.99.0.1.
        var snapshot = BuildWith(d => d with { Networks = [.. d.Networks.Select(n => n.Id == InternalNetId ? n with { Gateways = [] } : n)] });
        var network = Assert.Single(snapshot.Nodes.OfType<NetworkNode>(), n => n.NetworkId == InternalNetId);
        Assert.Equal(["10.99.0.1"], network.Gateways.ToArray());
    }

    [Fact]
    public void Without_a_bridge_address_the_endpoints_gateway_is_used()
    {
        const string id = "4444444444440000000000000000000000000000000000000000000000000000";
        var snapshot = BuildWith(d => d with
        {
            Networks = [.. d.Networks, new() { Id = id, Name = "nv-nobridge", Driver = "bridge", Subnets = ["10.77.0.0/24"] }],
            Containers = [.. d.Containers.Select(c => c.Id == DbId
                ? c with { Endpoints = [.. c.Endpoints, new() { NetworkName = "nv-nobridge", NetworkId = id, IPAddress = "10.77.0.5", PrefixLength = 24, Gateway = "10.77.0.1" }] }
                : c)],
        });
        Assert.Equal(["10.77.0.1"], Assert.Single(snapshot.Nodes.OfType<NetworkNode>(), n => n.NetworkId == id).Gateways.ToArray());
    }

    [Fact]
    public void A_macvlan_network_hangs_from_its_parent_nic()
    {
        const string id = "5555555555550000000000000000000000000000000000000000000000000000";
        var snapshot = BuildWith(d => d with
        {
            Networks = [.. d.Networks, new() { Id = id, Name = "nv-lan", Driver = "macvlan", Subnets = ["10.88.0.0/24"], Gateways = ["10.88.0.1"],
                Options = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("parent", "eth0") }],
        });
        var network = Assert.Single(snapshot.Nodes.OfType<NetworkNode>(), n => n.NetworkId == id);
        Assert.Equal(If(Host, 2), network.ParentInterface);
        Assert.Equal("eth0", network.ParentInterfaceName);
        var edge = Assert.Single(snapshot.Edges.OfType<NetworkBridgeEdge>(), e => e.Source == network.Id);
        Assert.Equal(If(Host, 2), edge.Target);
    }
}
