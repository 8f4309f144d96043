using System.Net;
using System.Text.Json;
using NetViz.E2E.Infrastructure;
using static NetViz.E2E.Infrastructure.HostCommand;

namespace NetViz.E2E;

/// <summary>The JSON surfaces of the running app against the real engine and kernel (docs/api.md).</summary>
[Collection(NetVizAppCollection.Name)]
public sealed class ApiTests(NetVizAppFixture app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Topology_answers_with_the_hosts_namespace_and_the_engines_version()
    {
        using var client = app.Server.CreateHttpClient();
        using var response = await client.GetAsync("/api/topology");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        // The server runs in this test's network namespace: its host netns is ours.
        Assert.Equal($"netns:{Run("stat", "-L", "-c", "%i", "/proc/self/ns/net")}", root.GetProperty("host").GetProperty("netns").GetString());
        Assert.Equal(Run("docker", "version", "--format", "{{.Server.Version}}"), root.GetProperty("sources").GetProperty("docker").GetProperty("version").GetString());
        Assert.True(root.GetProperty("sources").GetProperty("netlink").GetProperty("ok").GetBoolean());
        var docker0 = JsonDocument.Parse(Run("ip", "-j", "link", "show", "docker0")).RootElement[0].GetProperty("ifindex").GetInt32();
        Assert.Contains(root.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == $"if:{Run("stat", "-L", "-c", "%i", "/proc/self/ns/net")}:{docker0}");
    }

    [Fact]
    public async Task Events_stream_starts_with_the_snapshot_then_carries_a_started_and_a_removed_container_as_diffs()
    {
        using var client = app.Server.CreateHttpClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var first = await ReadEventAsync(reader, cts.Token);
        Assert.Equal("snapshot", first.Name);
        var sequence = first.Data.GetProperty("sequence").GetInt64();
        Assert.Equal(sequence, first.Id);
        Assert.True(first.Data.GetProperty("snapshot").GetProperty("nodes").GetArrayLength() > 0);

        Run("docker", "rm", "-f", "nve2e-sse");
        var id = Run("docker", "run", "-d", "--name", "nve2e-sse", "--label", NetVizAppFixture.TestLabel, "netviz/busybox:lab", "sleep", "600");
        try
        {
            var added = await ReadUntilAsync(reader, sequence, e => Ids(e.Data, "addedNodes").Contains($"ctr:{id}"), cts.Token);
            sequence = added.Id;
        }
        finally
        {
            Run("docker", "rm", "-f", id);
        }
        await ReadUntilAsync(reader, sequence, e => Ids(e.Data, "removedNodes").Contains($"ctr:{id}"), cts.Token);
    }

    private static HashSet<string> Ids(JsonElement diff, string member) =>
        diff.GetProperty(member).EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetProperty("id").GetString()!).ToHashSet();

    /// <summary>Reads diffs until one matches; every diff must follow its predecessor's sequence number.</summary>
    private static async Task<SseEvent> ReadUntilAsync(StreamReader reader, long sequence, Func<SseEvent, bool> match, CancellationToken ct)
    {
        while (true)
        {
            var e = await ReadEventAsync(reader, ct);
            if (e.Name == "snapshot") { sequence = e.Id; continue; }
            Assert.Equal("diff", e.Name);
            Assert.Equal(sequence + 1, e.Id);
            Assert.Equal(e.Id, e.Data.GetProperty("sequence").GetInt64());
            sequence = e.Id;
            if (match(e)) return e;
        }
    }

    private sealed record SseEvent(string Name, long Id, JsonElement Data);

    private static async Task<SseEvent> ReadEventAsync(StreamReader reader, CancellationToken ct)
    {
        string? name = null, data = null;
        long id = -1;
        while (true)
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (name is not null && data is not null) return new SseEvent(name, id, JsonDocument.Parse(data).RootElement.Clone());
                continue;
            }
            if (line.StartsWith(':')) continue;
            if (line.StartsWith("event: ")) name = line[7..];
            else if (line.StartsWith("id: ")) id = long.Parse(line[4..]);
            else if (line.StartsWith("data: ")) data = line[6..];
        }
    }
}
