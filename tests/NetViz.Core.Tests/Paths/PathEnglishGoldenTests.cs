using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NetViz.Core.Model;
using NetViz.Core.Paths;

namespace NetViz.Core.Tests.Paths;

/// <summary>
/// The English of <c>GET /api/path</c> is a contract: every explanation over the lab (every source × destination ×
/// protocol, under each kind of rules and sysctls) serializes byte for byte as it did when the golden file was
/// recorded (before the explanation's sentences became message keys). The file holds one SHA-256 per case; a
/// mismatch prints the case's JSON. Re-record only for an intended change: NETVIZ_RECORD_PATH_GOLDEN=FILE.
/// </summary>
public sealed class PathEnglishGoldenTests
{
    private static readonly string[] Endpoints =
    [
        "host", "outside", "outside:10.88.0.9", "web", "db", "app", "iso", "side", "netns:manual", "netns:far",
        "10.0.2.15:8081", "host:8080", "10.66.0.2", "10.0.2.15:9999", "172.17.0.3",
    ];

    private static readonly (string Protocol, int? Port)[] Protocols = [("icmp", null), ("tcp", 80), ("udp", 53)];

    private static IEnumerable<(string Name, TopologySnapshot Snapshot, PathSysctls Sysctls)> Variants()
    {
        var lab = PathLab.Snapshot();
        yield return ("default", lab, PathSysctls.DockerDefaults);
        yield return ("unread-sysctls", lab, new PathSysctls());
        yield return ("no-forward", lab, PathSysctls.DockerDefaults with { IpForward = 0 });
        yield return ("strict-rp", lab, PathSysctls.DockerDefaults with { RpFilterAll = 1 });
        yield return ("loose-rp", lab, PathSysctls.DockerDefaults with { RpFilterAll = 2 });
        yield return ("bridged-unseen", lab, PathSysctls.DockerDefaults with { BridgeNfCallIptables = 0 });
        yield return ("no-rules", PathLab.Snapshot(withRules: false), PathSysctls.DockerDefaults);
        yield return ("manual-open", PathLab.Snapshot(filterExtra: "-A DOCKER-USER -i mbr0 -j ACCEPT\n-A DOCKER-USER -o mbr0 -j ACCEPT"), PathSysctls.DockerDefaults);
        yield return ("manual-masquerade", PathLab.Snapshot(filterExtra: "-A DOCKER-USER -i mbr0 -j ACCEPT",
            natExtra: "-A POSTROUTING -s 10.77.0.0/24 -o vethfar -j MASQUERADE\n-A POSTROUTING -s 10.77.0.0/24 -o eth0 -j SNAT --to-source 10.0.2.15"), PathSysctls.DockerDefaults);
        yield return ("user-drop", PathLab.Snapshot(filterExtra: "-A DOCKER-USER -s 172.17.0.3/32 -j REJECT"), PathSysctls.DockerDefaults);
        yield return ("icc-off", PathLab.Snapshot(filterExtra: "-A FORWARD -i docker0 -o docker0 -j DROP"), PathSysctls.DockerDefaults);
        yield return ("unknown-match", PathLab.Snapshot(filterExtra: "-A DOCKER-USER -m set --match-set blocked src -j DROP"), PathSysctls.DockerDefaults);
        yield return ("redirect", PathLab.Snapshot(natExtra: "-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080"), PathSysctls.DockerDefaults);
    }

    /// <summary>Every case: its name and its JSON as <c>GET /api/path</c> writes it (or the error it answers).</summary>
    private static IEnumerable<(string Case, string Json)> Cases()
    {
        foreach (var (name, snapshot, sysctls) in Variants())
            foreach (var from in Endpoints)
                foreach (var to in Endpoints)
                    foreach (var (protocol, port) in Protocols)
                    {
                        var id = $"{name} {from} {to} {protocol}";
                        string json;
                        try
                        {
                            json = JsonSerializer.Serialize(PathExplainer.Explain(snapshot, sysctls, new PathQuery(from, to, protocol, port)), TopologyJson.Indented);
                        }
                        catch (PathQueryException e)
                        {
                            json = "error: " + e.Message;
                        }
                        yield return (id, json);
                    }
    }

    private static string Hash(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Every_explanation_is_the_english_json_it_was()
    {
        var cases = Cases().ToList();
        if (Environment.GetEnvironmentVariable("NETVIZ_RECORD_PATH_GOLDEN") is { Length: > 0 } record)
            File.WriteAllLines(record, cases.Select(c => $"{Hash(c.Json)} {c.Case}"));
        var golden = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "paths", "english-golden.txt"))
            .Select(l => l.Split(' ', 2)).ToImmutableDictionary(p => p[1], p => p[0]);
        Assert.Equal(golden.Count, cases.Count);
        // Not only errors: most cases are real explanations, with every verdict.
        Assert.True(cases.Count(c => !c.Json.StartsWith("error:", StringComparison.Ordinal)) > cases.Count / 2);
        foreach (var verdict in new[] { PathVerdicts.Delivered, PathVerdicts.LeavesHost, PathVerdicts.Dropped, PathVerdicts.NoRoute, PathVerdicts.Undecided })
            Assert.Contains(cases, c => c.Json.Contains($"\"verdict\": \"{verdict}\"", StringComparison.Ordinal));
        foreach (var (id, json) in cases)
        {
            Assert.True(golden.TryGetValue(id, out var expected), $"no golden hash for '{id}'");
            if (expected != Hash(json)) Assert.Fail($"'{id}' is no longer the recorded English:\n{json}");
        }
    }
}
