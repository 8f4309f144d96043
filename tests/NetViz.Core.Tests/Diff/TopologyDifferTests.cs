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
        var a = RandomSnapshot(new Random(7), 0);
        var copy = a with { Nodes = [.. a.Nodes.Select(n => n with { Props = TopologyJson.Props(n.Props) })] };
        Assert.True(TopologyDiffer.Compute(a, copy, 1).IsEmpty);
    }

    [Fact]
    public void A_changed_prop_is_an_update_not_a_remove_and_add()
    {
        var node = new TopologyNode { Id = "if:1:2", Kind = "interface", Label = "eth0", Props = TopologyJson.Props(new { up = true }) };
        var a = Snap([node]);
        var b = Snap([node with { Props = TopologyJson.Props(new { up = false }) }]);
        var diff = TopologyDiffer.Compute(a, b, 1);
        Assert.Empty(diff.AddedNodes);
        Assert.Empty(diff.RemovedNodes);
        Assert.False(Assert.Single(diff.UpdatedNodes).Props.GetProperty("up").GetBoolean());
    }

    private static void AssertSameGraph(TopologySnapshot expected, TopologySnapshot actual)
    {
        Assert.Equal(expected.Nodes.Select(n => n.Id).Order(), actual.Nodes.Select(n => n.Id).Order());
        Assert.Equal(expected.Edges.Select(n => n.Id).Order(), actual.Edges.Select(n => n.Id).Order());
        var byId = actual.Nodes.ToDictionary(n => n.Id);
        Assert.All(expected.Nodes, n => Assert.True(n.ContentEquals(byId[n.Id]), n.Id));
        var edges = actual.Edges.ToDictionary(e => e.Id);
        Assert.All(expected.Edges, e => Assert.True(e.ContentEquals(edges[e.Id]), e.Id));
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

    private static TopologyNode RandomNode(Random r, string id, int generation) => new()
    {
        Id = id,
        Kind = r.Next(3) switch { 0 => "netns", 1 => "interface", _ => "container" },
        Label = $"{id}-{r.Next(3)}",
        Parent = r.Next(4) == 0 ? "n0" : null,
        Props = TopologyJson.Props(new { up = r.Next(2) == 0, bytes = r.Next(5) + generation, addresses = Enumerable.Range(0, r.Next(3)).Select(x => $"10.0.0.{x}/24").ToArray() }),
    };

    private static TopologyEdge RandomEdge(Random r, string id, ImmutableArray<TopologyNode> nodes) => new()
    {
        Id = id,
        Kind = r.Next(2) == 0 ? "veth" : "bridge-port",
        Source = nodes[r.Next(nodes.Length)].Id,
        Target = nodes[r.Next(nodes.Length)].Id,
        Props = TopologyJson.Props(new { role = r.Next(3) }),
    };

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
