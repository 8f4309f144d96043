using System.Collections.Immutable;
using NetViz.Core.Model;

namespace NetViz.Core.Traffic;

/// <summary>Packets and bytes per second through one NAT rule (a "gate" on the graph), between two reads of its counters.</summary>
public sealed record NatGateRate(string RuleId, string Label, double PacketsPerSecond, double BytesPerSecond);

/// <summary>
/// NAT gates' counter deltas per second between two snapshots. The collector re-reads iptables counters on its
/// counter interval while someone watches, so consecutive snapshots carry fresh totals; a rule whose counters went
/// down (the rule set was replaced) or that only one snapshot has gets no rate.
/// </summary>
public static class NatGateRates
{
    public static ImmutableArray<NatGateRate> Between(TopologySnapshot before, TopologySnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var seconds = (after.GeneratedAt - before.GeneratedAt).TotalSeconds;
        if (seconds <= 0) return [];
        var earlier = before.Nodes.OfType<NatRuleNode>().ToDictionary(n => n.Id, StringComparer.Ordinal);
        var rates = ImmutableArray.CreateBuilder<NatGateRate>();
        foreach (var rule in after.Nodes.OfType<NatRuleNode>())
        {
            if (!earlier.TryGetValue(rule.Id, out var old) || rule.Packets < old.Packets || rule.Bytes < old.Bytes) continue;
            if (rule.Packets == old.Packets) continue;
            rates.Add(new NatGateRate(rule.Id, rule.Describe(), (rule.Packets - old.Packets) / seconds, (rule.Bytes - old.Bytes) / seconds));
        }
        return [.. rates.OrderByDescending(r => r.BytesPerSecond).ThenBy(r => r.RuleId, StringComparer.Ordinal)];
    }
}
