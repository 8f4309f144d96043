using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Sources.Nat;

public class IptablesSaveParserTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "iptables", name));

    private static NatRule Single(IptablesSaveResult r, string table, string chain, int position) =>
        Assert.Single(r.Rules, x => x.Table == table && x.Chain == chain && x.Position == position);

    [Fact]
    public void Docker2010_real_capture_parses_without_warnings_and_keeps_every_rule_line()
    {
        var text = Fixture("docker-20.10.iptables-save-c.txt");
        var r = IptablesSaveParser.Parse(text);

        Assert.Empty(r.Warnings);
        var ruleLines = text.Split('\n').Where(l => l.Contains(" -A ", StringComparison.Ordinal)).ToList();
        Assert.Equal(21 + 8, ruleLines.Count); // 21 filter + 8 nat -A lines in the capture
        Assert.Equal(ruleLines.Count, r.Rules.Length);
        Assert.Equal(8, r.RulesOf("nat").Length);
        Assert.Equal(21, r.RulesOf("filter").Length);
        // Rule keeps the line verbatim minus the counters.
        Assert.Equal(ruleLines.Select(l => l[(l.IndexOf(']') + 2)..]), r.Rules.Select(x => x.Rule));
    }

    [Fact]
    public void Docker2010_chains_have_table_policy_and_counters()
    {
        var r = IptablesSaveParser.Parse(Fixture("docker-20.10.iptables-save-c.txt"));

        Assert.Equal(
            ["filter/INPUT", "filter/FORWARD", "filter/OUTPUT", "filter/DOCKER", "filter/DOCKER-ISOLATION-STAGE-1",
             "filter/DOCKER-ISOLATION-STAGE-2", "filter/DOCKER-USER",
             "nat/PREROUTING", "nat/INPUT", "nat/OUTPUT", "nat/POSTROUTING", "nat/DOCKER"],
            r.Chains.Select(c => $"{c.Table}/{c.Name}"));
        Assert.Equal(new ChainInfo("filter", "FORWARD", "DROP", 0, 0), r.Chains[1]);
        Assert.Equal(new ChainInfo("nat", "DOCKER", null, 0, 0), r.Chains[^1]);
    }

    [Fact]
    public void Docker2010_published_port_is_a_DNAT_rule_with_split_destination()
    {
        var r = IptablesSaveParser.Parse(Fixture("docker-20.10.iptables-save-c.txt"));

        var dnat = Single(r, "nat", "DOCKER", 3);
        Assert.Equal("-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 18080 -j DNAT --to-destination 172.17.0.2:80", dnat.Rule);
        Assert.Equal("DNAT", dnat.Target);
        Assert.Equal("127.0.0.1/32", dnat.Destination);
        Assert.False(dnat.DestinationNegated);
        Assert.Equal("docker0", dnat.InInterface);
        Assert.True(dnat.InInterfaceNegated);
        Assert.Null(dnat.OutInterface);
        Assert.Equal("tcp", dnat.Protocol);
        Assert.Equal("18080", dnat.DestinationPort);
        Assert.Equal("172.17.0.2:80", dnat.ToDestination);
        Assert.Equal("172.17.0.2", dnat.ToIp);
        Assert.Equal(80, dnat.ToPort);
        Assert.Equal(0, dnat.Packets);
        Assert.Equal(0, dnat.Bytes);
    }

    [Fact]
    public void Docker2010_masquerade_rules_carry_subnet_and_negated_out_interface()
    {
        var r = IptablesSaveParser.Parse(Fixture("docker-20.10.iptables-save-c.txt"));

        var userBridge = Single(r, "nat", "POSTROUTING", 1);
        Assert.Equal(("MASQUERADE", "10.231.0.0/24", false, "nvnd-br0", true),
            (userBridge.Target, userBridge.Source, userBridge.SourceNegated, userBridge.OutInterface, userBridge.OutInterfaceNegated));

        var docker0 = Single(r, "nat", "POSTROUTING", 2);
        Assert.Equal("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", docker0.Rule);
        Assert.Equal(("MASQUERADE", "172.17.0.0/16", false, "docker0", true),
            (docker0.Target, docker0.Source, docker0.SourceNegated, docker0.OutInterface, docker0.OutInterfaceNegated));

        // Docker's hairpin rule for the published port: masquerade container->itself via the host port.
        var hairpin = Single(r, "nat", "POSTROUTING", 3);
        Assert.Equal(("172.17.0.2/32", "172.17.0.2/32", "80", "MASQUERADE"), (hairpin.Source, hairpin.Destination, hairpin.DestinationPort, hairpin.Target));
        Assert.Null(hairpin.OutInterface);
    }

    [Fact]
    public void Docker2010_addrtype_jumps_and_internal_network_isolation()
    {
        var r = IptablesSaveParser.Parse(Fixture("docker-20.10.iptables-save-c.txt"));

        var pre = Single(r, "nat", "PREROUTING", 1);
        Assert.Equal(("LOCAL", "DOCKER"), (pre.DstType, pre.Target));
        var output = Single(r, "nat", "OUTPUT", 1);
        Assert.Equal(("127.0.0.0/8", true, "LOCAL", "DOCKER"), (output.Destination, output.DestinationNegated, output.DstType, output.Target));

        // docker network create --internal: traffic leaving or entering the bridge for other subnets is dropped.
        var internalOut = Single(r, "filter", "DOCKER-ISOLATION-STAGE-1", 1);
        Assert.Equal(("10.232.0.0/24", true, "br-9add505f3b88", false, "DROP"),
            (internalOut.Source, internalOut.SourceNegated, internalOut.OutInterface, internalOut.OutInterfaceNegated, internalOut.Target));
        var internalIn = Single(r, "filter", "DOCKER-ISOLATION-STAGE-1", 2);
        Assert.Equal(("10.232.0.0/24", true, "br-9add505f3b88", false, "DROP"),
            (internalIn.Destination, internalIn.DestinationNegated, internalIn.InInterface, internalIn.InInterfaceNegated, internalIn.Target));

        var accept = Single(r, "filter", "DOCKER", 1);
        Assert.Equal(("172.17.0.2/32", "docker0", true, "docker0", false, "80", "ACCEPT"),
            (accept.Destination, accept.InInterface, accept.InInterfaceNegated, accept.OutInterface, accept.OutInterfaceNegated, accept.DestinationPort, accept.Target));
        Assert.Equal(11, r.Rules.Count(x => x.Table == "filter" && x.Chain == "FORWARD"));
        Assert.Equal(Enumerable.Range(1, 11), r.Rules.Where(x => x.Table == "filter" && x.Chain == "FORWARD").Select(x => x.Position));
    }

    [Fact]
    public void Output_without_counters_parses_to_the_same_rules_with_zero_counters()
    {
        var withCounters = IptablesSaveParser.Parse(Fixture("docker-20.10.iptables-save-c.txt"));
        var without = IptablesSaveParser.Parse(Fixture("docker-20.10.iptables-save-nocounters.txt"));

        Assert.Empty(without.Warnings);
        Assert.Equal(withCounters.Rules.Length, without.Rules.Length);
        for (var i = 0; i < without.Rules.Length; i++)
            Assert.Equal(withCounters.Rules[i], without.Rules[i]);
        Assert.All(without.Rules, x => Assert.Equal((0L, 0L), (x.Packets, x.Bytes)));
    }

    [Fact]
    public void Docker28_layout_chains_and_counters()
    {
        var r = IptablesSaveParser.Parse(Fixture("docker-28.x-layout.iptables-save-c.txt"));

        Assert.Empty(r.Warnings);
        Assert.Equal(["raw", "filter", "nat"], r.Rules.Select(x => x.Table).Distinct());
        Assert.Equal(2, r.RulesOf("raw").Length);
        Assert.Equal(21, r.RulesOf("filter").Length);
        Assert.Equal(6, r.RulesOf("nat").Length);
        foreach (var chain in new[] { "DOCKER-FORWARD", "DOCKER-BRIDGE", "DOCKER-CT", "DOCKER-INTERNAL", "DOCKER-ISOLATION-STAGE-1", "DOCKER-ISOLATION-STAGE-2", "DOCKER-USER" })
            Assert.Contains(new ChainInfo("filter", chain, null, 0, 0), r.Chains);
        Assert.Contains(new ChainInfo("filter", "FORWARD", "DROP", 17, 1020), r.Chains);
        Assert.Contains(new ChainInfo("raw", "PREROUTING", "ACCEPT", 90211, 61233007), r.Chains);

        var forward = r.Rules.Where(x => x.Table == "filter" && x.Chain == "DOCKER-FORWARD").ToList();
        Assert.Equal(["DOCKER-CT", "DOCKER-INTERNAL", "DOCKER-ISOLATION-STAGE-1", "DOCKER-BRIDGE", "ACCEPT", "ACCEPT"], forward.Select(x => x.Target));
        Assert.Equal((1400L, 1119828L), (forward[0].Packets, forward[0].Bytes));
        Assert.Equal(("docker0", false), (forward[5].InInterface, forward[5].InInterfaceNegated));

        var ct = Single(r, "filter", "DOCKER-CT", 2);
        Assert.Equal(("docker0", "ACCEPT", 1011L, 1093018L), (ct.OutInterface, ct.Target, ct.Packets, ct.Bytes));

        var dropUnpublished = Single(r, "filter", "DOCKER", 3);
        Assert.Equal(("docker0", true, "docker0", false, "DROP"),
            (dropUnpublished.InInterface, dropUnpublished.InInterfaceNegated, dropUnpublished.OutInterface, dropUnpublished.OutInterfaceNegated, dropUnpublished.Target));

        var internalRule = Single(r, "filter", "DOCKER-INTERNAL", 2);
        Assert.Equal(("10.232.0.0/24", true, "10.232.0.0/24", false), (internalRule.Source, internalRule.SourceNegated, internalRule.Destination, internalRule.DestinationNegated));

        var rawDrop = Single(r, "raw", "PREROUTING", 1);
        Assert.Equal(("172.17.0.2/32", "docker0", true, "DROP"), (rawDrop.Destination, rawDrop.InInterface, rawDrop.InInterfaceNegated, rawDrop.Target));

        var masquerade = Single(r, "nat", "POSTROUTING", 2);
        Assert.Equal(("172.17.0.0/16", "docker0", true, 3412L, 214871L), (masquerade.Source, masquerade.OutInterface, masquerade.OutInterfaceNegated, masquerade.Packets, masquerade.Bytes));

        var dnat = Single(r, "nat", "DOCKER", 1);
        Assert.Equal(("172.17.0.2", 80, "18080", 12L, 720L), (dnat.ToIp, dnat.ToPort, dnat.DestinationPort, dnat.Packets, dnat.Bytes));
        var big = Single(r, "nat", "DOCKER", 2);
        Assert.Equal(("udp", "10.231.0.2", 53, 5_000_000_000L, 9_000_000_000_000L), (big.Protocol, big.ToIp, big.ToPort, big.Packets, big.Bytes));
    }

    [Fact]
    public void Malformed_lines_become_numbered_warnings_and_the_rest_is_kept()
    {
        var r = IptablesSaveParser.Parse(Fixture("malformed.iptables-save-c.txt"));

        string[] expected =
        [
            "line 1: not inside a table",
            "line 4: malformed chain declaration: :BROKEN",
            "line 5: malformed chain counters: :DOCKER - [x:0]",
            "line 8: malformed [packets:bytes] counters",
            "line 9: unterminated double quote",
            "line 10: -A without a chain name: [0:0] -A",
            "line 11: option -p without a value",
            "line 12: not a chain declaration, rule (-A) or COMMIT: this line is not iptables-save output",
            "line 20: table *filter has no COMMIT",
        ];
        Assert.Equal(expected.Length, r.Warnings.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.StartsWith(expected[i], r.Warnings[i]);
        Assert.Contains("[oops:1] -A PREROUTING -j DOCKER", r.Warnings[3]);

        Assert.Equal(
            ["nat/PREROUTING/1", "nat/PREROUTING/2", "nat/PREROUTING/3", "nat/POSTROUTING/1", "nat/POSTROUTING/2", "filter/INPUT/1"],
            r.Rules.Select(x => $"{x.Table}/{x.Chain}/{x.Position}"));

        var commented = r.Rules[0];
        Assert.Equal("published \"https\" port", commented.Comment);
        Assert.Equal(("[fd00::2]:443", "fd00::2", 443, 7L, 420L), (commented.ToDestination, commented.ToIp, commented.ToPort, commented.Packets, commented.Bytes));

        var bareV6 = r.Rules[1];
        Assert.Equal(("fd00::9", "fd00::2", (int?)null), (bareV6.Destination, bareV6.ToIp, bareV6.ToPort));

        var noCounters = r.Rules[2];
        Assert.Equal(("DOCKER", "single quoted", 0L, 0L), (noCounters.Target, noCounters.Comment, noCounters.Packets, noCounters.Bytes));
        Assert.Equal("-A PREROUTING -m comment --comment 'single quoted' -g DOCKER", noCounters.Rule);

        var snat = r.Rules[3];
        Assert.Equal(("SNAT", "192.0.2.10", "eth0", false), (snat.Target, snat.ToSource, snat.OutInterface, snat.OutInterfaceNegated));

        var range = r.Rules[4];
        Assert.Equal(("10.0.0.5", (int?)null, "10.0.0.5:8000-8010"), (range.ToIp, range.ToPort, range.ToDestination));

        var noTarget = r.Rules[5];
        Assert.Null(noTarget.Target);
        Assert.Equal("lo", noTarget.InInterface);
    }

    [Theory]
    [InlineData("172.17.0.2:80", "172.17.0.2", 80)]
    [InlineData("172.17.0.2", "172.17.0.2", null)]
    [InlineData("[::1]:80", "::1", 80)]
    [InlineData("[fd00::2]", "fd00::2", null)]
    [InlineData("fd00::2", "fd00::2", null)]
    [InlineData("10.0.0.1:8000-8010", "10.0.0.1", null)]
    [InlineData("10.0.0.1:99999", "10.0.0.1", null)]
    public void SplitHostPort_cases(string value, string? ip, int? port) =>
        Assert.Equal((ip, port), IptablesSaveParser.SplitHostPort(value));

    [Theory]
    [InlineData("-A X -m comment --comment \"a b\" -j Y", new[] { "-A", "X", "-m", "comment", "--comment", "a b", "-j", "Y" })]
    [InlineData("a\\ b 'c \"d' \"e\\\\f\"", new[] { "a b", "c \"d", "e\\f" })]
    [InlineData("  x\t y  ", new[] { "x", "y" })]
    [InlineData("\"\"", new[] { "" })]
    public void ShellTokenizer_splits_like_a_shell(string line, string[] expected)
    {
        Assert.True(ShellTokenizer.TryTokenize(line, out var tokens, out _));
        Assert.Equal(expected, tokens);
    }
}
