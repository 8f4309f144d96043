using NetViz.Web.Graph;
using NetViz.Web.Views;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Views;

/// <summary>The drawer's related links: what they name must really belong to the selected element.</summary>
public class RelatedElementsTests
{
    private static IReadOnlyList<RelatedElement> Related(string id) => RelatedElements.For(new TopologyIndex(Create()), id);

    [Fact]
    public void A_container_eth0_links_its_peer_the_peers_bridge_side_and_its_own_container_not_host_mode_containers_or_bridgeless_networks()
    {
        // web's eth0: no master, its peer veth1a2b3c4 in the host namespace, where the host-mode container also lives.
        var related = Related("if:4026532301:6");

        Assert.Contains(related, r => r.Relation == RelatedElements.Rel.Peer && r.Id == "if:4026531840:7");
        Assert.Contains(related, r => r.Relation == RelatedElements.Rel.Container && r.Id == Ctr(WebId));
        Assert.DoesNotContain(related, r => r.Id == Ctr(HostnetId));
        Assert.DoesNotContain(related, r => r.Id == Net(NoneNetId));
        Assert.DoesNotContain(related, r => r.Relation == RelatedElements.Rel.Network);
    }

    [Fact]
    public void A_host_veth_links_the_container_at_the_other_end_and_the_network_of_its_bridge()
    {
        var related = Related("if:4026531840:7");

        Assert.Contains(related, r => r.Relation == RelatedElements.Rel.PeerContainer && r.Id == Ctr(WebId));
        Assert.Contains(related, r => r.Relation == RelatedElements.Rel.Network && r.Id == Net(BridgeNetId));
        Assert.DoesNotContain(related, r => r.Id == Net(NoneNetId));
        // The host's namespace is not its host-mode container's: a host veth end is not "hostnet's".
        Assert.DoesNotContain(related, r => r.Id == Ctr(HostnetId));
        Assert.Contains(related, r => r.Relation == RelatedElements.Rel.Namespace);
    }
}
