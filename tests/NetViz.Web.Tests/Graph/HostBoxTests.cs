using NetViz.Core.Model;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Graph;

/// <summary>A hub's snapshot in the graph: one box per host around that host's namespaces, grey while it does not answer.</summary>
public sealed class HostBoxTests
{
    private static TopologySnapshot Hub(string status, string? reason, DateTimeOffset? lastSeen)
    {
        var single = SampleTopology.Create();
        var host = new HostNode
        {
            Id = "host:node-3", Label = "node-3", Name = "node-3", Url = "http://10.0.0.3:5001", Hostname = "worker3",
            Status = status, Reason = reason, LastSeen = lastSeen,
        };
        return single with { Nodes = [host, .. single.Nodes.Select(n => n.Parent is null ? n with { Parent = host.Id } : n)] };
    }

    [Fact]
    public void A_host_is_a_box_before_its_namespaces_and_an_unreachable_one_is_grey_with_reason_and_last_seen()
    {
        var elements = CytoscapeElementMapper.ToElements(Hub(HostStatuses.Unreachable, "Connection refused", DateTimeOffset.Parse("2026-11-29T08:41:07Z")));
        var host = elements.First();
        Assert.Equal("host:node-3", host.Data.Id);
        Assert.Equal(["kind-host", "status-unreachable", "down"], host.Classes.Split(' '));
        Assert.Equal("node-3 (worker3) · unreachable: Connection refused · last seen 08:41:07 UTC", host.Data.Label);
        Assert.All(elements.Where(e => e.Data.Kind == NodeKinds.Netns), e => Assert.Equal("host:node-3", e.Data.Parent));

        var ok = CytoscapeElementMapper.ToElements(Hub(HostStatuses.Ok, null, DateTimeOffset.UnixEpoch)).First();
        Assert.Equal(["kind-host", "status-ok"], ok.Classes.Split(' '));
        Assert.Equal("node-3 (worker3)", ok.Data.Label);
    }

    [Fact]
    public void The_show_list_offers_each_host_of_a_hub_and_a_single_host_none()
    {
        var hub = Hub(HostStatuses.Ok, null, null);
        var options = NetViz.Web.Components.Pages.Topology.ShowOptionsFor(new TopologyIndex(hub), null);
        var host = Assert.Single(options, o => o.Value == "host:node-3");
        Assert.Equal("host node-3", host.Text);
        Assert.DoesNotContain(NetViz.Web.Components.Pages.Topology.ShowOptionsFor(new TopologyIndex(SampleTopology.Create()), null),
            o => o.Value.StartsWith("host:", StringComparison.Ordinal));
    }
}
