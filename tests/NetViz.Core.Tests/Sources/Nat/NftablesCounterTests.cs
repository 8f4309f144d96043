using System.Buffers.Binary;
using System.Collections.Immutable;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Sources.Nat;

/// <summary>
/// The nftables counter dump against real kernel replies (Fixtures/nftables/capture/capture-counters.sh: iptables-nft
/// rules in a namespace, dumped over NETLINK_NETFILTER, with iptables-save -c and ip6tables-save -c of the same moment
/// as the truth), and the mapping of its counters onto rules parsed from iptables-save.
/// </summary>
public class NftablesCounterTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "nftables", name);

    private static readonly uint Generation = uint.Parse(File.ReadAllText(Fixture("counters-generation.txt")).Trim());

    /// <summary>The order capture-counters.cs dumped in: each table's rule dump, then its chain dump, from sequence 100 on.</summary>
    private static readonly (int Family, string Table)[] Dumped = [(2, "nat"), (2, "filter"), (10, "nat"), (10, "filter")];

    private static NftTableCounters Dump(int family, string table, uint? generation = null)
    {
        var index = Array.IndexOf(Dumped, (family, table));
        var sequence = (uint)(100 + 2 * index);
        var name = $"counters-{(family == 10 ? "ip6" : "ip")}-{table}";
        var rules = ImmutableArray.CreateBuilder<NftRuleCounter>();
        Assert.True(NftablesCounterDump.ParseRules(File.ReadAllBytes(Fixture(name + "-rules.bin")), sequence, generation ?? Generation, table, rules));
        var chains = ImmutableArray.CreateBuilder<NftChainCounter>();
        Assert.True(NftablesCounterDump.ParseChains(File.ReadAllBytes(Fixture(name + "-chains.bin")), sequence + 1, generation ?? Generation, table, chains));
        return new NftTableCounters(family, table, rules.ToImmutable(), chains.ToImmutable());
    }

    private static List<NftTableCounters> AllDumps() => [.. Dumped.Select(d => Dump(d.Family, d.Table))];

    /// <summary>What IptablesNatSource makes of iptables-save -c and ip6tables-save -c of the fixture's namespace.</summary>
    private static NatView Truth(Func<string, string>? editV4 = null)
    {
        var v4 = IptablesSaveParser.Parse((editV4 ?? (t => t))(File.ReadAllText(Fixture("counters-iptables-save-c.txt"))));
        var v6 = IptablesSaveParser.Parse(File.ReadAllText(Fixture("counters-ip6tables-save-c.txt")));
        return new NatView
        {
            Ok = true,
            Backend = "iptables-nft",
            Rules = v4.RulesOf("nat"),
            FilterRules = v4.RulesOf("filter"),
            Chains = v4.Chains,
            Ip6Rules = [.. v6.RulesOf("nat").Select(r => r with { Family = 6 })],
            Ip6FilterRules = [.. v6.RulesOf("filter").Select(r => r with { Family = 6 })],
            Ip6Chains = [.. v6.Chains.Select(c => c with { Family = 6 })],
        };
    }

    /// <summary>The same reading with every counter at zero: what an earlier iptables-save read had seen.</summary>
    private static NatView Zeroed(NatView view)
    {
        static ImmutableArray<NatRule> Z(ImmutableArray<NatRule> rules) => [.. rules.Select(r => r with { Packets = 0, Bytes = 0 })];
        return view with { Rules = Z(view.Rules), FilterRules = Z(view.FilterRules), Ip6Rules = Z(view.Ip6Rules), Ip6FilterRules = Z(view.Ip6FilterRules) };
    }

    [Fact]
    public void The_rule_dump_has_each_rule_of_the_table_with_its_chain_handle_and_counter()
    {
        var nat = Dump(2, "nat");
        var truth = Truth();
        Assert.Equal(truth.Rules.Length, nat.Rules.Length);
        Assert.All(nat.Rules, r => Assert.True(r.Handle > 0 && r.Packets is not null && r.Bytes is not null));
        // Chain by chain in the same order as iptables-save's -A lines, with the same counters.
        foreach (var chain in truth.Rules.Select(r => r.Chain).Distinct())
            Assert.Equal(truth.Rules.Where(r => r.Chain == chain).Select(r => (r.Packets, r.Bytes)),
                nat.Rules.Where(r => r.Chain == chain).Select(r => (r.Packets!.Value, r.Bytes!.Value)));
        // The fixture's traffic really moved counters, so equal counters are not zeros compared with zeros.
        Assert.Contains(nat.Rules, r => r.Chain == "OUTPUT" && r.Packets == 3 && r.Bytes == 252);

        var filterV6 = Dump(10, "filter");
        Assert.Equal([("INPUT", 4L, 416L)], filterV6.Rules.Select(r => (r.Chain, r.Packets!.Value, r.Bytes!.Value)));
    }

    [Fact]
    public void The_chain_dump_keeps_the_tables_chains_and_tells_base_chains_from_user_chains()
    {
        // iptables-nft makes a built-in chain only when a rule needs it (nat INPUT has none): `nft list table ip nat`.
        var nat = Dump(2, "nat");
        Assert.Equal(["DOCKER", "OUTPUT", "POSTROUTING", "PREROUTING"], nat.Chains.Select(c => c.Name).Order());
        Assert.Equal(["DOCKER"], nat.Chains.Where(c => !c.BaseChain).Select(c => c.Name));
        var filter = Dump(2, "filter");
        Assert.Equal(["DOCKER-USER", "FORWARD", "INPUT", "OUTPUT"], filter.Chains.Select(c => c.Name).Order());
        Assert.Equal(["INPUT"], Dump(10, "filter").Chains.Select(c => c.Name));
    }

    [Fact]
    public void A_reply_made_in_another_generation_is_refused()
    {
        var error = Assert.Throws<NftablesDumpException>(() => Dump(2, "nat", Generation + 1));
        Assert.Contains("changed", error.Message);
    }

    [Fact]
    public void Counters_from_the_dump_put_onto_the_parsed_rules_are_what_iptables_save_c_printed()
    {
        var truth = Truth();
        var counted = NftablesCounterMapping.Apply(Zeroed(truth), AllDumps(), out var mismatch);

        Assert.Null(mismatch);
        Assert.NotNull(counted);
        Assert.Equal<NatRule>(truth.Rules, counted.Rules);
        Assert.Equal<NatRule>(truth.FilterRules, counted.FilterRules);
        Assert.Equal<NatRule>(truth.Ip6Rules, counted.Ip6Rules);
        Assert.Equal<NatRule>(truth.Ip6FilterRules, counted.Ip6FilterRules);
        Assert.Equal<ChainInfo>(truth.Chains, counted.Chains);
        Assert.Equal<ChainInfo>(truth.Ip6Chains, counted.Ip6Chains);
        Assert.NotEqual<NatRule>(Zeroed(truth).Rules, counted.Rules);
    }

    [Fact]
    public void A_table_that_is_not_dumped_keeps_its_counters()
    {
        var zeroed = Zeroed(Truth());
        var counted = NftablesCounterMapping.Apply(zeroed, [Dump(2, "nat")], out _);
        Assert.NotNull(counted);
        Assert.Equal<NatRule>(zeroed.FilterRules, counted.FilterRules);
        Assert.Equal<NatRule>(zeroed.Ip6Rules, counted.Ip6Rules);
        Assert.Equal<NatRule>(Truth().Rules, counted.Rules);
    }

    [Fact]
    public void Another_number_of_rules_in_a_chain_is_a_changed_rule_set()
    {
        // The parsed reading lacks one POSTROUTING rule that nftables has: a rule was added since it was read.
        var older = Truth(t => t.Replace("[3:252] -A POSTROUTING -o lo -j RETURN\n", "", StringComparison.Ordinal));
        Assert.Null(NftablesCounterMapping.Apply(older, AllDumps(), out var mismatch));
        Assert.Contains("POSTROUTING: 2 rules in nftables, 1 parsed", mismatch);

        // A chain nftables no longer has rules in.
        var extraChain = Truth(t => t.Replace("COMMIT\n# Completed", ":NVCNT - [0:0]\n[0:0] -A NVCNT -j RETURN\nCOMMIT\n# Completed", StringComparison.Ordinal));
        Assert.Null(NftablesCounterMapping.Apply(extraChain, AllDumps(), out mismatch));
        Assert.Contains("NVCNT", mismatch);

        // A user chain nftables has and the reading does not.
        var withoutDocker = Truth(t => t.Replace(":DOCKER - [0:0]\n", "", StringComparison.Ordinal)
            .Replace("[0:0] -A DOCKER -i docker0 -j RETURN\n", "", StringComparison.Ordinal)
            .Replace("[0:0] -A DOCKER ! -i docker0 -p tcp -m tcp --dport 18080 -j DNAT --to-destination 172.17.0.3:80\n", "", StringComparison.Ordinal));
        Assert.Equal(5, withoutDocker.Rules.Length);
        Assert.Null(NftablesCounterMapping.Apply(withoutDocker, AllDumps(), out mismatch));
        Assert.Contains("DOCKER", mismatch);
    }

    [Fact]
    public void A_rule_without_a_counter_is_not_an_iptables_nft_rule_set()
    {
        var nat = Dump(2, "nat");
        var withoutCounter = nat with { Rules = nat.Rules.SetItem(0, nat.Rules[0] with { Packets = null, Bytes = null }) };
        Assert.Null(NftablesCounterMapping.Apply(Truth(), [withoutCounter], out var mismatch));
        Assert.Contains("has no counter", mismatch);
    }

    [Fact]
    public void Only_get_dump_requests_are_built()
    {
        var rules = NftablesCounterDump.RuleDumpRequest(10, "nat", 7);
        Assert.Equal(rules.Length, BinaryPrimitives.ReadInt32LittleEndian(rules));
        Assert.Equal((10 << 8) | 7, BinaryPrimitives.ReadUInt16LittleEndian(rules.AsSpan(4))); // NFT_MSG_GETRULE
        Assert.Equal(0x301, BinaryPrimitives.ReadUInt16LittleEndian(rules.AsSpan(6)));         // NLM_F_REQUEST | NLM_F_DUMP
        Assert.Equal(10, rules[16]);                                                            // nfgenmsg family ip6
        Assert.Equal("nat\0"u8.ToArray(), rules.AsSpan(24, 4).ToArray());                      // NFTA_RULE_TABLE

        var chains = NftablesCounterDump.ChainDumpRequest(2, 8);
        Assert.Equal((10 << 8) | 4, BinaryPrimitives.ReadUInt16LittleEndian(chains.AsSpan(4))); // NFT_MSG_GETCHAIN
        Assert.Throws<ArgumentOutOfRangeException>(() => NftablesCounterDump.ChainDumpRequest(7, 1));
    }
}
