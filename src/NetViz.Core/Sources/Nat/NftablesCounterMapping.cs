using System.Collections.Immutable;

namespace NetViz.Core.Sources.Nat;

/// <summary>
/// Puts the counters of an nftables dump onto rules parsed from <c>iptables-save</c>. iptables-nft keeps each chain's
/// rules in chain order, so the i-th rule of chain C in the dump is the i-th <c>-A C</c> line of iptables-save: the
/// result is what <c>iptables-save -c</c> would have printed, as long as the shape matches. When it does not (another
/// number of rules or chains, a rule without a counter), the rule set is not the one parsed: null, and the caller
/// reads the rules again.
/// </summary>
public static class NftablesCounterMapping
{
    /// <summary>The table dumps a read of <paramref name="view"/> needs: ip nat and filter, and ip6 when IPv6 rules were read.</summary>
    public static IEnumerable<(int Family, string Table)> TablesOf(NatView view, bool readsIp6)
    {
        yield return (2, "nat");
        yield return (2, "filter");
        if (!readsIp6 || view.Ip6Error is not null) yield break;
        yield return (10, "nat");
        yield return (10, "filter");
    }

    /// <param name="read">A view read by iptables-save (the host's rules, no namespace rules).</param>
    /// <param name="dumps">Dumps of the tables <see cref="TablesOf"/> names; a table not dumped keeps its counters.</param>
    /// <param name="mismatch">Why the dumps do not fit the view, when null is returned.</param>
    public static NatView? Apply(NatView read, IReadOnlyCollection<NftTableCounters> dumps, out string? mismatch)
    {
        mismatch = null;
        var view = read;
        foreach (var dump in dumps)
        {
            var (rules, chains) = (dump.Family, dump.Table) switch
            {
                (2, "nat") => (view.Rules, view.Chains),
                (2, "filter") => (view.FilterRules, view.Chains),
                (10, "nat") => (view.Ip6Rules, view.Ip6Chains),
                (10, "filter") => (view.Ip6FilterRules, view.Ip6Chains),
                _ => throw new ArgumentException($"no rules of {NftablesCounterDump.FamilyName(dump.Family)} {dump.Table} in a NatView", nameof(dumps)),
            };
            var where = $"{NftablesCounterDump.FamilyName(dump.Family)} {dump.Table}";
            if (MapRules(rules, dump, where, ref mismatch) is not { } newRules) return null;
            if (MapChains(chains, dump, where, ref mismatch) is not { } newChains) return null;
            view = (dump.Family, dump.Table) switch
            {
                (2, "nat") => view with { Rules = newRules, Chains = newChains },
                (2, _) => view with { FilterRules = newRules, Chains = newChains },
                (_, "nat") => view with { Ip6Rules = newRules, Ip6Chains = newChains },
                _ => view with { Ip6FilterRules = newRules, Ip6Chains = newChains },
            };
        }
        return view;
    }

    private static ImmutableArray<NatRule>? MapRules(ImmutableArray<NatRule> rules, NftTableCounters dump, string where, ref string? mismatch)
    {
        var byChain = new Dictionary<string, List<NftRuleCounter>>(StringComparer.Ordinal);
        foreach (var rule in dump.Rules)
        {
            if (rule.Packets is null || rule.Bytes is null)
            {
                mismatch = $"{where}: rule {rule.Handle} in {rule.Chain} has no counter";
                return null;
            }
            if (!byChain.TryGetValue(rule.Chain, out var list)) byChain[rule.Chain] = list = [];
            list.Add(rule);
        }
        var parsedCounts = rules.Where(r => r.Table == dump.Table).GroupBy(r => r.Chain, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var (chain, list) in byChain)
        {
            if (parsedCounts.GetValueOrDefault(chain) != list.Count)
            {
                mismatch = $"{where} {chain}: {list.Count} rules in nftables, {parsedCounts.GetValueOrDefault(chain)} parsed";
                return null;
            }
        }
        if (parsedCounts.Keys.FirstOrDefault(c => !byChain.ContainsKey(c)) is { } missing)
        {
            mismatch = $"{where} {missing}: {parsedCounts[missing]} rules parsed, none in nftables";
            return null;
        }

        // The parsed rules of a chain, in their order: the i-th is the i-th of the chain in the dump.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<NatRule>(rules.Length);
        foreach (var rule in rules)
        {
            if (rule.Table != dump.Table)
            {
                result.Add(rule);
                continue;
            }
            var index = seen.GetValueOrDefault(rule.Chain);
            seen[rule.Chain] = index + 1;
            var counter = byChain[rule.Chain][index];
            result.Add(rule.Packets == counter.Packets && rule.Bytes == counter.Bytes ? rule : rule with { Packets = counter.Packets!.Value, Bytes = counter.Bytes!.Value });
        }
        return result.MoveToImmutable();
    }

    private static ImmutableArray<ChainInfo>? MapChains(ImmutableArray<ChainInfo> chains, NftTableCounters dump, string where, ref string? mismatch)
    {
        var byName = new Dictionary<string, NftChainCounter>(StringComparer.Ordinal);
        foreach (var chain in dump.Chains) byName[chain.Name] = chain;
        var parsed = chains.Where(c => c.Table == dump.Table).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        // iptables-nft makes a built-in chain in the kernel only once a rule or policy needs it, yet iptables-save prints
        // each one ("ACCEPT [0:0]"); user chains exist in both or it is another rule set.
        var unknown = byName.Keys.FirstOrDefault(n => !parsed.Contains(n))
            ?? chains.FirstOrDefault(c => c.Table == dump.Table && c.Policy is null && !byName.ContainsKey(c.Name))?.Name;
        if (unknown is not null)
        {
            mismatch = $"{where}: chain {unknown} is not in both nftables and the rules read";
            return null;
        }
        var result = ImmutableArray.CreateBuilder<ChainInfo>(chains.Length);
        foreach (var chain in chains)
        {
            // iptables-save prints counters for built-in chains (a policy) only; user chains are "- [0:0]".
            if (chain.Table != dump.Table || chain.Policy is null)
            {
                result.Add(chain);
                continue;
            }
            var (packets, bytes) = (0L, 0L);
            if (byName.TryGetValue(chain.Name, out var counter))
            {
                if (!counter.BaseChain)
                {
                    mismatch = $"{where} {chain.Name}: a built-in chain in iptables-save, not a base chain in nftables";
                    return null;
                }
                (packets, bytes) = (counter.Packets, counter.Bytes);
            }
            result.Add(chain.Packets == packets && chain.Bytes == bytes ? chain : chain with { Packets = packets, Bytes = bytes });
        }
        return result.MoveToImmutable();
    }
}
