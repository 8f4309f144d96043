using System.Collections.Immutable;
using System.Text.Json.Serialization;
using NetViz.Core.Model;

namespace NetViz.Core.Diff;

/// <summary>
/// The change from one snapshot to the next, by stable id. Applying it to the older snapshot's
/// nodes and edges gives the newer one's (<see cref="TopologyDiffer.Apply"/>).
/// </summary>
public sealed record TopologyDiff
{
    /// <summary>Monotonic number of this diff; a subscriber that sees a gap must reset.</summary>
    public required long Sequence { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required SourcesStatus Sources { get; init; }
    public ImmutableArray<string> RemovedNodes { get; init; } = [];
    public ImmutableArray<string> RemovedEdges { get; init; } = [];
    public ImmutableArray<TopologyNode> AddedNodes { get; init; } = [];
    public ImmutableArray<TopologyEdge> AddedEdges { get; init; } = [];
    /// <summary>
    /// Nodes that changed in any member (the full new node). A derived member the JSON does not carry (network
    /// membership, say) counts too, so an updated node's JSON may look the same as before.
    /// </summary>
    public ImmutableArray<TopologyNode> UpdatedNodes { get; init; } = [];
    public ImmutableArray<TopologyEdge> UpdatedEdges { get; init; } = [];

    /// <summary>The newer snapshot's host info, so <see cref="TopologyDiffer.Apply"/> gives the whole newer snapshot. Not in the JSON contract.</summary>
    [JsonIgnore] public HostInfo? Host { get; init; }

    /// <summary>The newer snapshot's packet filter, for the same reason. Not in the JSON contract.</summary>
    [JsonIgnore] public PacketFilter? Filter { get; init; }

    public bool IsEmpty =>
        RemovedNodes.IsEmpty && RemovedEdges.IsEmpty && AddedNodes.IsEmpty && AddedEdges.IsEmpty
        && UpdatedNodes.IsEmpty && UpdatedEdges.IsEmpty;
}

/// <summary>Pure functions computing and applying <see cref="TopologyDiff"/>s.</summary>
public static class TopologyDiffer
{
    public static TopologyDiff Compute(TopologySnapshot before, TopologySnapshot after, long sequence)
    {
        // Nodes and edges are records with value equality all the way down (EquatableArray), so Equals is "same content".
        var (removedNodes, addedNodes, updatedNodes) = Compare(before.Nodes, after.Nodes, n => n.Id);
        var (removedEdges, addedEdges, updatedEdges) = Compare(before.Edges, after.Edges, e => e.Id);
        return new TopologyDiff
        {
            Sequence = sequence,
            GeneratedAt = after.GeneratedAt,
            Sources = after.Sources,
            RemovedNodes = removedNodes,
            AddedNodes = addedNodes,
            UpdatedNodes = updatedNodes,
            RemovedEdges = removedEdges,
            AddedEdges = addedEdges,
            UpdatedEdges = updatedEdges,
            Host = after.Host,
            Filter = after.Filter,
        };
    }

    /// <summary>
    /// Applies a diff to a snapshot: the result has the diff's sources and time and the patched graph. Tolerant of a
    /// snapshot that is already newer than the diff's predecessor (a subscriber that reset from the feed's current
    /// snapshot): an added element that exists is replaced, a removed one that is gone is skipped.
    /// </summary>
    public static TopologySnapshot Apply(TopologySnapshot before, TopologyDiff diff)
    {
        return before with
        {
            GeneratedAt = diff.GeneratedAt,
            Sources = diff.Sources,
            Host = diff.Host ?? before.Host,
            Filter = diff.Filter ?? before.Filter,
            Nodes = Patch(before.Nodes, diff.RemovedNodes, diff.AddedNodes, diff.UpdatedNodes, n => n.Id),
            Edges = Patch(before.Edges, diff.RemovedEdges, diff.AddedEdges, diff.UpdatedEdges, e => e.Id),
        };
    }

    private static (ImmutableArray<string> Removed, ImmutableArray<T> Added, ImmutableArray<T> Updated) Compare<T>(
        ImmutableArray<T> before, ImmutableArray<T> after, Func<T, string> id)
    {
        var old = new Dictionary<string, T>(before.Length, StringComparer.Ordinal);
        foreach (var item in before) old[id(item)] = item;
        var added = ImmutableArray.CreateBuilder<T>();
        var updated = ImmutableArray.CreateBuilder<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in after)
        {
            var key = id(item);
            seen.Add(key);
            if (!old.TryGetValue(key, out var previous)) added.Add(item);
            else if (!EqualityComparer<T>.Default.Equals(previous, item)) updated.Add(item);
        }
        var removed = ImmutableArray.CreateBuilder<string>();
        foreach (var item in before)
            if (!seen.Contains(id(item))) removed.Add(id(item));
        return (removed.ToImmutable(), added.ToImmutable(), updated.ToImmutable());
    }

    private static ImmutableArray<T> Patch<T>(ImmutableArray<T> items, ImmutableArray<string> removed, ImmutableArray<T> added, ImmutableArray<T> updated, Func<T, string> id)
    {
        var gone = removed.ToHashSet(StringComparer.Ordinal);
        var replacements = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in updated) replacements[id(item)] = item;
        var fresh = new List<T>(added.Length);
        foreach (var item in added)
        {
            if (replacements.TryAdd(id(item), item)) fresh.Add(item);
        }
        var result = ImmutableArray.CreateBuilder<T>(items.Length + added.Length);
        foreach (var item in items)
        {
            var key = id(item);
            if (gone.Contains(key)) continue;
            if (replacements.Remove(key, out var replacement)) result.Add(replacement);
            else result.Add(item);
        }
        // Added elements the snapshot did not hold yet, in the diff's order.
        foreach (var item in fresh)
            if (replacements.ContainsKey(id(item))) result.Add(item);
        return result.ToImmutable();
    }
}
