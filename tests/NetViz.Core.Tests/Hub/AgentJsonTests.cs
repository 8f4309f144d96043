using System.Text.Json;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Hub;
using NetViz.Core.Model;
using NetViz.Core.Tests.Model;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Hub;

/// <summary>The hub reads agents' JSON back into the model: what it reads must write the very JSON the agent sent.</summary>
public sealed class AgentJsonTests
{
    private static TopologySnapshot Before() => TopologyBuilder.Build(Readings(nat: TopologyJsonContractTests.ContractNat()));

    private static TopologySnapshot After()
    {
        var docker = Correlation.LessonTopology.Docker();
        return TopologyBuilder.Build(Readings(
            nat: TopologyJsonContractTests.ContractNat() with { Rules = [.. TopologyJsonContractTests.ContractNat().Rules.Select(r => r with { Packets = r.Packets + 5 })] },
            docker: docker with { Containers = docker.Containers.RemoveAt(1) }) with { CollectedAt = DateTimeOffset.Parse("2026-11-28T10:00:02Z") });
    }

    /// <summary>Docker's embedded-DNS DNAT in a container's own rule set: a rule node that names its namespace.</summary>
    private static TopologySnapshot EmbeddedDns()
    {
        var dnat = new NetViz.Core.Sources.NatRule
        {
            Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", NetnsInode = Web,
            Rule = "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41234",
            Destination = "127.0.0.11/32", Protocol = "udp", DestinationPort = "53", ToDestination = "127.0.0.11:41234", ToIp = "127.0.0.11", ToPort = 41234,
        };
        return TopologyBuilder.Build(Readings(Correlation.LessonTopology.Nat() with { NamespaceRules = [dnat] }));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, TopologyJson.Options);
    private static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void A_snapshot_read_back_without_a_prefix_writes_the_same_json_every_kind_included()
    {
        var original = Before();
        Assert.Equal(
            [NodeKinds.Container, NodeKinds.External, NodeKinds.Interface, NodeKinds.NatRule, NodeKinds.Netns, NodeKinds.Network],
            original.Nodes.Select(n => n.Kind).Distinct().Order());
        var json = Json(original);

        var read = DerivedFacts.Complete(AgentJson.ReadSnapshot(Element(json), "", out var skipped));

        Assert.Equal(0, skipped);
        Assert.Equal(json, Json(read));
        // The facts the JSON does not carry are recovered: the dashboard's network filter and NAT colours need them.
        Assert.Equal(original.Nodes.Select(n => n.Membership), read.Nodes.Select(n => n.Membership));
        Assert.Equal(original.Edges.OfType<NatEdge>().Select(e => e.Translation), read.Edges.OfType<NatEdge>().Select(e => e.Translation));
        Assert.Equal(original.Nodes.OfType<NetnsNode>().Select(n => n.Containers), read.Nodes.OfType<NetnsNode>().Select(n => n.Containers));
    }

    [Fact]
    public void Swarm_overlay_and_a_namespace_rule_set_read_back_the_same_and_their_references_take_the_prefix()
    {
        var dns = EmbeddedDns();
        var swarm = TopologyBuilder.Build(Correlation.OverlayTopologyTests.Swarm());
        Assert.Contains(swarm.Edges, e => e.Kind == EdgeKinds.Underlay);
        Assert.Contains(dns.Nodes, n => n is NatRuleNode { Netns: not null });

        foreach (var original in new[] { dns, swarm })
        {
            var json = Json(original);
            var read = DerivedFacts.Complete(AgentJson.ReadSnapshot(Element(json), "", out var skipped));
            Assert.Equal(0, skipped);
            Assert.Equal(json, Json(read));

            var prefixed = AgentJson.ReadSnapshot(Element(json), "node-3/", out _);
            var ids = prefixed.Nodes.Select(n => n.Id).ToHashSet();
            Assert.All(prefixed.Edges, e => { Assert.Contains(e.Source, ids); Assert.Contains(e.Target, ids); });
            foreach (var reference in prefixed.Nodes.SelectMany(n => n switch
                     {
                         NetworkNode net => new[] { net.Bridge, net.Netns, net.ParentInterface },
                         InterfaceNode i => new[] { i.UnderlayNetns, i.Peer, i.Master, i.Lower },
                         NetnsNode ns => new[] { ns.Network },
                         NatRuleNode rule => new[] { rule.Netns },
                         _ => [],
                     }).OfType<string>())
                Assert.Contains(reference, ids);
            Assert.Equal(json, Json(prefixed).Replace("\"node-3/", "\""));
        }
    }

