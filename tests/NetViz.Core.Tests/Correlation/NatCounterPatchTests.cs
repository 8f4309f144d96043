using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Correlation;

/// <summary>The NAT counter refresh patches the rule nodes of the previous snapshot; a full build is the truth it must equal.</summary>
public sealed class NatCounterPatchTests
{
    private static readonly SourceReadings Before = LessonTopology.Readings() with
    {
        // A rule inside a container's namespace (Docker's embedded DNS) and a filter rule with a chain: every kind of counter.
        Nat = LessonTopology.Nat() with
        {
            NamespaceRules =
            [
                new() { Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", Rule = "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:44444", Destination = "127.0.0.11/32", Protocol = "udp", DestinationPort = "53", ToDestination = "127.0.0.11:44444", ToIp = "127.0.0.11", ToPort = 44444, NetnsInode = LessonTopology.Web, Packets = 2, Bytes = 120 },
            ],
            FilterRules = [new() { Table = "filter", Chain = "FORWARD", Position = 1, Target = "DOCKER-USER", Rule = "-A FORWARD -j DOCKER-USER", Packets = 50, Bytes = 5000 }],
            Chains = [new ChainInfo("filter", "FORWARD", "DROP", 1, 60)],
        },
    };

    private static SourceReadings CountersMoved(SourceReadings r) => r with
    {
        CollectedAt = r.CollectedAt.AddSeconds(10),
        Nat = r.Nat with
        {
            // The MASQUERADE and the namespace's DNS rule counted packets; the others did not.
            Rules = [.. r.Nat.Rules.Select(x => x.Target == "MASQUERADE" && x.Position == 1 ? x with { Packets = x.Packets + 4, Bytes = x.Bytes + 240 } : x with { })],
            NamespaceRules = [.. r.Nat.NamespaceRules.Select(x => x with { Packets = x.Packets + 1, Bytes = x.Bytes + 60 })],
            FilterRules = [.. r.Nat.FilterRules.Select(x => x with { Packets = x.Packets + 9, Bytes = x.Bytes + 900 })],
            Chains = [.. r.Nat.Chains.Select(c => c with { Packets = c.Packets + 1 })],
        },
    };

    [Fact]
    public void Counters_only_give_the_snapshot_a_full_build_gives_and_a_diff_of_the_moved_rule_nodes_alone()
    {
        var built = TopologyBuilder.Build(Before);
        var after = CountersMoved(Before);

        var patched = NatCounterPatch.TryApply(built, Before, after);

        Assert.NotNull(patched);
        var truth = TopologyBuilder.Build(after);
        // (as sequences: ImmutableArray's own Equals compares the arrays' identity)
        Assert.Equal(truth.Nodes.AsEnumerable(), patched.Nodes.AsEnumerable());
        Assert.Equal(truth.Edges.AsEnumerable(), patched.Edges.AsEnumerable());
        Assert.Equal(truth.Filter, patched.Filter);
        Assert.Equal(truth.Sources, patched.Sources);
        Assert.Equal(truth.GeneratedAt, patched.GeneratedAt);
        Assert.Equal(truth.Host.Warnings.AsEnumerable(), patched.Host.Warnings.AsEnumerable());
        Assert.Equal(truth.Host with { Warnings = [] }, patched.Host with { Warnings = [] });

        var diff = TopologyDiffer.Compute(built, patched, 2);
        var moved = diff.UpdatedNodes.Select(n => Assert.IsType<NatRuleNode>(n)).ToList();
        Assert.Equal(2, moved.Count);
        Assert.Contains(moved, n => n.Target == "MASQUERADE" && n.Packets == 7 && n.Netns is null);
        Assert.Contains(moved, n => n.Chain == "DOCKER_OUTPUT" && n.Packets == 3 && n.Netns == NodeId.Netns(LessonTopology.Web));
        Assert.True(diff.AddedNodes.IsEmpty && diff.RemovedNodes.IsEmpty && diff.AddedEdges.IsEmpty && diff.RemovedEdges.IsEmpty && diff.UpdatedEdges.IsEmpty);
        // Every node and edge the counters do not touch is the previous snapshot's own object (so diffing is by reference).
        Assert.All(patched.Nodes.Where(n => !moved.Any(m => m.Id == n.Id)), n => Assert.Same(built.Nodes.Single(b => b.Id == n.Id), n));
        Assert.All(patched.Edges.Zip(built.Edges), pair => Assert.Same(pair.Second, pair.First));
        Assert.Equal(built.Edges.Length, patched.Edges.Length);
    }

    [Fact]
    public void A_rule_added_or_deleted_or_another_reading_is_not_patched()
    {
        var built = TopologyBuilder.Build(Before);
        var added = Before with { Nat = Before.Nat with { Rules = [.. Before.Nat.Rules, Before.Nat.Rules[0] with { Position = 2, Chain = "OUTPUT", Rule = "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER" }] } };
        var deleted = Before with { Nat = Before.Nat with { Rules = Before.Nat.Rules.RemoveAt(2) } };
        var moved = Before with { Nat = Before.Nat with { Rules = [.. Before.Nat.Rules.Select(r => r.Chain == "DOCKER" ? r with { Position = 3 - r.Position } : r)] } };
        var failed = Before with { Nat = Before.Nat with { Ok = false, Error = "iptables-save -c exited with code 4" } };
        var hostReread = Before with { Host = Before.Host with { } };

        Assert.Null(NatCounterPatch.TryApply(built, Before, added));
        Assert.Null(NatCounterPatch.TryApply(built, Before, deleted));
        Assert.Null(NatCounterPatch.TryApply(built, Before, moved));
        Assert.Null(NatCounterPatch.TryApply(built, Before, failed));
        Assert.Null(NatCounterPatch.TryApply(built, Before, CountersMoved(hostReread)));
        // A snapshot that was not built from these readings is not patched either.
        Assert.Null(NatCounterPatch.TryApply(TopologyBuilder.Build(LessonTopology.Readings()), Before, CountersMoved(Before)));
    }
}
