using System.Text.Json.Serialization;

namespace NetViz.Web.Graph;

/// <summary>One Cytoscape element as the graph module expects it: <c>{ group, data, classes }</c>.</summary>
public sealed record CytoscapeElement(string Group, CytoscapeElementData Data, string Classes)
{
    public const string Nodes = "nodes";
    public const string Edges = "edges";
}

/// <summary>
/// The <c>data</c> of a Cytoscape element. Members the graph module does not need for an element are
/// left out of the JSON (null), so a node never carries edge-only fields.
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
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Networks { get; init; }
    /// <summary>
    /// A namespace box's overview tile text (lanes layout): who lives there, one per line, and its mode when that
    /// is not a bridge network ("network none", "ip netns"). Null on everything but non-host namespaces.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Tile { get; init; }
    /// <summary>Names, IPs, MACs, container names and images, space separated, for the search box.</summary>
    public required string Search { get; init; }

    // Records compare lists by reference; the mapper's diff needs value equality.
    public bool Equals(CytoscapeElementData? other) =>
        other is not null && Id == other.Id && Kind == other.Kind && Label == other.Label && Parent == other.Parent
        && Source == other.Source && Target == other.Target && Type == other.Type && Up == other.Up
        && IsHost == other.IsHost && NatTarget == other.NatTarget && Packets == other.Packets && Bytes == other.Bytes
        && Search == other.Search && Tile == other.Tile
        && (Networks ?? []).SequenceEqual(other.Networks ?? [], StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Id, Kind, Label, Parent, Source, Target, Search);
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
