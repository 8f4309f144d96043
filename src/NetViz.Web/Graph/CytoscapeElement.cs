using System.Text.Json.Serialization;
using NetViz.Core.Model;

namespace NetViz.Web.Graph;

/// <summary>One Cytoscape element as the graph module expects it: <c>{ group, data, classes }</c>.</summary>
public sealed record CytoscapeElement(string Group, CytoscapeElementData Data, string Classes)
{
    public const string Nodes = "nodes";
    public const string Edges = "edges";
}

/// <summary>
/// The <c>data</c> of a Cytoscape element. Members the graph module does not need for an element are
/// left out of the JSON (null), so a node never carries edge-only fields. Compares by value (tests compare payloads).
/// </summary>
public sealed record CytoscapeElementData
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Label { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Parent { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Source { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Target { get; init; }
    /// <summary>Interface type (veth, bridge, ...), network driver, or the nat edge's role.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Type { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Up { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? IsHost { get; init; }
    /// <summary>The iptables target of a nat-rule node (MASQUERADE, DNAT, ...).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? NatTarget { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Packets { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Bytes { get; init; }
    /// <summary>Ids of the Docker network nodes this element belongs to (for the network filter).</summary>
    public EquatableArray<string> Networks { get; init; } = [];
    /// <summary>
    /// A namespace box's overview tile text (lanes layout): who lives there, one per line, and its mode when that
    /// is not a bridge network ("network none", "ip netns"). Null on everything but non-host namespaces.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Tile { get; init; }
    /// <summary>Names, IPs, MACs, container names and images, space separated, for the search box.</summary>
    public required string Search { get; init; }
}

/// <summary>The payload of the graph module's <c>applyDiff</c>.</summary>
public sealed record CytoscapeDiff(
    long Sequence,
    IReadOnlyList<string> Remove,
    IReadOnlyList<CytoscapeElement> Add,
    IReadOnlyList<CytoscapeElement> Update)
{
    [JsonIgnore] public bool IsEmpty => Remove.Count == 0 && Add.Count == 0 && Update.Count == 0;
}
