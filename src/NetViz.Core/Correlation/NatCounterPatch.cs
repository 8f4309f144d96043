using System.Collections.Immutable;
using NetViz.Core.Collection;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Correlation;

/// <summary>
/// The NAT counter refresh (every <c>NatCounterInterval</c> while someone watches) most often finds the same rules with
/// other packet and byte counters. Those counters belong to the rule nodes alone: no edge, label, network membership
/// or other node is derived from them. So instead of building the whole graph again (about 1400 nodes at 300
/// namespaces) the previous snapshot is patched: each rule node whose counters moved is replaced by a copy with the new
/// parsed rule, every other node and edge stays the same object, and the diff against the previous snapshot holds the
/// moved rule nodes only. The result equals <see cref="TopologyBuilder.Build"/> of the new readings (the tests compare
/// the two); anything more than counters returns null, and the caller builds in full.
/// </summary>
public static class NatCounterPatch
{
    /// <param name="built">The snapshot built from <paramref name="before"/>.</param>
    /// <param name="before">The readings <paramref name="built"/> was built from.</param>
    /// <param name="after">The new readings: the same host and Docker readings (same objects), NAT read again.</param>
    /// <returns>The snapshot of <paramref name="after"/>, or null when it is not a counters-only change.</returns>
    public static TopologySnapshot? TryApply(TopologySnapshot built, SourceReadings before, SourceReadings after)
    {
        if (!ReferenceEquals(before.Host, after.Host) || !ReferenceEquals(before.Docker, after.Docker)
            || before.Hostname != after.Hostname || before.MachineId != after.MachineId
            || !UnchangedReadings.SameNatApartFromCounters(before.Nat, after.Nat))
            return null;

        var known = after.Host.Namespaces.Select(n => n.Inode).ToHashSet();
        var fresh = new Dictionary<string, NatRule>(StringComparer.Ordinal);
        foreach (var (id, rule) in TopologyBuilder.NatRuleIds(after.Nat, known.Contains)) fresh[id] = rule;

        var nodes = ImmutableArray.CreateBuilder<TopologyNode>(built.Nodes.Length);
        var ruleNodes = 0;
        foreach (var node in built.Nodes)
        {
            if (node is not NatRuleNode ruleNode)
            {
                nodes.Add(node);
                continue;
            }
            // A rule node the new reading does not name: this snapshot was not built from `before`. Build in full.
            if (!fresh.TryGetValue(ruleNode.Id, out var parsed)) return null;
            ruleNodes++;
            nodes.Add(parsed == ruleNode.Parsed ? ruleNode : ruleNode with { Parsed = parsed });
        }
        if (ruleNodes != fresh.Count) return null;
        return built with { GeneratedAt = after.CollectedAt, Nodes = nodes.MoveToImmutable(), Filter = TopologyBuilder.FilterOf(after.Nat) };
    }
}
