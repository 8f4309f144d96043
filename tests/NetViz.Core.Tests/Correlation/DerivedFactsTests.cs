using NetViz.Core.Correlation;
using NetViz.Core.Model;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Correlation;

/// <summary>What Core derives from the whole graph, on the lesson's host, so no subscriber correlates again.</summary>
public class DerivedFactsTests
{
    private static readonly TopologySnapshot Snapshot = TopologyBuilder.Build(Readings());

    private static T Node<T>(string id) where T : TopologyNode => Assert.IsType<T>(Assert.Single(Snapshot.Nodes, n => n.Id == id));
    private static string If(ulong ns, int index) => NodeId.Interface(ns, index);
    private static readonly string BridgeNet = NodeId.Network(BridgeNetId), InternalNet = NodeId.Network(InternalNetId);

    [Fact]
    public void Membership_follows_bridge_ports_veth_peers_and_the_containers_mac_or_ip()
    {
        Assert.Equal([BridgeNet], Node<InterfaceNode>(If(Host, 3)).Membership);   // docker0 implements "bridge"
        Assert.Equal([BridgeNet], Node<InterfaceNode>(If(Host, 7)).Membership);   // a port of docker0
        Assert.Equal([BridgeNet], Node<InterfaceNode>(If(Web, 5)).Membership);    // web's eth0: peer of the port, and web's MAC
        Assert.Equal([BridgeNet], Node<InterfaceNode>(If(Db, 5)).Membership);     // db's eth0: db has no MAC in Docker's view, its IP matches
        Assert.Equal([InternalNet], Node<InterfaceNode>(If(Iso, 5)).Membership);
        Assert.Empty(Node<InterfaceNode>(If(Web, 1)).Membership);                // lo
        Assert.Equal([BridgeNet], Node<ContainerNode>(NodeId.Container(SidecarId)).Membership); // container:web shares web's networks
        Assert.Equal([BridgeNet], Node<NetnsNode>(NodeId.Netns(Web)).Membership);
        // The host box holds both bridges, and the host-mode container attached to Docker's "host" network.
        Assert.Equal([BridgeNet, InternalNet, NodeId.Network(HostNetId)], Node<NetnsNode>(NodeId.Netns(Host)).Membership);
        var dnat = Assert.Single(Snapshot.Nodes.OfType<NatRuleNode>(), r => r.Target == "DNAT");
        Assert.Equal([BridgeNet], dnat.Membership);                              // --to-destination 172.17.0.2 is in 172.17.0.0/16
        // An edge is on the networks both of its ends are on.
        var cable = Assert.Single(Snapshot.Edges.OfType<VethEdge>(), e => e.Target == If(Web, 5) || e.Source == If(Web, 5));
        Assert.Equal([BridgeNet], cable.Membership);
        Assert.Empty(Assert.Single(Snapshot.Edges.OfType<LowerEdge>()).Membership);
    }

    [Fact]
    public void Empty_namespaces_host_interfaces_and_shared_namespaces_are_marked()
    {
        Assert.True(Node<NetnsNode>(NodeId.Netns(None)).HasOnlyLoopback);
        Assert.False(Node<NetnsNode>(NodeId.Netns(Web)).HasOnlyLoopback);
        Assert.True(Node<InterfaceNode>(If(Host, 2)).InHostNamespace);
        Assert.False(Node<InterfaceNode>(If(Web, 5)).InHostNamespace);
        // --network container:<full id> reads as the name of that container, once, for every page.
        Assert.Equal("web", Node<ContainerNode>(NodeId.Container(SidecarId)).SharesNetnsWith);
        Assert.Null(Node<ContainerNode>(NodeId.Container(WebId)).SharesNetnsWith);
        Assert.Equal(BridgeNet, Assert.Single(Node<ContainerNode>(NodeId.Container(WebId)).Networks).NetworkNode);
    }

    [Fact]
    public void A_nat_edge_has_the_translation_of_its_rule_and_a_container_arrow_always_has_an_interface_arrow_beside_it()
    {
        var edges = Snapshot.Edges.OfType<NatEdge>().ToList();
        Assert.All(edges.Where(e => e.Role is NatRoles.DnatTo or NatRoles.DnatToContainer or NatRoles.DnatFrom),
            e => Assert.Equal(NatTranslation.Destination, e.Translation));
        Assert.All(edges.Where(e => e.Role is NatRoles.Masquerade or NatRoles.Egress),
            e => Assert.Equal(NatTranslation.Source, e.Translation));
        // The dashboard leaves the container arrow out because the interface arrow says it already.
        var toContainer = Assert.Single(edges, e => e.Role == NatRoles.DnatToContainer);
        Assert.Contains(edges, e => e.Role == NatRoles.DnatTo && e.Source == toContainer.Source);
    }

    [Fact]
    public void Completing_twice_changes_nothing() =>
        Assert.Equal(Snapshot.Nodes.Concat<object>(Snapshot.Edges), DerivedFacts.Complete(Snapshot).Nodes.Concat<object>(DerivedFacts.Complete(Snapshot).Edges));
}
