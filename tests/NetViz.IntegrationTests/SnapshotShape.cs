using NetViz.Core.Model;

namespace NetViz.IntegrationTests;

/// <summary>The graph of a snapshot as comparable lines: node ids, kinds, labels, parents, and edges.</summary>
public static class SnapshotShape
{
    /// <summary>Null when both snapshots draw the same graph; else up to five lines only in each.</summary>
    public static string? Difference(TopologySnapshot live, TopologySnapshot fresh) => Difference(live, fresh, _ => true);

    /// <summary>
    /// As <see cref="Difference(TopologySnapshot, TopologySnapshot)"/>, for the nodes that satisfy the filter and the
    /// edges that touch one of them.
    /// </summary>
    public static string? Difference(TopologySnapshot live, TopologySnapshot fresh, Func<TopologyNode, bool> filter)
    {
        var a = Lines(live, filter).ToHashSet();
        var b = Lines(fresh, filter).ToHashSet();
        var ghosts = a.Except(b).Take(5).ToList();
        var missing = b.Except(a).Take(5).ToList();
        return ghosts.Count == 0 && missing.Count == 0 ? null
            : $"ghosts: {string.Join("; ", ghosts)} | missing: {string.Join("; ", missing)}";
    }

    private static IEnumerable<string> Lines(TopologySnapshot s, Func<TopologyNode, bool> filter)
    {
        var kept = s.Nodes.Where(filter).ToList();
        var ids = kept.Select(n => n.Id).ToHashSet();
        return kept.Select(n => $"node {n.Id} {n.Kind} {n.Label} in {n.Parent}")
            .Concat(s.Edges.Where(e => ids.Contains(e.Source) || ids.Contains(e.Target)).Select(e => $"edge {e.Id} {e.Kind} {e.Source}->{e.Target}"));
    }
}
