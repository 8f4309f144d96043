using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetViz.Web.Components.Shared;
using NetViz.Web.Live;

namespace NetViz.Web.Tests.Components;

/// <summary>The legend drawn in the graph's palettes (<see cref="GraphContract"/>), following the theme.</summary>
public class GraphLegendTests : DashboardTestContext
{
    private static IReadOnlyDictionary<string, string> Palette(string name) => GraphContract.Current.Palettes[name];

    [Fact]
    public void Swatches_switch_to_the_dark_palette_with_the_theme()
    {
        var legend = Render<GraphLegend>();
        var bridge = legend.Find("[data-selector='node.kind-interface.type-bridge']");
        Assert.Equal(Palette("light")["bridgeFill"], bridge.GetAttribute("data-fill"));
        Assert.Equal(Palette("light")["bridgeFill"], bridge.QuerySelector("path")!.GetAttribute("fill"));

        Services.GetService<DashboardViewState>()!.SetDarkMode(true);

        legend.WaitForAssertion(() =>
            Assert.Equal(Palette("dark")["bridgeFill"], legend.Find("[data-selector='node.kind-interface.type-bridge'] path").GetAttribute("fill")));
        Assert.NotEqual(Palette("light")["bridgeFill"], Palette("dark")["bridgeFill"]);
        Assert.Equal(Palette("dark")["vethEdge"], legend.Find("[data-selector='edge.kind-veth'] line").GetAttribute("stroke"));
        Assert.Equal("dark", legend.Find("[data-testid='graph-legend']").GetAttribute("data-theme"));
    }

    [Fact]
    public void Every_entry_is_drawn_once_in_its_order()
    {
        var legend = Render<GraphLegend>();
        Assert.Equal(GraphLegendEntries.Nodes.Select(n => n.Selector), legend.FindAll("[data-testid='legend-node']").Select(e => e.GetAttribute("data-selector")));
        Assert.Equal(GraphLegendEntries.Edges.Select(n => n.Selector), legend.FindAll("[data-testid='legend-edge']").Select(e => e.GetAttribute("data-selector")));
        Assert.Equal(GraphLegendEntries.States.Select(n => n.Selector), legend.FindAll("[data-testid='legend-state']").Select(e => e.GetAttribute("data-selector")));
    }
}
