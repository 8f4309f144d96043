using System.Text.Json;
using NetViz.Core.Correlation;
using NetViz.Core.Hub;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Hub;

/// <summary>Cables between hosts: a vxlan's remote endpoints matched against the other hosts' addresses, through each agent's JSON.</summary>
public sealed class HubTunnelTests
{
    /// <summary>The lesson host with eth0 (ifindex 2) on <paramref name="address"/> and a vxlan.calico tunnelling to <paramref name="remotes"/>.</summary>
    private static AgentState Agent(string name, string address, params string[] remotes)
    {
        var readings = Readings();
        var hostNs = readings.Host.Namespaces.Single(n => n.IsHost);
        var vxlan = new LinkInfo
        {
            Index = 50, Name = "vxlan.calico", Type = "vxlan", Up = true, Mtu = 1450,
            Vxlan = new VxlanInfo(4096, 4789, 2, address) { FdbRemotes = remotes.ToEquatableArray() },
        };
        var changed = hostNs with
        {
            Links = hostNs.Links.Add(vxlan),
            Addresses = [.. hostNs.Addresses.Select(a => a.Address == "10.0.2.15" ? a with { Address = address } : a)],
        };
        readings = readings with { Host = readings.Host with { Namespaces = readings.Host.Namespaces.Replace(hostNs, changed) } };
        var json = JsonSerializer.Serialize(TopologyBuilder.Build(readings), TopologyJson.Options);
        var snapshot = DerivedFacts.Complete(AgentJson.ReadSnapshot(JsonDocument.Parse(json).RootElement, HubMerge.Prefix(name), out _));
        return new AgentState { Endpoint = new AgentEndpoint { Name = name, Url = $"http://{name}:5001" }, Status = HostStatuses.Ok, Snapshot = snapshot };
    }

    private static string Eth0(AgentState agent) => agent.Snapshot!.Nodes.OfType<InterfaceNode>().Single(i => i.Name == "eth0" && i.Parent == agent.Snapshot.Host.Netns).Id;
    private static string Vxlan(AgentState agent) => agent.Snapshot!.Nodes.OfType<InterfaceNode>().Single(i => i.Name == "vxlan.calico").Id;

    [Fact]
    public void A_remote_owned_by_exactly_one_other_host_is_a_cable_to_its_interface()
    {
        var a = Agent("a", "192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.7");
        var b = Agent("b", "192.0.2.2", "192.0.2.1");
        var c = Agent("c", "192.0.2.3");

        var merged = HubMerge.Merge([a, b, c], "hub", DateTimeOffset.UnixEpoch);

        var tunnels = merged.Edges.OfType<TunnelEdge>().OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
        // 198.51.100.7 is no host of this hub: no cable. c tunnels to nobody.
        Assert.Equal(
            [(Vxlan(a), Eth0(b), "192.0.2.2", "a", "b"), (Vxlan(a), Eth0(c), "192.0.2.3", "a", "c"), (Vxlan(b), Eth0(a), "192.0.2.1", "b", "a")],
            tunnels.Select(t => (t.Source, t.Target, t.Remote, t.SourceHost, t.TargetHost)).OrderBy(t => t.Source, StringComparer.Ordinal).ThenBy(t => t.Target, StringComparer.Ordinal));
        Assert.All(tunnels, t =>
        {
            Assert.Equal(EdgeId.Tunnel(t.Source, t.Target), t.Id);
            Assert.Equal((4096, 4789, VxlanOverlays.Calico), (t.VxlanId, t.VxlanPort, t.Overlay));
        });
        // The agent's JSON carried the remotes to the hub.
        Assert.Equal(["192.0.2.2", "192.0.2.3", "198.51.100.7"], a.Snapshot!.Nodes.OfType<InterfaceNode>().Single(i => i.Id == Vxlan(a)).VxlanRemotes);
        Assert.Equal(merged.Edges.Length, merged.Edges.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void A_remote_that_several_hosts_own_draws_no_cable_and_says_so()
    {
        var a = Agent("a", "192.0.2.1", "192.0.2.2");
        var b = Agent("b", "192.0.2.2");
        var c = Agent("c", "192.0.2.2");

        var merged = HubMerge.Merge([a, b, c], "hub", DateTimeOffset.UnixEpoch);

        Assert.Empty(merged.Edges.OfType<TunnelEdge>());
        Assert.Contains(merged.Host.Warnings, w => w.Contains("vxlan remotes owned by several hosts", StringComparison.Ordinal) && w.Contains("192.0.2.2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_remote_the_host_owns_itself_is_no_cable()
    {
        // Both hosts own 192.0.2.9 (a reused address): a's own copy wins, no cable to b.
        var a = Agent("a", "192.0.2.9", "192.0.2.9");
        var b = Agent("b", "192.0.2.9");

        Assert.Empty(HubMerge.Merge([a, b], "hub", DateTimeOffset.UnixEpoch).Edges.OfType<TunnelEdge>());
    }
}
