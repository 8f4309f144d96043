using System.Collections.Immutable;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Correlation;

/// <summary>
/// A swarm host as Docker 20.10 lays it out: an attachable overlay network ov1 whose br0 and vxlan0 live in
/// /var/run/docker/netns/1-&lt;id&gt; (vxlan0 made in the host and moved there, so its IFLA_LINK_NETNSID is the host),
/// ingress_sbox, lb_&lt;id&gt;, and docker_gwbridge whose members only the network's inspect lists.
/// </summary>
public class OverlayTopologyTests
{
    private const ulong Host = 4026531840, Overlay = 4026532700, IngressSbox = 4026532701, Lb = 4026532702, Ctr = 4026532703;
    private const string Ov1Id = "abcdef1234567890000000000000000000000000000000000000000000000000";
    private const string IngressId = "9999999999ab0000000000000000000000000000000000000000000000000000";
    private const string GwId = "7777777777770000000000000000000000000000000000000000000000000000";
    private const string CtrId = "c0c0c0c0c0c00000000000000000000000000000000000000000000000000001";

    private static NetworkNamespaceView Ns(ulong inode, string path, ImmutableArray<LinkInfo> links, ImmutableDictionary<int, ulong>? nsids = null) => new()
    {
        Inode = inode, IsHost = false, Paths = [path], Links = links, Addresses = [], Routes = [],
        NsIdToInode = nsids ?? ImmutableDictionary<int, ulong>.Empty,
    };

    internal static SourceReadings Swarm() => new()
    {
        Hostname = "swarm", CollectedAt = DateTimeOffset.UnixEpoch,
        Host = new HostNetworkView
        {
            Ok = true, Error = null, HostInode = Host,
            Namespaces =
            [
                new NetworkNamespaceView
                {
                    Inode = Host, IsHost = true, Paths = ["/proc/self/ns/net"], Addresses = [], Routes = [],
                    Links = [new() { Index = 1, Name = "lo", Type = "loopback" }, new() { Index = 2, Name = "eth0", Type = "device" },
                        new() { Index = 8, Name = "docker_gwbridge", Type = "bridge" }],
                },
                Ns(Overlay, "/var/run/docker/netns/1-abcdef1234",
                [
                    new() { Index = 1, Name = "lo", Type = "loopback" },
                    new() { Index = 2, Name = "br0", Type = "bridge" },
                    // IFLA_LINK_NETNSID 0: the host, seen from the overlay namespace. IFLA_LINK is vxlan0's own ifindex from when it
                    // was made there (2 is the host's eth0 here): not a lower device.
                    new() { Index = 5, Name = "vxlan0", Type = "vxlan", Master = 2, Link = 2, LinkNetnsId = 0, Vxlan = new VxlanInfo(4097, 4789, null, null) },
                ], ImmutableDictionary<int, ulong>.Empty.Add(0, Host)),
                Ns(IngressSbox, "/var/run/docker/netns/ingress_sbox", [new() { Index = 1, Name = "lo", Type = "loopback" }]),
                Ns(Lb, "/var/run/docker/netns/lb_abcdef123", [new() { Index = 1, Name = "lo", Type = "loopback" }]),
                Ns(Ctr, "/var/run/docker/netns/0123456789ab", [new() { Index = 1, Name = "lo", Type = "loopback" }]),
            ],
        },
        Docker = new DockerView
        {
            Ok = true, Endpoint = "unix:///var/run/docker.sock",
            Containers = [new ContainerInfo { Id = CtrId, Name = "web", Image = "x", State = "running", Pid = 1, NetworkMode = "ov1", NetnsInode = Ctr,
                Endpoints = [new ContainerEndpoint { NetworkName = "ov1", NetworkId = Ov1Id, IPAddress = "10.0.1.2", PrefixLength = 24 }] }],
            Networks =
            [
                new DockerNetworkInfo { Id = Ov1Id, Name = "ov1", Driver = "overlay", Scope = "swarm", Subnets = ["10.0.1.0/24"], Gateways = ["10.0.1.1"] },
                new DockerNetworkInfo { Id = IngressId, Name = "ingress", Driver = "overlay", Scope = "swarm",
                    Endpoints = [new NetworkEndpoint { Key = "ingress-sbox", Name = "ingress-endpoint", IPv4Address = "10.0.0.2/24" }] },
                new DockerNetworkInfo { Id = GwId, Name = "docker_gwbridge", Driver = "bridge",
                    Options = ImmutableDictionary<string, string>.Empty.Add("com.docker.network.bridge.name", "docker_gwbridge"),
                    Endpoints =
                    [
                        new NetworkEndpoint { Key = CtrId, Name = "gateway_c0c0c0c0c0c0", IPv4Address = "172.18.0.3/16" },
                        new NetworkEndpoint { Key = "ingress-sbox", Name = "gateway_ingress-sbox", IPv4Address = "172.18.0.2/16" },
                    ] },
            ],
        },
        Nat = new NatView { Ok = true },
    };

