using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Hub;
using NetViz.Core.Model;
using NetViz.Core.Tests.Model;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Hub;

public sealed class HubOptionsValidatorTests
{
    private static string[] Failures(params AgentEndpoint[] agents)
    {
        var result = new HubOptionsValidator().Validate(null, new HubOptions { Agents = [.. agents] });
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Fact]
    public void Good_agents_pass()
    {
        Assert.Empty(Failures(
            new AgentEndpoint { Name = "node-1", Url = "http://10.0.0.1:5001", Token = "0123456789abcdef" },
            new AgentEndpoint { Name = "local", Url = "http://127.0.0.1:5001" }));
    }

    [Theory]
    [InlineData("Node1", "http://10.0.0.1:5001", "0123456789abcdef", "Name")]
    [InlineData("a/b", "http://10.0.0.1:5001", "0123456789abcdef", "Name")]
    [InlineData("", "http://10.0.0.1:5001", "0123456789abcdef", "Name")]
    [InlineData("n", "ftp://10.0.0.1/", "0123456789abcdef", "Url")]
    [InlineData("n", "node1:5001", "0123456789abcdef", "Url")]
    [InlineData("n", "http://10.0.0.1:5001", null, "Token is required")]
    [InlineData("n", "http://10.0.0.1:5001", "short", "Token must be")]
    public void A_bad_agent_is_refused_naming_the_setting(string name, string url, string? token, string expected)
    {
        var failure = Assert.Single(Failures(new AgentEndpoint { Name = name, Url = url, Token = token }));
        Assert.Contains("NetViz:Agents:0:", failure);
        Assert.Contains(expected, failure);
    }

    [Fact]
    public void Two_agents_with_one_name_are_refused() =>
        Assert.Contains("used twice", Assert.Single(Failures(
            new AgentEndpoint { Name = "a", Url = "http://127.0.0.1:1" }, new AgentEndpoint { Name = "a", Url = "http://127.0.0.1:2" })));
}

public sealed class ServerSentEventReaderTests
{
    private static async Task<List<ServerSentEvent>> ReadAll(string text, int max = 1 << 20)
    {
        var reader = new ServerSentEventReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), max);
        var events = new List<ServerSentEvent>();
        while (await reader.ReadAsync(CancellationToken.None) is { } e) events.Add(e);
        return events;
    }

    [Fact]
    public async Task Events_comments_and_line_endings_as_the_standard_says()
    {
        var events = await ReadAll(": hello\n\nevent: snapshot\r\nid: 7\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nid:8\rdata:x\r\r");
        Assert.Equal(3, events.Count);
        Assert.True(events[0].IsComment);
        Assert.Equal("hello", events[0].Data);
        Assert.Equal(new ServerSentEvent("snapshot", "7", "{\"a\":\n1}"), events[1]);
        Assert.Equal(new ServerSentEvent("message", "8", "x"), events[2]);
    }

    [Fact]
    public async Task An_event_beyond_the_limit_is_refused_not_buffered() =>
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll("data: " + new string('x', 5000) + "\n\n", max: 1000));
}

public sealed class HubMergeTests
{
    private static TopologySnapshot Agent(string name) => DerivedFacts.Complete(AgentJson.ReadSnapshot(
        JsonDocument.Parse(JsonSerializer.Serialize(TopologyBuilder.Build(Readings()), TopologyJson.Options)).RootElement, HubMerge.Prefix(name), out _));

    [Fact]
    public void Each_host_is_a_box_holding_its_own_elements_and_an_unreachable_one_keeps_its_last_picture_greyed()
    {
        var seen = DateTimeOffset.Parse("2026-11-29T08:00:00Z");
        var a = new AgentState { Endpoint = new AgentEndpoint { Name = "a", Url = "http://a:5001" }, Status = HostStatuses.Ok, Snapshot = Agent("a"), LastSeen = seen };
        var b = new AgentState
        {
            Endpoint = new AgentEndpoint { Name = "b", Url = "http://b:5001" }, Status = HostStatuses.Unreachable,
            Reason = "Connection refused", Snapshot = Agent("b"), LastSeen = seen,
        };
        var c = AgentState.Connecting(new AgentEndpoint { Name = "c", Url = "http://c:5001" });

        var merged = HubMerge.Merge([a, b, c], "hub", seen.AddMinutes(1));

        var hosts = merged.Nodes.OfType<HostNode>().ToList();
        Assert.Equal(["host:a", "host:b", "host:c"], hosts.Select(h => h.Id));
        Assert.Equal([HostStatuses.Ok, HostStatuses.Unreachable, HostStatuses.Connecting], hosts.Select(h => h.Status));
        Assert.Equal("Connection refused", hosts[1].Reason);
        Assert.Equal(seen, hosts[1].LastSeen);
        Assert.Equal("lab", hosts[0].Hostname);
        // Every element of a host lives in that host's box, directly or through its namespace.
        var single = TopologyBuilder.Build(Readings());
        foreach (var name in new[] { "a", "b" })
        {
            var own = merged.Nodes.Where(n => n.Id.StartsWith(name + "/", StringComparison.Ordinal)).ToList();
            Assert.Equal(single.Nodes.Length, own.Count);
            Assert.All(own.Where(n => n.Parent is null || n.Parent.StartsWith("host:", StringComparison.Ordinal)), n => Assert.Equal($"host:{name}", n.Parent));
            Assert.Equal(single.Nodes.Count(n => n.Parent is null), own.Count(n => n.Parent == $"host:{name}"));
        }
        Assert.Equal(merged.Nodes.Length, merged.Nodes.Select(n => n.Id).Distinct().Count());
        Assert.Equal(2 * single.Edges.Length, merged.Edges.Length);
        Assert.Contains(merged.Host.Warnings, w => w.StartsWith("b: unreachable: Connection refused (last seen 2026-11-29 08:00:00Z)", StringComparison.Ordinal));
        Assert.Contains(merged.Host.Warnings, w => w.StartsWith("c: connecting (never seen)", StringComparison.Ordinal));
        // Derived facts are recomputed over the merged graph: memberships name the host's own (prefixed) networks.
        Assert.All(merged.Nodes.Where(n => n.Id.StartsWith("a/", StringComparison.Ordinal)), n => Assert.All(n.Membership, m => Assert.StartsWith("a/net:", m)));
        Assert.Contains(merged.Nodes, n => n.Membership.Count > 0);
    }
}

