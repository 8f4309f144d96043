namespace NetViz.Web.Components.Shared;

/// <summary>
/// One node swatch of the legend.
/// </summary>
/// <param name="Selector">The graph stylesheet selector whose look this swatch copies (graph-style.js).</param>
/// <param name="Text">What it is, in the lesson's words.</param>
/// <param name="Shape">The Cytoscape shape of that selector: round-rectangle, barrel, round-tag, tag, cut-rectangle, ellipse, box.</param>
/// <param name="Fill">Palette key of the fill (graph-style.js <c>palettes</c>).</param>
/// <param name="Border">Palette key of the border.</param>
/// <param name="BorderStyle">solid, dashed or double.</param>
/// <param name="Title">Palette key of a namespace box's title tab, else null.</param>
public sealed record LegendNode(string Selector, string Text, string Shape, string Fill, string Border, string BorderStyle = "solid", string? Title = null);

/// <summary>One edge swatch of the legend: a line in a palette colour, solid/dashed/dotted, with or without an arrow head.</summary>
public sealed record LegendEdge(string Selector, string Text, string Color, string LineStyle, bool Arrow, double Width);

/// <summary>A highlight the graph puts under an element (new, leaving, search match).</summary>
public sealed record LegendState(string Selector, string Text, string Color);

/// <summary>
/// The legend's entries. Shapes and palette keys are those of the graph's stylesheet (Scripts/graph-style.js);
/// <see cref="LegendPalette"/> holds that file's colours, and a test reads the file to keep the two equal.
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
    ];

    public static IReadOnlyList<LegendState> States { get; } =
    [
        new(".nv-added", "Just appeared", "added"),
        new(".nv-leaving", "Just disappeared", "removed"),
        new(".nv-match, .nv-focus", "Search match", "match"),
    ];
}

/// <summary>The graph stylesheet's palettes (Scripts/graph-style.js <c>palettes.light</c> / <c>palettes.dark</c>), the keys the legend uses.</summary>
public static class LegendPalette
{
    public static IReadOnlyDictionary<string, string> Light { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["background"] = "#ffffff",
        ["text"] = "#17202a",
        ["netnsFill"] = "#f3f5f8",
        ["netnsBorder"] = "#78879a",
        ["netnsTitleFill"] = "#5b6b7f",
        ["hostFill"] = "#e6f0fc",
        ["hostBorder"] = "#1565c0",
        ["hostTitleFill"] = "#1565c0",
        ["vethFill"] = "#e3f4e4",
        ["vethBorder"] = "#2e7d32",
        ["deviceFill"] = "#dde7f3",
        ["deviceBorder"] = "#0d47a1",
        ["bridgeFill"] = "#ffe08a",
        ["bridgeBorder"] = "#b26a00",
        ["loopbackFill"] = "#f1f1f1",
        ["loopbackBorder"] = "#9e9e9e",
        ["virtualFill"] = "#ede4f7",
        ["virtualBorder"] = "#6a3d9a",
        ["downFill"] = "#eeeeee",
        ["downBorder"] = "#9e9e9e",
        ["containerFill"] = "#1d63ed",
        ["containerBorder"] = "#0b3d91",
        ["networkFill"] = "#c8ede8",
        ["networkBorder"] = "#00796b",
        ["externalFill"] = "#e8f4fd",
        ["externalBorder"] = "#5d8fb8",
        ["masqueradeFill"] = "#f3e3f7",
        ["masqueradeBorder"] = "#8e24aa",
        ["dnatFill"] = "#fde6dc",
        ["dnatBorder"] = "#d84315",
        ["vethEdge"] = "#2e7d32",
        ["bridgePortEdge"] = "#b26a00",
        ["routeEdge"] = "#1565c0",
        ["lowerEdge"] = "#6a3d9a",
        ["networkBridgeEdge"] = "#00796b",
        ["match"] = "#ffd600",
        ["added"] = "#00c853",
        ["removed"] = "#d50000",
    };

    public static IReadOnlyDictionary<string, string> Dark { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["background"] = "#161b22",
        ["text"] = "#e8edf2",
        ["netnsFill"] = "#1f2630",
        ["netnsBorder"] = "#8b9bb0",
        ["netnsTitleFill"] = "#56657a",
        ["hostFill"] = "#172a42",
        ["hostBorder"] = "#64b5f6",
        ["hostTitleFill"] = "#1e6fc4",
        ["vethFill"] = "#1d3a22",
        ["vethBorder"] = "#81c784",
        ["deviceFill"] = "#1a3356",
        ["deviceBorder"] = "#90caf9",
        ["bridgeFill"] = "#5a4300",
        ["bridgeBorder"] = "#ffca28",
        ["loopbackFill"] = "#2a2f36",
        ["loopbackBorder"] = "#7d8794",
        ["virtualFill"] = "#35264a",
        ["virtualBorder"] = "#ce93d8",
        ["downFill"] = "#2a2d31",
        ["downBorder"] = "#7d8794",
        ["containerFill"] = "#2f7bf5",
        ["containerBorder"] = "#9cc2ff",
        ["networkFill"] = "#0f3d38",
        ["networkBorder"] = "#4db6ac",
        ["externalFill"] = "#1b3148",
        ["externalBorder"] = "#7fb3dd",
        ["masqueradeFill"] = "#3d1a47",
        ["masqueradeBorder"] = "#e28bf5",
        ["dnatFill"] = "#4a1d0c",
        ["dnatBorder"] = "#ff8a65",
        ["vethEdge"] = "#81c784",
        ["bridgePortEdge"] = "#ffca28",
        ["routeEdge"] = "#64b5f6",
        ["lowerEdge"] = "#ce93d8",
        ["networkBridgeEdge"] = "#4db6ac",
        ["match"] = "#ffea00",
        ["added"] = "#00e676",
        ["removed"] = "#ff5252",
    };

    public static IReadOnlyDictionary<string, string> For(bool dark) => dark ? Dark : Light;
}