    private static readonly TopologySnapshot Snapshot = TopologyBuilder.Build(Swarm());

    private static T Node<T>(string id) where T : TopologyNode => Assert.IsType<T>(Assert.Single(Snapshot.Nodes, n => n.Id == id));

    [Fact]
    public void Swarm_namespaces_are_named_after_what_they_are()
    {
        var overlay = Node<NetnsNode>(NodeId.Netns(Overlay));
        Assert.Equal(("overlay ov1", "overlay", NodeId.Network(Ov1Id)), (overlay.Label, overlay.DockerRole, overlay.Network));
        var sbox = Node<NetnsNode>(NodeId.Netns(IngressSbox));
        Assert.Equal(("ingress_sbox", "ingress-sandbox", NodeId.Network(IngressId)), (sbox.Label, sbox.DockerRole, sbox.Network));
        var lb = Node<NetnsNode>(NodeId.Netns(Lb));
        Assert.Equal(("lb ov1", "load-balancer"), (lb.Label, lb.DockerRole));
        Assert.Equal(("web", null), (Node<NetnsNode>(NodeId.Netns(Ctr)).Label, Node<NetnsNode>(NodeId.Netns(Ctr)).DockerRole));
    }

    [Fact]
    public void The_overlay_network_is_its_namespace_br0_and_vxlan0_has_its_vni_port_and_underlay_in_the_host()
    {
        var ov1 = Node<NetworkNode>(NodeId.Network(Ov1Id));
        Assert.Equal((NodeId.Interface(Overlay, 2), "br0", NodeId.Netns(Overlay)), (ov1.Bridge, ov1.BridgeName, ov1.Netns));
        var edge = Assert.Single(Snapshot.Edges.OfType<NetworkBridgeEdge>(), e => e.Source == ov1.Id);
        Assert.Equal(NodeId.Interface(Overlay, 2), edge.Target);

        var vxlan = Node<InterfaceNode>(NodeId.Interface(Overlay, 5));
        Assert.Equal((4097, 4789, NodeId.Netns(Host)), (vxlan.VxlanId, vxlan.VxlanPort, vxlan.UnderlayNetns));
        var underlay = Assert.Single(Snapshot.Edges.OfType<UnderlayEdge>());
        Assert.Equal((vxlan.Id, NodeId.Netns(Host), 4097, 4789), (underlay.Source, underlay.Target, underlay.VxlanId, underlay.VxlanPort));
        Assert.Empty(Snapshot.Edges.OfType<LowerEdge>());
    }

    [Fact]
    public void Docker_gwbridge_and_ingress_list_their_members_containers_and_sandboxes()
    {
        var gw = Node<NetworkNode>(NodeId.Network(GwId));
        Assert.Equal([NodeId.Container(CtrId)], gw.Containers);
        Assert.Equal(NodeId.Interface(Host, 8), gw.Bridge);
        Assert.Equal([("gateway_c0c0c0c0c0c0", NodeId.Container(CtrId), null, "172.18.0.3/16"), ("gateway_ingress-sbox", null, NodeId.Netns(IngressSbox), "172.18.0.2/16")],
            gw.Endpoints.Select(e => (e.Name, e.Container, e.Netns, e.IPv4Address)));
        var ingress = Node<NetworkNode>(NodeId.Network(IngressId));
        Assert.Equal(NodeId.Netns(IngressSbox), Assert.Single(ingress.Endpoints).Netns);
        Assert.Null(ingress.Bridge); // its 1-<id> namespace is not in these readings
    }
}
