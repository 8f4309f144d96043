using NetViz.Core.Model;
using NetViz.Core.Paths;
using NetViz.Core.Sources.Nat;
using static NetViz.IntegrationTests.Docker.DockerCli;
using static NetViz.IntegrationTests.Paths.PathLabFixture;

namespace NetViz.IntegrationTests.Paths;

/// <summary>
/// For every pair, NetViz's verdict over a fresh snapshot must equal what a real packet does (busybox ping or an HTTP
/// GET inside the namespaces), and for a drop the rule where NetViz says it stops must be a DROP/REJECT rule whose
/// counter (iptables-save -c) went up while the real packet was sent.
/// </summary>
[Collection(PathLabCollection.Name)]
public sealed class PathMatrixTests(PathLabFixture lab)
{
    /// <summary>One pair: what NetViz is asked, and where/how the real probe runs.</summary>
    public sealed record Pair(string Name, string From, string To, string Protocol, int Port, string? ProbeFrom, string ProbeAddress);

    private static string Ctr(string name) => "container:" + name;

    private List<Pair> BasePairs()
    {
        var a1 = ContainerIp("nvpath-a1", "nvpath-a");
        var a2 = ContainerIp("nvpath-a2", "nvpath-a");
        var b1 = ContainerIp("nvpath-b1", "nvpath-b");
        var i1 = ContainerIp("nvpath-i1", "nvpath-int");
        var d1 = ContainerIp("nvpath-d1", "bridge");
        var gwA = Inspect("nvpath-a1").GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("nvpath-a").GetProperty("Gateway").GetString()!;
        const int P = ContainerPort;
        return
        [
            new("same bridge icmp", Ctr("nvpath-a1"), Ctr("nvpath-a2"), "icmp", 0, "nvpath-a1", a2),
            new("same bridge tcp", Ctr("nvpath-a1"), Ctr("nvpath-a2"), "tcp", P, "nvpath-a1", a2),
            new("same bridge back", Ctr("nvpath-a2"), Ctr("nvpath-a1"), "tcp", P, "nvpath-a2", a1),
            new("user net to user net icmp", Ctr("nvpath-a1"), Ctr("nvpath-b1"), "icmp", 0, "nvpath-a1", b1),
            new("user net to user net tcp", Ctr("nvpath-b1"), Ctr("nvpath-a1"), "tcp", P, "nvpath-b1", a1),
            new("default bridge to user net", Ctr("nvpath-d1"), Ctr("nvpath-a1"), "icmp", 0, "nvpath-d1", a1),
            new("user net to default bridge", Ctr("nvpath-a1"), Ctr("nvpath-d1"), "tcp", P, "nvpath-a1", d1),
            new("internal to outside", Ctr("nvpath-i1"), OutsideAddress, "icmp", 0, "nvpath-i1", OutsideAddress),
            new("internal to other net", Ctr("nvpath-i1"), Ctr("nvpath-a1"), "icmp", 0, "nvpath-i1", a1),
            new("into an internal net", Ctr("nvpath-a1"), Ctr("nvpath-i1"), "icmp", 0, "nvpath-a1", i1),
            new("host to published port", "host", $"127.0.0.1:{lab.PublishedPort}", "tcp", lab.PublishedPort, null, "127.0.0.1"),
            new("host to container tcp", "host", Ctr("nvpath-d1"), "tcp", P, null, d1),
            new("host to container icmp", "host", Ctr("nvpath-a1"), "icmp", 0, null, a1),
            new("container to the host", Ctr("nvpath-a1"), "host", "icmp", 0, "nvpath-a1", gwA),
            new("sidecar to same net", Ctr("nvpath-side"), Ctr("nvpath-a2"), "tcp", P, "nvpath-side", a2),
            new("sidecar to other net", Ctr("nvpath-side"), Ctr("nvpath-b1"), "icmp", 0, "nvpath-side", b1),
            new("user net to outside icmp", Ctr("nvpath-a1"), OutsideAddress, "icmp", 0, "nvpath-a1", OutsideAddress),
            new("user net to outside tcp", Ctr("nvpath-a1"), $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, "nvpath-a1", OutsideAddress),
            new("default bridge to outside", Ctr("nvpath-d1"), $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, "nvpath-d1", OutsideAddress),
            new("manual ns to outside, no masquerade icmp", "netns:" + ManualNs, OutsideAddress, "icmp", 0, ManualNs, OutsideAddress),
            new("manual ns to outside, no masquerade tcp", "netns:" + ManualNs, $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, ManualNs, OutsideAddress),
            new("manual ns to its bridge", "netns:" + ManualNs, "10.251.7.1", "icmp", 0, ManualNs, "10.251.7.1"),
            new("outside to manual ns", "netns:" + OutsideNs, "10.251.7.2", "icmp", 0, OutsideNs, "10.251.7.2"),
            new("outside to the host", "netns:" + OutsideNs, "10.251.8.1", "icmp", 0, OutsideNs, "10.251.8.1"),
            new("host to manual ns", "host", "netns:" + ManualNs, "icmp", 0, null, "10.251.7.2"),
            new("host to outside tcp", "host", $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, null, OutsideAddress),
            new("manual ns to a container", "netns:" + ManualNs, Ctr("nvpath-a1"), "icmp", 0, ManualNs, a1),
            new("container to manual ns", Ctr("nvpath-a1"), "netns:" + ManualNs, "icmp", 0, "nvpath-a1", "10.251.7.2"),
        ];
    }

