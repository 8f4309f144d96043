using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using NetViz.IntegrationTests.Netlink;
using NetViz.IntegrationTests.Operations;

namespace NetViz.IntegrationTests.Agent;

/// <summary>
/// The published app in agent mode, as a hub sees it: the API only, the host named, the token enforced, and an
/// event stream that resumes. Creates only the namespace <c>nvhost-resume-PID</c> (removed at the end and swept at start).
/// </summary>
public sealed class AgentModeTests
{
    private const string Token = "nvhost-agent-token-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_agent_serves_the_api_for_its_host_named_by_hostname_and_machine_id_and_no_dashboard()
    {
        await using var agent = await NetVizProcess.StartAsync(["--NetViz:Mode=Agent", "--NetViz:Auth=Token", $"--NetViz:AuthToken={Token}"]);

        using (var anonymous = await agent.Http.GetAsync("/api/topology"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        agent.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await agent.WaitForAsync(async () => (await agent.Http.GetAsync("/api/topology")).Headers.GetValues("X-NetViz-Sequence").Single() != "0", "a first snapshot");
        using var topology = JsonDocument.Parse(await agent.Http.GetStringAsync("/api/topology"));
        var host = topology.RootElement.GetProperty("host");
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), host.GetProperty("hostname").GetString());
        Assert.Equal(File.ReadAllText("/etc/machine-id").Trim(), host.GetProperty("machineId").GetString());

        // The dashboard's pages and files are not there, even with the token (the full app answers / with 200).
        using var page = await agent.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using var blazor = await agent.Http.GetAsync("/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.NotFound, blazor.StatusCode);
    }

    [Fact]
    public async Task A_client_resuming_with_last_event_id_gets_the_diffs_not_a_new_snapshot_and_a_stranger_gets_a_snapshot()
    {
        var netns = $"nvhost-resume-{Environment.ProcessId}";
        Ip.TryCmd($"netns del {netns}");
        await using var agent = await NetVizProcess.StartAsync(["--NetViz:Mode=Agent"]);
        try
        {
            string id, stream;
            using (var first = await ServerSentEvents.OpenAsync(agent.Http, "/api/events"))
            {
                var snapshot = await first.NextAsync(Patience);
                Assert.Equal("snapshot", snapshot.Name);
                id = snapshot.Id!;
                stream = first.Response.Headers.GetValues("X-NetViz-Stream").Single();
            }

            // Another run's stream id: its sequence numbers mean nothing here, so the stream starts over.
            using (var stranger = await ServerSentEvents.OpenAsync(agent.Http, "/api/events", ("Last-Event-ID", id), ("X-NetViz-Stream", "another-run")))
                Assert.Equal("snapshot", (await stranger.NextAsync(Patience)).Name);

            using var resumed = await ServerSentEvents.OpenAsync(agent.Http, "/api/events", ("Last-Event-ID", id), ("X-NetViz-Stream", stream));
            Ip.Cmd($"netns add {netns}");
            var next = await resumed.NextAsync(Patience);
            Assert.Equal("diff", next.Name);
            Assert.True(long.Parse(next.Id!) > long.Parse(id), $"diff {next.Id} after {id}");
        }
        finally
        {
            Ip.TryCmd($"netns del {netns}");
        }
    }

    [Theory]
    [InlineData("--NetViz:Auth=Auto")]
    [InlineData("--NetViz:Auth=None")]
    public async Task An_agent_refuses_to_listen_beyond_loopback_without_a_configured_token(string auth)
    {
        var (code, _) = await NetVizProcess.RunAsync("--urls", "http://0.0.0.0:5119", "--NetViz:Mode=Agent", auth);
        Assert.Equal(2, code);
    }
}
