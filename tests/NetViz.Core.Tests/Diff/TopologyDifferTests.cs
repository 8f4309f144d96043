using System.Collections.Immutable;
using NetViz.Core.Diff;
using NetViz.Core.Model;

namespace NetViz.Core.Tests.Diff;

public class TopologyDifferTests
{
    /// <summary>Property: for random pairs of snapshots, applying diff(a, b) to a gives b (same ids, same content).</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Applying_the_diff_of_a_and_b_to_a_gives_b(int seed)
    {
        var random = new Random(seed);
        var a = RandomSnapshot(random, 0);
        var b = Mutate(random, a);
        var diff = TopologyDiffer.Compute(a, b, sequence: 42);
        var patched = TopologyDiffer.Apply(a, diff);
        AssertSameGraph(b, patched);
        Assert.Equal(42, diff.Sequence);
        Assert.Equal(b.GeneratedAt, patched.GeneratedAt);
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 200)];

    [Fact]
    public void Identical_snapshots_give_an_empty_diff()
    {
        // Built twice from the same seed: equal content in distinct arrays, as two collections of an unchanged host are.
        var a = RandomSnapshot(new Random(7), 0);
        var copy = RandomSnapshot(new Random(7), 0);
        Assert.True(TopologyDiffer.Compute(a, copy, 1).IsEmpty);
    }

    [Fact]
    public void A_changed_prop_is_an_update_not_a_remove_and_add()
    {
        var node = new InterfaceNode { Id = "if:1:2", Label = "eth0", Name = "eth0", Ifindex = 2, Type = "veth", NetnsInode = 1, Up = true };
        var a = Snap([node]);
        var b = Snap([node with { Up = false }]);
        var diff = TopologyDiffer.Compute(a, b, 1);
        Assert.Empty(diff.AddedNodes);
        Assert.Empty(diff.RemovedNodes);
        Assert.False(Assert.IsType<InterfaceNode>(Assert.Single(diff.UpdatedNodes)).Up);
    }

    [Fact]
    public void A_change_deep_in_a_collection_is_an_update()
    {
        var node = new ContainerNode
        {
            Id = "ctr:a", Label = "a", ContainerId = "a", Name = "a", Image = "i", State = "running", NetworkMode = "bridge",
            Networks = [new NetworkAttachment { Name = "bridge", NetworkId = "n", IPAddress = "172.17.0.2" }],
        };
        var moved = node with { Networks = [new NetworkAttachment { Name = "bridge", NetworkId = "n", IPAddress = "172.17.0.3" }] };
        var diff = TopologyDiffer.Compute(Snap([node]), Snap([moved]), 1);
        Assert.Equal("172.17.0.3", Assert.IsType<ContainerNode>(Assert.Single(diff.UpdatedNodes)).Networks[0].IPAddress);
    }

    [Fact]
    public void Applying_a_diff_to_a_snapshot_that_already_has_it_changes_nothing()
    {
        // A subscriber that reset from the feed's current snapshot may get the diff that led there.
        var random = new Random(11);
        var a = RandomSnapshot(random, 0);
        var b = Mutate(random, a);
        var diff = TopologyDiffer.Compute(a, b, 2);
        AssertSameGraph(b, TopologyDiffer.Apply(b, diff));
        Assert.Equal(b.Nodes.Length, TopologyDiffer.Apply(b, diff).Nodes.Length);
    }

    private static void AssertSameGraph(TopologySnapshot expected, TopologySnapshot actual)
    {
        Assert.Equal(expected.Nodes.Select(n => n.Id).Order(), actual.Nodes.Select(n => n.Id).Order());
        Assert.Equal(expected.Edges.Select(n => n.Id).Order(), actual.Edges.Select(n => n.Id).Order());
        var byId = actual.Nodes.ToDictionary(n => n.Id);
        Assert.All(expected.Nodes, n => Assert.Equal(n, byId[n.Id]));
        var edges = actual.Edges.ToDictionary(e => e.Id);
        Assert.All(expected.Edges, e => Assert.Equal(e, edges[e.Id]));
    }

    private static TopologySnapshot Snap(ImmutableArray<TopologyNode> nodes, ImmutableArray<TopologyEdge>? edges = null) =>
        TopologySnapshot.Empty with { Nodes = nodes, Edges = edges ?? [], GeneratedAt = DateTimeOffset.UnixEpoch.AddSeconds(nodes.Length) };

    private static TopologySnapshot RandomSnapshot(Random r, int generation)
    {
        var nodes = Enumerable.Range(0, r.Next(0, 30)).Select(i => RandomNode(r, $"n{i}", generation)).ToImmutableArray();
        var edges = nodes.Length < 2 ? [] : Enumerable.Range(0, r.Next(0, 30))
            .Select(i => RandomEdge(r, $"e{i}", nodes)).ToImmutableArray();
        return Snap(nodes, edges);
    }

    private static TopologyNode RandomNode(Random r, string id, int generation)
    {
        var label = $"{id}-{r.Next(3)}";
        var parent = r.Next(4) == 0 ? "n0" : null;
        return r.Next(3) switch
        {
            0 => new NetnsNode { Id = id, Label = label, Parent = parent, Inode = (ulong)(r.Next(5) + generation), Pids = [.. Enumerable.Range(0, r.Next(3))] },
            1 => new InterfaceNode
            {
                Id = id, Label = label, Parent = parent, Name = id, Ifindex = 2, Type = "veth", NetnsInode = 1,
                Up = r.Next(2) == 0, RxBytes = (ulong)(r.Next(5) + generation),
                Addresses = [.. Enumerable.Range(0, r.Next(3)).Select(x => new InterfaceAddress { Address = $"10.0.0.{x}", PrefixLength = 24 })],
            },
            _ => new ContainerNode
            {
                Id = id, Label = label, Parent = parent, ContainerId = id, Name = id, Image = "i", NetworkMode = "bridge",
                State = r.Next(2) == 0 ? "running" : "exited", Pid = r.Next(5) + generation,
                Networks = [.. Enumerable.Range(0, r.Next(3)).Select(x => new NetworkAttachment { Name = $"net{x}", NetworkId = $"{x}", IPAddress = $"10.0.{x}.2" })],
            },
        };
    }

    private static TopologyEdge RandomEdge(Random r, string id, ImmutableArray<TopologyNode> nodes)
    {
        var source = nodes[r.Next(nodes.Length)].Id;
        var target = nodes[r.Next(nodes.Length)].Id;
        return r.Next(2) == 0
            ? new VethEdge { Id = id, Source = source, Target = target }
            : new NatEdge { Id = id, Source = source, Target = target, Role = $"role{r.Next(3)}" };
    }

    /// <summary>Removes, changes and adds random nodes and edges.</summary>
    private static TopologySnapshot Mutate(Random r, TopologySnapshot a)
    {
        var nodes = a.Nodes.Where(_ => r.Next(5) != 0)
            .Select(n => r.Next(3) == 0 ? RandomNode(r, n.Id, 1) : n)
            .Concat(Enumerable.Range(0, r.Next(0, 6)).Select(i => RandomNode(r, $"new{i}", 1)))
            .OrderBy(_ => r.Next()).ToImmutableArray();
        var edges = nodes.Length < 2 ? ImmutableArray<TopologyEdge>.Empty : a.Edges.Where(_ => r.Next(5) != 0)
            .Select(e => r.Next(3) == 0 ? RandomEdge(r, e.Id, nodes) : e)
            .Concat(Enumerable.Range(0, r.Next(0, 6)).Select(i => RandomEdge(r, $"newe{i}", nodes)))
            .ToImmutableArray();
        return Snap(nodes, edges) with { GeneratedAt = a.GeneratedAt.AddSeconds(1) };
    }
}
