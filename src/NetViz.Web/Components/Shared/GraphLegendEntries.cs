namespace NetViz.Web.Components.Shared;

/// <summary>One legend swatch. <see cref="Shape"/> is a CSS class (rect, round, diamond, ellipse, hexagon).</summary>
public sealed record LegendEntry(string Kind, string Text, string Fill, string Border, string Shape, string BorderStyle = "solid");

/// <summary>
/// Legend entries, one per node and edge kind of the snapshot contract. The colours follow the graph module's
/// stylesheet (netviz-graph.bundle.js); keep the two in step.
/// </summary>
public static class GraphLegendEntries
{
    public static IReadOnlyList<LegendEntry> Nodes { get; } =
    [
        new("netns", "Network namespace (box)", "rgba(120,144,156,0.12)", "#78909c", "rect", "dashed"),
        new("netns host", "Host namespace", "rgba(21,101,192,0.08)", "#1565c0", "rect"),
        new("container", "Container", "#fff3e0", "#ef6c00", "round"),
        new("interface bridge", "Bridge (docker0, br-…)", "#1e88e5", "#0d47a1", "diamond"),
        new("interface veth", "veth end", "#43a047", "#1b5e20", "ellipse"),
        new("interface device", "Host physical interface", "#546e7a", "#263238", "rect"),
        new("interface loopback", "Loopback", "#bdbdbd", "#757575", "ellipse"),
        new("interface other", "macvlan / vxlan / tun / other", "#8e24aa", "#4a148c", "ellipse"),
        new("network", "Docker network", "#e3f2fd", "#1565c0", "hexagon"),
        new("nat-rule masquerade", "NAT: MASQUERADE", "#fce4ec", "#c2185b", "round"),
        new("nat-rule dnat", "NAT: DNAT (published port)", "#fff8e1", "#f9a825", "round"),
        new("external", "Outside world", "#eceff1", "#37474f", "round"),
    ];

    public static IReadOnlyList<LegendEntry> Edges { get; } =
    [
        new("veth", "veth pair", "#43a047", "", "", "solid"),
        new("bridge-port", "bridge port", "#1e88e5", "", "", "solid"),
        new("network-bridge", "network → its bridge", "#1565c0", "", "", "dotted"),
        new("nat", "NAT rule applies to", "#c2185b", "", "", "dashed"),
        new("lower", "macvlan/vxlan → lower device", "#8e24aa", "", "", "dashed"),
        new("route", "default route", "#37474f", "", "", "solid"),
        new("attachment", "container on network", "#90a4ae", "", "", "dotted"),
    ];
}
