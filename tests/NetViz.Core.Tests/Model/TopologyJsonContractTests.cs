using System.Text.Json;
using System.Text.Json.Nodes;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Model;

/// <summary>
/// The JSON of the API and SSE (docs/api.md) is produced from the typed model. These pin it to recordings taken with
/// the JSON-props builder the typed model replaced (Fixtures/contract, README there), so every kind keeps its members,
/// their JSON types and their nulls.
/// </summary>
public class TopologyJsonContractTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "contract");

    /// <summary>The lesson's NAT rules plus an SNAT rule with a comment, so every kind and role is in the recording.</summary>
    public static NatView ContractNat() => Nat() with
    {
        Rules = Nat().Rules.Add(new NatRule
        {
            Table = "nat", Chain = "POSTROUTING", Position = 3, Target = "SNAT",
            Rule = "-A POSTROUTING -s 10.99.0.0/24 -o eth0 -m comment --comment \"lab snat\" -j SNAT --to-source 10.0.2.15",
            Source = "10.99.0.0/24", OutInterface = "eth0", ToSource = "10.0.2.15", Comment = "lab snat",
        }),
    };

    private static JsonNode Recorded(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, name)))!;

    private static void AssertSameJson(JsonNode expected, JsonNode actual, string path = "$")
    {
        // Member by member, so a failure names the first differing path rather than printing two 30 kB documents.
        switch (expected)
        {
            case JsonObject o:
                var a = Assert.IsType<JsonObject>(actual);
                Assert.True(o.Select(p => p.Key).Order().SequenceEqual(a.Select(p => p.Key).Order()),
                    $"{path}: members [{string.Join(", ", o.Select(p => p.Key))}] expected, [{string.Join(", ", a.Select(p => p.Key))}] written");
                foreach (var (key, value) in o)
                {
                    if (value is null) Assert.True(a[key] is null, $"{path}.{key}: null expected, {a[key]?.ToJsonString()} written");
                    else AssertSameJson(value, a[key]!, $"{path}.{key}");
                }
                break;
            case JsonArray arr:
                var b = Assert.IsType<JsonArray>(actual);
                Assert.True(arr.Count == b.Count, $"{path}: {arr.Count} items expected, {b.Count} written");
                for (var i = 0; i < arr.Count; i++)
                {
                    if (arr[i] is null) Assert.True(b[i] is null, $"{path}[{i}]");
                    else AssertSameJson(arr[i]!, b[i]!, $"{path}[{i}]");
                }
                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: {expected.ToJsonString()} expected, {actual?.ToJsonString()} written");
                break;
        }
    }

    [Fact]
    public void The_snapshot_json_is_the_recorded_contract()
    {
        var snapshot = TopologyBuilder.Build(Readings(nat: ContractNat()));
        var written = JsonSerializer.SerializeToNode(snapshot, TopologyJson.Options)!;
        AssertSameJson(Recorded("lesson-snapshot.json"), written);
        // Same text, member order included: a consumer diffing two API answers sees no churn.
        Assert.Equal(Recorded("lesson-snapshot.json").ToJsonString(), written.ToJsonString());
    }

    [Fact]
    public void The_sse_diff_json_is_the_recorded_contract()
    {
        var before = TopologyBuilder.Build(Readings(nat: ContractNat()));
        var docker = Correlation.LessonTopology.Docker();
        var after = TopologyBuilder.Build(Readings(
            nat: ContractNat() with { Rules = [.. ContractNat().Rules.Select(r => r with { Packets = r.Packets + 5 })] },
            docker: docker with { Containers = docker.Containers.RemoveAt(1) }) with { CollectedAt = DateTimeOffset.Parse("2026-11-28T10:00:02Z") });
        var diff = TopologyDiffer.Compute(before, after, 18);
        var written = JsonSerializer.SerializeToNode(diff, TopologyJson.Options)!;
        AssertSameJson(Recorded("lesson-diff.json"), written);
    }
}