/// <summary>The subscription against a scripted agent: resume, gap, restart, all on the wire as HTTP requests.</summary>
public sealed class AgentSubscriptionTests
{
    private static string Json<T>(T value) => JsonSerializer.Serialize(value, TopologyJson.Options);

    private sealed class ScriptedAgent(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add(request);
            return Task.FromResult(answer(request, Requests.Count));
        }
    }

    private static HttpResponseMessage Events(string stream, string body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(body, Encoding.UTF8, "text/event-stream"),
        Headers = { { "X-NetViz-Stream", stream } },
    };

    [Fact]
    public async Task It_resumes_with_last_event_id_starts_over_on_a_gap_and_reports_an_agent_that_refuses()
    {
        var before = TopologyBuilder.Build(Readings(nat: TopologyJsonContractTests.ContractNat()));
        var docker = Correlation.LessonTopology.Docker();
        var after = TopologyBuilder.Build(Readings(nat: TopologyJsonContractTests.ContractNat(), docker: docker with { Containers = docker.Containers.RemoveAt(1) }));
        var snapshotEvent = $"event: snapshot\nid: 5\ndata: {Json(new { sequence = 5, snapshot = before })}\n\n";
        var diffEvent = $"event: diff\nid: 6\ndata: {Json(TopologyDiffer.Compute(before, after, 6))}\n\n";
        var gapEvent = $"event: diff\nid: 9\ndata: {Json(TopologyDiffer.Compute(after, before, 9))}\n\n";
        var agent = new ScriptedAgent((_, n) => n switch
        {
            1 => Events("run-1", ": netviz topology events\n\n" + snapshotEvent + diffEvent),  // then the connection drops
            2 => Events("run-1", ": netviz topology events\n\n" + gapEvent),                   // resumed, but 7 and 8 are missing
            3 => new HttpResponseMessage(HttpStatusCode.Unauthorized),
            _ => Events("run-2", snapshotEvent),
        });
        var states = Channel.CreateUnbounded<AgentState>();
        var endpoint = new AgentEndpoint { Name = "n1", Url = "http://127.0.0.1:1/", Token = "0123456789abcdef" };
        var options = new HubOptions { AgentRetryMax = TimeSpan.FromMilliseconds(20) };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = new AgentSubscription(endpoint, new HttpClient(agent), options, TimeProvider.System, s => states.Writer.TryWrite(s), NullLogger.Instance).RunAsync(cts.Token);

        var seen = new List<AgentState>();
        bool Refused(AgentState s) => s.Status == HostStatuses.Unreachable && s.Reason!.Contains("HTTP 401");
        while (!(seen.FindIndex(Refused) is >= 0 and var refused && seen.Skip(refused).Any(s => s.Status == HostStatuses.Ok)))
            seen.Add(await states.Reader.ReadAsync(cts.Token));
        cts.Cancel();
        await run;

        lock (agent.Requests)
        {
            Assert.All(agent.Requests, r => Assert.Equal("Bearer 0123456789abcdef", r.Headers.Authorization?.ToString()));
            Assert.Equal("http://127.0.0.1:1/api/events", agent.Requests[0].RequestUri!.ToString());
            Assert.False(agent.Requests[0].Headers.Contains("Last-Event-ID"));
            // After the drop: resume from the last applied diff, in the stream it belonged to.
            Assert.Equal("6", agent.Requests[1].Headers.GetValues("Last-Event-ID").Single());
            Assert.Equal("run-1", agent.Requests[1].Headers.GetValues("X-NetViz-Stream").Single());
            // After the gap: no resume; start over from a snapshot.
            Assert.False(agent.Requests[2].Headers.Contains("Last-Event-ID"));
        }
        Assert.Equal(
            [HostStatuses.Connecting, HostStatuses.Ok, HostStatuses.Ok, HostStatuses.Unreachable, HostStatuses.Ok, HostStatuses.Unreachable, HostStatuses.Unreachable, HostStatuses.Ok],
            seen.Select(s => s.Status));
        Assert.Equal(before.Nodes.Length, seen[1].Snapshot!.Nodes.Length);
        Assert.Equal(after.Nodes.Length, seen[2].Snapshot!.Nodes.Length);
        Assert.All(seen[2].Snapshot!.Nodes, n => Assert.StartsWith("n1/", n.Id));
        Assert.Equal("the agent ended the event stream", seen[3].Reason);
        Assert.Same(seen[2].Snapshot, seen[4].Snapshot); // resumed with nothing missed: back, same picture
        Assert.Contains("diff 9 after 6", seen[5].Reason);
        Assert.Contains("HTTP 401", seen[6].Reason);
        Assert.Equal(before.Nodes.Length, seen[7].Snapshot!.Nodes.Length);
    }
}
