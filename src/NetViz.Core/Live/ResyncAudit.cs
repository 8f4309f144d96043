using System.Text;
using System.Text.Json;
using NetViz.Core.Diff;
using NetViz.Core.Model;

namespace NetViz.Core.Live;

/// <summary>
/// What a periodic resync found that the events had not already told: every such difference is a missed event, i.e.
/// a bug. Values that change without any event by nature (traffic counters, the pids living in a namespace and the
/// /proc paths derived from them) are not differences.
/// </summary>
public static class ResyncAudit
{
    /// <summary>Props refreshed only when their object is re-read anyway; they move with traffic or process churn.</summary>
    public static readonly IReadOnlySet<string> VolatileProps = new HashSet<string>(StringComparer.Ordinal)
    {
        "rxBytes", "txBytes", "rxPackets", "txPackets", // interfaces
        "packets", "bytes",                             // NAT and filter rules
        "pids", "paths",                                // namespaces
    };

    private const int MaxIdsPerKind = 8;
    private const int MaxIdLength = 96;

    /// <summary>A bounded summary of what differs ("added 2: a, b; removed 1: c; changed 1: d (addresses)"), or null when nothing does.</summary>
    public static string? Describe(TopologySnapshot before, TopologySnapshot after)
    {
        var diff = TopologyDiffer.Compute(before, after, 0);
        var beforeNodes = before.Nodes.ToDictionary(n => n.Id);
        var beforeEdges = before.Edges.ToDictionary(e => e.Id);
        var changed = new List<string>();
        foreach (var node in diff.UpdatedNodes)
        {
            var old = beforeNodes[node.Id];
            var keys = ChangedKeys(Props(old), Props(node));
            if (old.Kind != node.Kind) keys.Insert(0, "kind");
            if (old.Label != node.Label) keys.Insert(0, "label");
            if (old.Parent != node.Parent) keys.Insert(0, "parent");
            if (keys.Count > 0) changed.Add($"{Bound(node.Id)} ({string.Join(", ", keys.Take(6))})");
        }
        foreach (var edge in diff.UpdatedEdges)
        {
            var old = beforeEdges[edge.Id];
            var keys = ChangedKeys(Props(old), Props(edge));
            if (old.Source != edge.Source || old.Target != edge.Target || old.Kind != edge.Kind) keys.Insert(0, "ends");
            if (keys.Count > 0) changed.Add($"{Bound(edge.Id)} ({string.Join(", ", keys.Take(6))})");
        }
        var added = diff.AddedNodes.Select(n => n.Id).Concat(diff.AddedEdges.Select(e => e.Id)).ToList();
        var removed = diff.RemovedNodes.Concat(diff.RemovedEdges).ToList();
        if (added.Count == 0 && removed.Count == 0 && changed.Count == 0) return null;

        var text = new StringBuilder();
        Append(text, "added", added);
        Append(text, "removed", removed);
        Append(text, "changed", changed);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string what, List<string> items)
    {
        if (items.Count == 0) return;
        if (text.Length > 0) text.Append("; ");
        text.Append(what).Append(' ').Append(items.Count).Append(": ");
        text.AppendJoin(", ", items.Take(MaxIdsPerKind).Select(Bound));
        if (items.Count > MaxIdsPerKind) text.Append(", ...");
    }

    private static string Bound(string id) => id.Length <= MaxIdLength ? id : id[..MaxIdLength] + "...";

    /// <summary>The element's <c>props</c> as the API writes them (docs/api.md): the contract names the keys.</summary>
    private static JsonElement Props(TopologyNode node) =>
        JsonSerializer.SerializeToElement(node, TopologyJson.Options).TryGetProperty("props", out var props) ? props : default;

    private static JsonElement Props(TopologyEdge edge) =>
        JsonSerializer.SerializeToElement(edge, TopologyJson.Options).TryGetProperty("props", out var props) ? props : default;

    private static List<string> ChangedKeys(JsonElement before, JsonElement after)
    {
        var keys = new List<string>();
        if (before.ValueKind != JsonValueKind.Object || after.ValueKind != JsonValueKind.Object)
        {
            if (!JsonElement.DeepEquals(before, after)) keys.Add("props");
            return keys;
        }
        var old = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in before.EnumerateObject()) old[p.Name] = p.Value;
        foreach (var p in after.EnumerateObject())
        {
            if (VolatileProps.Contains(p.Name)) { old.Remove(p.Name); continue; }
            if (!old.Remove(p.Name, out var was) || !JsonElement.DeepEquals(was, p.Value)) keys.Add(p.Name);
        }
        keys.AddRange(old.Keys.Where(k => !VolatileProps.Contains(k)));
        return keys;
    }
}