    [Fact]
    public async Task Every_verdict_matches_what_real_packets_do()
    {
        var snapshot = await lab.CollectAsync();
        var pairs = BasePairs();
        var failures = Check(snapshot, pairs);
        Assert.True(pairs.Count >= 25);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task With_masquerade_the_manual_namespace_reaches_the_outside()
    {
        string[] masquerade = ["-s", "10.251.7.0/24", "-o", OutsideVeth, "-j", "MASQUERADE"];
        AddRule("nat", ["-A", "POSTROUTING", .. masquerade]);
        try
        {
            var snapshot = await lab.CollectAsync();
            List<Pair> pairs =
            [
                new("manual ns to outside, masquerade icmp", "netns:" + ManualNs, OutsideAddress, "icmp", 0, ManualNs, OutsideAddress),
                new("manual ns to outside, masquerade tcp", "netns:" + ManualNs, $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, ManualNs, OutsideAddress),
            ];
            var failures = Check(snapshot, pairs);
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.All(pairs, p => Assert.Equal(PathVerdicts.Delivered, Explain(snapshot, p).Verdict));
        }
        finally
        {
            PathLabRules.Delete("nat", "POSTROUTING", masquerade);
        }
    }

    [Fact]
    public async Task An_added_docker_user_drop_rule_stops_exactly_what_it_matches()
    {
        var a1 = ContainerIp("nvpath-a1", "nvpath-a");
        string[] drop = ["-s", a1 + "/32", "-d", OutsideAddress + "/32", "-p", "tcp", "--dport", OutsidePort.ToString(), "-j", "DROP"];
        AddRule("filter", ["-I", "DOCKER-USER", "1", .. drop]);
        try
        {
            var snapshot = await lab.CollectAsync();
            List<Pair> pairs =
            [
                new("a1 to outside tcp, dropped by DOCKER-USER", Ctr("nvpath-a1"), $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, "nvpath-a1", OutsideAddress),
                new("a2 to outside tcp, not matched", Ctr("nvpath-a2"), $"{OutsideAddress}:{OutsidePort}", "tcp", OutsidePort, "nvpath-a2", OutsideAddress),
                new("a1 to outside icmp, not matched", Ctr("nvpath-a1"), OutsideAddress, "icmp", 0, "nvpath-a1", OutsideAddress),
            ];
            var failures = Check(snapshot, pairs);
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            var stopped = Explain(snapshot, pairs[0]);
            Assert.Equal(PathVerdicts.Dropped, stopped.Verdict);
            Assert.Equal(("DOCKER-USER", 1), (stopped.Hops[stopped.StoppedAt!.Value].Chain, stopped.Hops[stopped.StoppedAt!.Value].RulePosition));
        }
        finally
        {
            PathLabRules.Delete("filter", "DOCKER-USER", drop);
        }
    }

    private static PathExplanation Explain(TopologySnapshot snapshot, Pair p) =>
        PathExplainer.Explain(snapshot, Sysctls(snapshot), new PathQuery(p.From, p.To, p.Protocol, p.Protocol == "icmp" ? null : p.Port));

    /// <summary>Runs every pair for real and returns a line per disagreement.</summary>
    private static List<string> Check(TopologySnapshot snapshot, List<Pair> pairs)
    {
        var failures = new List<string>();
        foreach (var pair in pairs)
        {
            var explained = Explain(snapshot, pair);
            var before = Counters().ToDictionary(r => (r.Chain, r.Position), r => r.Packets);
            var reached = Probe(pair.ProbeFrom, pair.Protocol, pair.ProbeAddress, pair.Port);
            var after = Counters();
            var said = $"NetViz: {explained.Verdict}: {explained.Reason}";
            if (explained.Verdict == PathVerdicts.Undecided) failures.Add($"{pair.Name}: NetViz could not decide: {explained.Reason}");
            else if (reached != (explained.Verdict == PathVerdicts.Delivered))
                failures.Add($"{pair.Name}: real packet {(reached ? "got through" : "did not")}; {said}");
            if (explained.Verdict == PathVerdicts.Dropped && explained.StoppedAt is { } at && explained.Hops[at] is { Chain: { } chain } hop && hop.Kind is PathHopKinds.Filter)
            {
                var grew = after.Where(r => r.Target is "DROP" or "REJECT" && r.Packets > before.GetValueOrDefault((r.Chain, r.Position))).Select(r => (r.Chain, r.Position)).ToList();
                if (hop.RulePosition is { } position && !grew.Contains((chain, position)))
                    failures.Add($"{pair.Name}: NetViz stops at rule {position} of {chain}, but the DROP rules whose counters grew are [{string.Join(", ", grew)}]");
            }
        }
        return failures;
    }

    private sealed record Counted(string Chain, int Position, string? Target, long Packets);

    private static IReadOnlyList<Counted> Counters() =>
        [.. IptablesSaveParser.Parse(Must("iptables-save", "-c", "-t", "filter")).Rules.Select(r => new Counted(r.Chain, r.Position, r.Target, r.Packets))];
}
