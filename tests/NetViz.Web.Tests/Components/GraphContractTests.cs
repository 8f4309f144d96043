using System.Reflection;
using NetViz.Core.Model;
using NetViz.Web.Components.Pages;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// The C# side against Scripts/graph-contract.json, the file the browser module is bundled with. (The module checks
/// its own stylesheet against the same file when it loads, so a selector outside the contract fails in the browser.)
/// </summary>
public class GraphContractTests
{
    private static readonly GraphContract Contract = GraphContract.Current;

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void The_contract_has_exactly_the_kinds_of_the_core_model()
    {
        Assert.Equal(Constants(typeof(NodeKinds)).Order(), Contract.NodeKinds.Order());
        Assert.Equal(Constants(typeof(EdgeKinds)).Order(), Contract.EdgeKinds.Order());
    }

    [Fact]
    public void Every_nat_role_and_the_route_have_an_arrow_end()
    {
        Assert.Equal(Constants(typeof(NatRoles)).Select(r => "nat:" + r).Append("route").Order(), Contract.PacketArrows.Keys.Order());
        Assert.All(Contract.PacketArrows.Values, end => Assert.Contains(end, new[] { "source", "target" }));
    }

    /// <summary>
    /// Reads each drawn arrow of the lesson's host the way a learner does (from the end without the head to the end
    /// with it) and checks it against where packets go: out through MASQUERADE, in through DNAT, out by the route.
    /// </summary>
    [Fact]
    public void Every_arrow_points_the_way_packets_travel()
    {
        var snapshot = SampleTopology.Create();
        var index = new TopologyIndex(snapshot);
        var flows = new List<(string Role, TopologyNode From, TopologyNode To)>();
        foreach (var edge in snapshot.Edges.Where(e => e is NatEdge or RouteEdge))
        {
            var key = edge is NatEdge nat ? "nat:" + nat.Role : "route";
            var (from, to) = Contract.PacketArrows[key] == "target" ? (edge.Source, edge.Target) : (edge.Target, edge.Source);
            flows.Add((key, index.Node(from)!, index.Node(to)!));
        }
        Assert.Contains(flows, f => f.Role == "nat:masquerade");
        Assert.Contains(flows, f => f.Role == "nat:dnat-to");
        Assert.Contains(flows, f => f.Role == "route");
        foreach (var (role, from, to) in flows)
        {
            switch (role)
            {
                case "nat:masquerade":
                    // From the bridge (its subnet's traffic) into the rule that rewrites the source.
                    Assert.IsType<InterfaceNode>(from);
                    Assert.Equal("MASQUERADE", Assert.IsType<NatRuleNode>(to).Target);
                    break;
                case "nat:egress" or "nat:masquerade-out":
                    Assert.Equal("MASQUERADE", Assert.IsType<NatRuleNode>(from).Target);
                    break;
                case "nat:dnat-from":
                    Assert.IsType<InterfaceNode>(from);
                    Assert.Equal("DNAT", Assert.IsType<NatRuleNode>(to).Target);
                    break;
                case "nat:dnat-to" or "nat:dnat-to-container":
                    Assert.Equal("DNAT", Assert.IsType<NatRuleNode>(from).Target);
                    Assert.True(to is ContainerNode || (to is InterfaceNode && to.Parent != SampleTopology.HostNs), $"DNAT arrow ends at {to.Id}");
                    break;
                case "route":
                    Assert.IsType<InterfaceNode>(from);
                    break;
            }
        }
    }

    [Fact]
    public void Every_kind_and_class_the_mapper_emits_is_in_the_contract()
    {
        var snapshots = new[] { SampleTopology.Create(), SampleTopology.WithCacheContainer(SampleTopology.Create()), SampleTopology.Create(dockerOk: false) };
        var elements = snapshots.SelectMany(CytoscapeElementMapper.ToElements).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in elements)
        {
            Assert.Contains(element.Data.Kind, element.Group == CytoscapeElement.Nodes ? Contract.NodeKinds : Contract.EdgeKinds);
            foreach (var cls in element.Classes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                seen.Add(cls);
                // type-<link type or driver> is open-ended (whatever the kernel reports); the contract lists the styled ones.
                if (!cls.StartsWith("type-", StringComparison.Ordinal))
                    Assert.True(Contract.Classes.Contains(cls), $"{element.Data.Id} has class '{cls}', which graph-contract.json does not define");
            }
        }
        // The sample exercises the modifiers the stylesheet keys on, so the check above is not vacuous.
        Assert.Superset(new HashSet<string> { "host", "empty-ns", "host-device", "down", "masquerade", "dnat", "mode-none", "mode-host", "mode-container", "kind-route" }, seen);
    }

    [Fact]
    public void Both_palettes_define_the_same_colour_roles_and_every_legend_swatch_uses_defined_roles_and_classes()
    {
        var light = Contract.Palettes["light"];
        var dark = Contract.Palettes["dark"];
        Assert.Equal(light.Keys.Order(), dark.Keys.Order());
        Assert.All(light.Values.Concat(dark.Values), c => Assert.Matches("^#[0-9a-f]{6}$", c));

        var roles = GraphLegendEntries.Nodes.SelectMany(n => new[] { n.Fill, n.Border, n.Title })
            .Concat(GraphLegendEntries.Edges.Select(e => e.Color))
            .Concat(GraphLegendEntries.States.Select(s => s.Color))
            .OfType<string>();
        Assert.All(roles, role => Assert.True(light.ContainsKey(role), $"palette role {role}"));

        var selectors = GraphLegendEntries.Nodes.Select(n => n.Selector).Concat(GraphLegendEntries.Edges.Select(e => e.Selector))
            .Concat(GraphLegendEntries.States.Select(s => s.Selector));
        foreach (var selector in selectors)
            foreach (var cls in selector.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries).SelectMany(s => s.Split('.').Skip(1)))
                Assert.True(Contract.Classes.Contains(cls), $"legend selector '{selector}' uses '{cls}'");
    }

    [Fact]
    public void The_layout_menu_offers_the_contract_s_layouts_starting_with_its_default()
    {
        Assert.Equal(["lanes", "layered", "fcose"], Topology.Layouts);
        Assert.Equal("lanes", Topology.DefaultLayout);
        Assert.Contains(Topology.DefaultLayout, Topology.Layouts);
    }
}
