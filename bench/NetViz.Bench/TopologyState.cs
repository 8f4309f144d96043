using System.Text.Json;

namespace NetViz.Bench;

/// <summary>
/// A client-side copy of the topology, fed from a snapshot and diffs as docs/api.md says to apply them
/// (remove, add, then replace updated elements by id), and the check the live benchmark waits for.
/// </summary>
public sealed class TopologyState
{
    private readonly Dictionary<string, JsonElement> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement> _edges = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, JsonElement> Nodes => _nodes;

    public static TopologyState FromSnapshot(JsonElement snapshot)
    {
        var state = new TopologyState();
        state.Reset(snapshot);
        return state;
    }

    public void Reset(JsonElement snapshot)
    {
        _nodes.Clear();
        _edges.Clear();
        foreach (var n in snapshot.GetProperty("nodes").EnumerateArray()) _nodes[Id(n)] = n.Clone();
        foreach (var e in snapshot.GetProperty("edges").EnumerateArray()) _edges[Id(e)] = e.Clone();
    }

    public void ApplyDiff(JsonElement diff)
    {
        foreach (var id in Array(diff, "removedNodes")) _nodes.Remove(id.GetString()!);
        foreach (var id in Array(diff, "removedEdges")) _edges.Remove(id.GetString()!);
        foreach (var n in Array(diff, "addedNodes").Concat(Array(diff, "updatedNodes"))) _nodes[Id(n)] = n.Clone();
        foreach (var e in Array(diff, "addedEdges").Concat(Array(diff, "updatedEdges"))) _edges[Id(e)] = e.Clone();
    }

    public bool HasNode(string id) => _nodes.ContainsKey(id);

    /// <summary>Ids of the nodes a diff removes, adds or updates.</summary>
    public static IEnumerable<string> TouchedIds(JsonElement diff) =>
        Array(diff, "removedNodes").Select(id => id.GetString()!)
            .Concat(Array(diff, "addedNodes").Concat(Array(diff, "updatedNodes")).Select(Id));

    /// <summary>Names (node labels) of the wired containers.</summary>
    public IEnumerable<string> WiredContainerNames() =>
        WiredContainerIds().Select(id => _nodes["ctr:" + id].GetProperty("label").GetString()!);

    /// <summary>Full container ids of container nodes that are wired: see <see cref="IsWired"/>.</summary>
    public IEnumerable<string> WiredContainerIds()
    {
        var vethEnds = VethEnds();
        foreach (var (id, node) in _nodes)
        {
            if (id.StartsWith("ctr:", StringComparison.Ordinal) && IsWired(node, vethEnds))
                yield return id["ctr:".Length..];
        }
    }

    /// <summary>
    /// The container node is there, inside its network namespace node, and that namespace holds a veth interface
    /// with a veth edge to its peer: what a person needs to see to follow the container to its bridge.
    /// </summary>
    public bool IsWired(string containerId) =>
        _nodes.TryGetValue("ctr:" + containerId, out var node) && IsWired(node, VethEnds());

    private bool IsWired(JsonElement container, HashSet<string> vethEnds)
    {
        if (container.GetProperty("parent").GetString() is not { } netns || !_nodes.ContainsKey(netns)) return false;
        return _nodes.Values.Any(n =>
            n.GetProperty("kind").GetString() == "interface"
            && n.GetProperty("parent").GetString() == netns
            && n.GetProperty("props").TryGetProperty("type", out var type) && type.GetString() == "veth"
            && vethEnds.Contains(Id(n)));
    }

    private HashSet<string> VethEnds()
    {
        var ends = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in _edges.Values)
        {
            if (e.GetProperty("kind").GetString() != "veth") continue;
            ends.Add(e.GetProperty("source").GetString()!);
            ends.Add(e.GetProperty("target").GetString()!);
        }
        return ends;
    }

    private static string Id(JsonElement element) => element.GetProperty("id").GetString()!;

    private static IEnumerable<JsonElement> Array(JsonElement diff, string name) =>
        diff.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];
}