    [Fact]
    public void With_a_host_prefix_every_id_and_every_member_naming_one_is_prefixed_and_nothing_else()
    {
        var json = Json(Before());
        var read = AgentJson.ReadSnapshot(Element(json), "node-2/", out _);

        var ids = read.Nodes.Select(n => n.Id).ToHashSet();
        Assert.All(ids, id => Assert.StartsWith("node-2/", id));
        Assert.All(read.Edges, e => { Assert.Contains(e.Source, ids); Assert.Contains(e.Target, ids); Assert.StartsWith("node-2/", e.Id); });
        Assert.All(read.Nodes.Where(n => n.Parent is not null), n => Assert.Contains(n.Parent!, ids));
        Assert.All(read.Nodes.OfType<InterfaceNode>(), i =>
        {
            foreach (var reference in new[] { i.Peer, i.Master, i.Lower }.OfType<string>()) Assert.Contains(reference, ids);
        });
        Assert.Contains(read.Host.Netns!, ids);
        // Take the prefix away again and it is the agent's JSON, character for character.
        Assert.Equal(json, Json(read).Replace("\"node-2/", "\""));
    }

    [Fact]
    public void A_diff_event_applied_to_the_read_snapshot_gives_the_agents_next_snapshot()
    {
        var (before, after) = (Before(), After());
        var diff = TopologyDiffer.Compute(before, after, 18);
        Assert.NotEmpty(diff.RemovedNodes);
        Assert.NotEmpty(diff.UpdatedNodes);

        var read = AgentJson.ReadSnapshot(Element(Json(before)), "h/", out _);
        var applied = DerivedFacts.Complete(AgentJson.ApplyDiff(read, Element(Json(diff)), "h/", out var skipped));
        var expected = DerivedFacts.Complete(AgentJson.ReadSnapshot(Element(Json(after)), "h/", out _));

        Assert.Equal(0, skipped);
        Assert.Equal(expected.GeneratedAt, applied.GeneratedAt);
        Assert.Equal(expected.Nodes.Select(Json).Order(), applied.Nodes.Select(Json).Order());
        Assert.Equal(expected.Edges.Select(Json).Order(), applied.Edges.Select(Json).Order());
    }

    [Fact]
    public void Elements_of_a_kind_this_hub_does_not_know_are_skipped_and_counted()
    {
        var json = Json(Before()).Replace("\"nodes\":[", "\"nodes\":[{\"id\":\"x:1\",\"kind\":\"future-kind\",\"label\":\"x\",\"parent\":null,\"props\":{}},");
        var read = AgentJson.ReadSnapshot(Element(json), "", out var skipped);
        Assert.Equal(1, skipped);
        Assert.Equal(Before().Nodes.Length, read.Nodes.Length);
    }

    /// <summary>
    /// Every value in any node's or edge's props, at any depth, that is a node id of the agent's snapshot (the truth:
    /// read from the snapshot, not from the model's marks) takes the host prefix; every other value stays as sent.
    /// </summary>
    [Fact]
    public void Every_value_naming_a_node_takes_the_prefix_at_any_depth_and_no_other_value_does()
    {
        var snapshots = new[]
        {
            Before(),
            EmbeddedDns(),
            TopologyBuilder.Build(Correlation.OverlayTopologyTests.Swarm()),
        };
        var prefixedValues = 0;
        var kept = 0;
        foreach (var original in snapshots)
        {
            var ids = original.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            using var sent = JsonDocument.Parse(Json(original));
            using var read = JsonDocument.Parse(Json(AgentJson.ReadSnapshot(Element(Json(original)), "node-7/", out _)));
            foreach (var list in new[] { "nodes", "edges" })
            {
                var sentElements = sent.RootElement.GetProperty(list).EnumerateArray().ToList();
                var readElements = read.RootElement.GetProperty(list).EnumerateArray().ToList();
                Assert.Equal(sentElements.Count, readElements.Count);
                for (var i = 0; i < sentElements.Count; i++)
                    Compare(sentElements[i].GetProperty("props"), readElements[i].GetProperty("props"), $"{list}[{sentElements[i].GetProperty("id")}].props");
            }

            void Compare(JsonElement a, JsonElement b, string path)
            {
                Assert.True(a.ValueKind == b.ValueKind, $"{path}: {a.ValueKind} became {b.ValueKind}");
                switch (a.ValueKind)
                {
                    case JsonValueKind.Object:
                        foreach (var member in a.EnumerateObject()) Compare(member.Value, b.GetProperty(member.Name), $"{path}.{member.Name}");
                        break;
                    case JsonValueKind.Array:
                        var (x, y) = (a.EnumerateArray().ToList(), b.EnumerateArray().ToList());
                        Assert.Equal(x.Count, y.Count);
                        for (var i = 0; i < x.Count; i++) Compare(x[i], y[i], $"{path}[{i}]");
                        break;
                    case JsonValueKind.String when ids.Contains(a.GetString()!):
                        Assert.True("node-7/" + a.GetString() == b.GetString(), $"{path}: {a.GetString()} read as {b.GetString()}");
                        prefixedValues++;
                        break;
                    default:
                        Assert.True(a.GetRawText() == b.GetRawText(), $"{path}: {a.GetRawText()} read as {b.GetRawText()}");
                        kept++;
                        break;
                }
            }
        }
        // The fixtures hold references of many kinds (a few per snapshot would not prove the walk reached them).
        Assert.True(prefixedValues > 30, $"only {prefixedValues} references in the fixtures");
        Assert.True(kept > 100);
    }
}
