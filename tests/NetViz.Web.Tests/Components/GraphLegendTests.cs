using System.Text.RegularExpressions;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetViz.Web.Components.Shared;
using NetViz.Web.Live;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>The legend against the graph's real stylesheet, Scripts/graph-style.js, read from the source tree.</summary>
public partial class GraphLegendTests : DashboardTestContext
{
    private static readonly string StyleSource = SourceTree.Script("graph-style.js");

    /// <summary>The <c>key: '#rrggbb'</c> pairs of one palette object in graph-style.js.</summary>
    private static Dictionary<string, string> JsPalette(string name)
    {
        var start = StyleSource.IndexOf($"  {name}: {{", StringComparison.Ordinal);
        Assert.True(start >= 0, $"palette {name} not found in graph-style.js");
        var end = StyleSource.IndexOf("  },", start, StringComparison.Ordinal);
        return PalettePair().Matches(StyleSource[start..end]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    /// <summary>The style block of one selector in buildStyle.</summary>
    private static string StyleBlock(string selector)
    {
        // The selector alone, or the first of a comma-separated list.
        var at = -1;
        for (var from = 0; (from = StyleSource.IndexOf($"selector: '{selector}", from, StringComparison.Ordinal)) >= 0; from++)
        {
            var next = StyleSource[from + $"selector: '{selector}".Length];
            if (next is '\'' or ',') { at = from; break; }
        }
        Assert.True(at >= 0, $"selector {selector} not in graph-style.js");
        var end = StyleSource.IndexOf("selector:", at + 10, StringComparison.Ordinal);
        return StyleSource[at..(end < 0 ? StyleSource.Length : end)];
    }

    [Fact]
    public void Legend_palettes_equal_the_graph_stylesheet_palettes()
    {
        foreach (var (name, legend) in new[] { ("light", LegendPalette.Light), ("dark", LegendPalette.Dark) })
        {
            var js = JsPalette(name);
            foreach (var (key, colour) in legend)
                Assert.True(js.TryGetValue(key, out var jsColour) && jsColour == colour, $"{name}.{key}: legend {colour}, graph {(jsColour ?? "missing")}");
        }
    }

    [Fact]
    public void Every_swatch_names_a_selector_of_the_stylesheet_and_uses_its_colours_and_shape()
    {
        foreach (var node in GraphLegendEntries.Nodes)
        {
            var block = StyleBlock(node.Selector);
            // Namespace boxes take their shape from the netns rule; every other entry states its own.
            if (node.Title is null && block.Contains("shape:", StringComparison.Ordinal))
                Assert.Contains($"shape: '{node.Shape}'", block);
            foreach (var key in new[] { node.Fill, node.Border }.Distinct())
                if (block.Contains("p." + key, StringComparison.Ordinal) is false)
                    Assert.Contains("p." + key, StyleBlock(BaseSelector(node.Selector)));
        }
        foreach (var edge in GraphLegendEntries.Edges)
            Assert.Contains("p." + edge.Color, StyleBlock(edge.Selector));
        foreach (var state in GraphLegendEntries.States)
            Assert.Contains("p." + state.Color, StyleBlock(state.Selector));
    }

    /// <summary>node.kind-netns.empty-ns -> node.kind-netns: the rule a modifier class builds on.</summary>
    private static string BaseSelector(string selector) => string.Join('.', selector.Split(',')[0].Trim().Split('.').Take(2));

    [Fact]
    public void Swatches_switch_to_the_dark_palette_with_the_theme()
    {
        var legend = Render<GraphLegend>();
        var bridge = legend.Find("[data-selector='node.kind-interface.type-bridge']");
        Assert.Equal(JsPalette("light")["bridgeFill"], bridge.GetAttribute("data-fill"));
        Assert.Equal(JsPalette("light")["bridgeFill"], bridge.QuerySelector("path")!.GetAttribute("fill"));

        Services.GetService<DashboardViewState>()!.SetDarkMode(true);

        legend.WaitForAssertion(() =>
            Assert.Equal(JsPalette("dark")["bridgeFill"], legend.Find("[data-selector='node.kind-interface.type-bridge'] path").GetAttribute("fill")));
        Assert.Equal(JsPalette("dark")["vethEdge"], legend.Find("[data-selector='edge.kind-veth'] line").GetAttribute("stroke"));
        Assert.Equal("dark", legend.Find("[data-testid='graph-legend']").GetAttribute("data-theme"));
    }

    [GeneratedRegex(@"(\w+): '(#[0-9a-fA-F]{6})'")]
    private static partial Regex PalettePair();
}
