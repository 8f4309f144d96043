using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Tests.Correlation;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Sources.Nat;

/// <summary>
/// Docker 28's iptables layout and Docker 29's native nftables tables map to the same gates as Docker 20.10's rules,
/// and the backend is detected, not configured.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RuleBackendTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private readonly string _dir = Directory.CreateTempSubdirectory("nvbrd-backend-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Nft() => File.ReadAllText(Path.Combine(Fixtures, "nftables", "docker-29.nft-j-list-ruleset.json"));

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The gates (role → target) a snapshot draws from its translating rules, per rule target.</summary>
    private static HashSet<(string Target, string Role, string To)> Gates(TopologySnapshot snapshot)
    {
        var rules = snapshot.Nodes.OfType<NatRuleNode>().ToDictionary(n => n.Id);
        return snapshot.Edges.OfType<NatEdge>()
            .Select(e => rules.TryGetValue(e.Source, out var from) ? (from.Target!, e.Role, e.Target)
                : (rules[e.Target].Target!, e.Role, e.Source))
            .ToHashSet();
    }

    [Fact]
    public void Docker_29_nft_json_reads_dnat_masquerade_and_reachability_through_verdict_maps()
    {
        var ruleset = NftablesRulesetParser.Parse(Nft());

        Assert.True(ruleset.HasDockerTables);
        Assert.Empty(ruleset.Warnings);
        var dnat = Assert.Single(ruleset.Rules, r => r.Target == "DNAT");
        Assert.Equal(("nat", "nat-prerouting-and-output", 1, "127.0.0.1", "docker0", true, "tcp", "8080", "172.17.0.2", 80, "DNAT"),
            (dnat.Table, dnat.Chain, dnat.Position, dnat.Destination, dnat.InInterface, dnat.InInterfaceNegated, dnat.Protocol, dnat.DestinationPort, dnat.ToIp, dnat.ToPort, dnat.Comment));
        Assert.True(dnat.Reachable);
        var masquerades = ruleset.Rules.Where(r => r.Target == "MASQUERADE").ToList();
        var live = Assert.Single(masquerades, r => r.Chain == "nat-postrouting-out__docker0");
        Assert.Equal(("172.17.0.0/16", "docker0", true, true), (live.Source, live.OutInterface, live.OutInterfaceNegated, live.Reachable));
        // A chain no base chain, jump or verdict map reaches never sees a packet.
        Assert.False(Assert.Single(masquerades, r => r.Chain == "orphan").Reachable);
        Assert.Contains(ruleset.FilterRules, r => r.Chain == "filter-forward-in__docker0" && r.Comment == "UNPUBLISHED PORT DROP" && r.Target == "DROP" && r.Reachable);
        Assert.Contains(ruleset.FilterRules, r => r.Table == "raw" && r.Comment == "DROP DIRECT ACCESS");
        // Only Docker's tables: the ip filter table beside them is iptables-save's business.
        Assert.DoesNotContain(ruleset.FilterRules, r => r.Chain is "FORWARD" or "DOCKER-USER");

        var dnat6 = Assert.Single(ruleset.Ip6Rules, r => r.Target == "DNAT");
        Assert.Equal((6, "fd00:db8:1::2", 80, "[fd00:db8:1::2]:80"), (dnat6.Family, dnat6.ToIp, dnat6.ToPort, dnat6.ToDestination));
        Assert.Equal(("fd00:db8:1::/64", true), (Assert.Single(ruleset.Ip6Rules, r => r.Target == "MASQUERADE").Source, ruleset.Ip6Rules.Single(r => r.Target == "MASQUERADE").Reachable));
        Assert.Equal("DROP", Assert.Single(ruleset.Ip6Chains, c => c.Name == "filter-FORWARD").Policy);
        Assert.Null(Assert.Single(ruleset.Chains, c => c.Name == "nat-prerouting-and-output").Policy);
    }

    [Fact]
    public void Malformed_nft_output_is_a_warning_not_an_exception()
    {
        Assert.Single(NftablesRulesetParser.Parse("{not json").Warnings);
        Assert.Single(NftablesRulesetParser.Parse("""{"other": []}""").Warnings);
        var noChain = NftablesRulesetParser.Parse("""{"nftables": [{"rule": {"family": "ip", "table": "docker-bridges", "expr": []}}]}""");
        Assert.Empty(noChain.Rules);
        Assert.Single(noChain.Warnings);
        var capped = NftablesRulesetParser.Parse(Nft(), IptablesSaveLimits.Default with { MaxRules = 2 });
        Assert.Equal(2, capped.Rules.Length + capped.FilterRules.Length);
        Assert.NotNull(capped.Truncated);
    }

    [Fact]
    public void Docker_20_28_and_29_rules_for_the_same_containers_draw_the_same_gates()
    {
        // The lesson's web container (172.17.0.2, port 80) published on 127.0.0.1:8080 and docker0's MASQUERADE, as
        // each Docker writes them.
        var lesson = LessonTopology.Nat() with { Rules = [.. LessonTopology.Nat().Rules.Where(r => r.Rule.Contains("172.17.0.0/16") || r.Target is "DNAT" or "DOCKER" or "RETURN")] };
        var docker28 = IptablesSaveParser.Parse(File.ReadAllText(Path.Combine(Fixtures, "iptables", "docker-28.x-layout.iptables-save-c.txt"))
            .Replace("--dport 18080", "--dport 8080").Replace("-j DNAT --to-destination 10.231.0.2:53", "-j DNAT --to-destination 10.231.0.99:53"));
        var nft = NftablesRulesetParser.Parse(Nft());

        var expected = Gates(TopologyBuilder.Build(Readings(lesson)));
        var from28 = Gates(TopologyBuilder.Build(Readings(LessonTopology.Nat() with { Rules = docker28.RulesOf("nat"), FilterRules = docker28.RulesOf("filter") })));
        var from29 = Gates(TopologyBuilder.Build(Readings(LessonTopology.Nat() with { Rules = nft.Rules, FilterRules = nft.FilterRules, Backend = "nftables" })));

        Assert.Contains(("DNAT", NatRoles.DnatTo, NodeId.Interface(Web, 5)), expected);
        Assert.Contains(("MASQUERADE", NatRoles.Masquerade, NodeId.Interface(Host, 3)), expected);
        Assert.Equal(expected, from28);
        Assert.Equal(expected, from29);
    }

    [Fact]
    public async Task Native_nftables_is_detected_and_merged_and_the_legacy_backend_is_followed_when_nft_says_it_holds_rules()
    {
        var fixture = Path.Combine(Fixtures, "nftables", "docker-29.nft-j-list-ruleset.json");
        var iptables = Script("iptables-save", """
            if [ "$1" = "--version" ]; then echo "iptables-save v1.8.9 (nf_tables)"; exit 0; fi
            printf '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n'
            """);
        Script("iptables-legacy-save", """
            printf '*nat\n:POSTROUTING ACCEPT [0:0]\n[1:60] -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n'
            """);
        var nft = Script("nft", $"""[ "$1 $2 $3" = "-j list ruleset" ] && cat '{fixture}'""");
        var noNft = Script("nft-none", """printf '{"nftables": [{"metainfo": {"json_schema_version": 1}}]}'""");

        var legacy = await new IptablesNatSource(iptables, ip6tablesSavePath: "", nftPath: noNft).CollectAsync(CancellationToken.None);
        var native = await new IptablesNatSource(Script("plain-save", """
            if [ "$1" = "--version" ]; then echo "iptables-save v1.8.9 (nf_tables)"; exit 0; fi
            printf '*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n'
            """), ip6tablesSavePath: "", nftPath: nft).CollectAsync(CancellationToken.None);

        Assert.True(legacy.Ok, legacy.Error);
        Assert.Equal("iptables-legacy", legacy.Backend);
        Assert.Equal("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", Assert.Single(legacy.Rules).Rule);

        Assert.True(native.Ok, native.Error);
        Assert.Equal("nftables", native.Backend);
        Assert.Contains(native.Rules, r => r.Target == "DNAT" && r.ToIp == "172.17.0.2");
        Assert.Contains(native.Ip6Rules, r => r.Target == "DNAT" && r.ToIp == "fd00:db8:1::2");
        Assert.Contains(native.Chains, c => c.Name == "nat-POSTROUTING" && c.Policy == "ACCEPT");
        Assert.True(NatRefreshSchedule.AnnouncesChanges(native.Backend));
    }
}
