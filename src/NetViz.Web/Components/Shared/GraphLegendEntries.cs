namespace NetViz.Web.Components.Shared;

/// <summary>
/// One node swatch of the legend.
/// </summary>
/// <param name="Selector">The graph stylesheet selector whose look this swatch copies (graph-style.js).</param>
/// <param name="Text">What it is, in the lesson's words.</param>
/// <param name="Shape">The Cytoscape shape of that selector: round-rectangle, barrel, round-tag, tag, cut-rectangle, ellipse, box.</param>
/// <param name="Fill">Palette key of the fill (graph-contract.json <c>palettes</c>).</param>
/// <param name="Border">Palette key of the border.</param>
/// <param name="BorderStyle">solid, dashed or double.</param>
/// <param name="Title">Palette key of a namespace box's title tab, else null.</param>
public sealed record LegendNode(string Selector, string Text, string Shape, string Fill, string Border, string BorderStyle = "solid", string? Title = null);

/// <summary>One edge swatch of the legend: a line in a palette colour, solid/dashed/dotted, with or without an arrow head.</summary>
public sealed record LegendEdge(string Selector, string Text, string Color, string LineStyle, bool Arrow, double Width);

/// <summary>A highlight the graph puts under an element (new, leaving, search match).</summary>
public sealed record LegendState(string Selector, string Text, string Color);

/// <summary>
/// The legend's entries. Shapes and palette keys are those of the graph's stylesheet (Scripts/graph-style.js); the
/// colours come from the contract both sides read (<see cref="GraphContract"/>, Scripts/graph-contract.json).
/// </summary>
public static class GraphLegendEntries
{
    public static IReadOnlyList<LegendNode> Nodes { get; } =
    [
        new("node.kind-netns.host", "Host network namespace", "round-rectangle", "hostFill", "hostBorder", Title: "hostTitleFill"),
        new("node.kind-netns", "Network namespace (a box)", "round-rectangle", "netnsFill", "netnsBorder", Title: "netnsTitleFill"),
        new("node.kind-netns.empty-ns", "Namespace with only lo", "round-rectangle", "netnsFill", "netnsBorder", "dashed", Title: "netnsTitleFill"),
        new("node.kind-container", "Container", "round-tag", "containerFill", "containerBorder"),
        new("node.kind-container.mode-host", "Container with --network host", "round-tag", "containerFill", "containerBorder", "double"),
        new("node.kind-interface.type-bridge", "Bridge: a virtual switch", "barrel", "bridgeFill", "bridgeBorder"),
        new("node.kind-interface.type-veth", "veth end", "round-rectangle", "vethFill", "vethBorder"),
        new("node.kind-interface.host-device, node.kind-interface.type-device", "Physical interface (NIC)", "round-rectangle", "deviceFill", "deviceBorder"),
        new("node.kind-interface.type-loopback", "Loopback (lo)", "round-rectangle", "loopbackFill", "loopbackBorder"),
        new("node.kind-interface.type-macvlan", "macvlan / vxlan / tun", "round-rectangle", "virtualFill", "virtualBorder"),
        new("node.kind-interface.down", "Interface that is down", "round-rectangle", "downFill", "downBorder", "dashed"),
        new("node.kind-network", "Docker network", "tag", "networkFill", "networkBorder"),
        new("node.kind-network.internal", "Docker network, --internal", "tag", "networkFill", "networkBorder", "dashed"),
        new("node.kind-nat-rule.masquerade", "Source NAT: MASQUERADE", "cut-rectangle", "masqueradeFill", "masqueradeBorder"),
        new("node.kind-nat-rule.dnat", "Destination NAT: published port", "cut-rectangle", "dnatFill", "dnatBorder"),
        new("node.kind-external", "Outside world", "ellipse", "externalFill", "externalBorder", "double"),
    ];

    public static IReadOnlyList<LegendEdge> Edges { get; } =
    [
        new("edge.kind-veth", "veth pair: a virtual cable", "vethEdge", "solid", false, 5),
        new("edge.kind-bridge-port", "Port plugged into a bridge", "bridgePortEdge", "solid", false, 3),
        new("edge.kind-network-bridge", "Docker network → its bridge", "networkBridgeEdge", "dotted", false, 2),
        new("edge.kind-nat", "MASQUERADE: rewrites the sender", "masqueradeBorder", "dashed", true, 3),
        new("edge.kind-nat.dnat", "DNAT: forwards a published port", "dnatBorder", "dashed", true, 3),
        new("edge.kind-route", "Default route", "routeEdge", "solid", true, 3),
        new("edge.kind-lower", "macvlan → its lower device", "lowerEdge", "dotted", false, 3),
        new("edge.kind-tunnel", "vxlan cable between hosts (hub)", "virtualBorder", "dashed", false, 5),
    ];

    public static IReadOnlyList<LegendState> States { get; } =
    [
        new(".nv-added", "Just appeared", "added"),
        new(".nv-leaving", "Just disappeared", "removed"),
        new(".nv-match, .nv-focus", "Search match", "match"),
        new(".nv-step", "What the lesson or a replayed step is about", "selection"),
    ];
}

/// <summary>The graph's palettes (<see cref="GraphContract.Palettes"/>, graph-contract.json), as the legend uses them.</summary>
public static class LegendPalette
{
    public static IReadOnlyDictionary<string, string> Light { get; } = GraphContract.Current.Palettes["light"];

    public static IReadOnlyDictionary<string, string> Dark { get; } = GraphContract.Current.Palettes["dark"];

    public static IReadOnlyDictionary<string, string> For(bool dark) => dark ? Dark : Light;
}
