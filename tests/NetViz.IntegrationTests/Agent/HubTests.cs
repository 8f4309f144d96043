using System.Net.Http.Headers;
using System.Text.Json;
using NetViz.IntegrationTests.Netlink;
using NetViz.IntegrationTests.Operations;

namespace NetViz.IntegrationTests.Agent;

/// <summary>
/// A hub over two real agent processes (both on this machine, on loopback, each with its own token): the merged
/// graph holds each agent's graph under its host prefix, follows a change live, greys an agent that dies without
/// stopping the other, and converges when it comes back or when the hub itself restarts. Creates only the namespace
/// <c>nvhost-hub-PID</c>.
/// </summary>
public sealed class HubTests
{
    private const string TokenA = "nvhost-token-alpha-0123456789";
    private const string TokenB = "nvhost-token-beta-0123456789";

    private static Task<NetVizProcess> StartAgentAsync(string token, Uri? at = null) =>
        NetVizProcess.StartAsync(["--NetViz:Mode=Agent", "--NetViz:Auth=Token", $"--NetViz:AuthToken={token}"], baseAddress: at);

    private static Task<NetVizProcess> StartHubAsync(NetVizProcess alpha, NetVizProcess beta) => NetVizProcess.StartAsync([
        "--NetViz:Agents:0:Name=alpha", $"--NetViz:Agents:0:Url={alpha.BaseAddress}", $"--NetViz:Agents:0:Token={TokenA}",
        "--NetViz:Agents:1:Name=beta", $"--NetViz:Agents:1:Url={beta.BaseAddress}", $"--NetViz:Agents:1:Token={TokenB}",
        "--NetViz:AgentRetryMax=00:00:01",
    ]);

    private static async Task<JsonElement> TopologyAsync(NetVizProcess app, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/topology");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static JsonElement Host(JsonElement hub, string name) =>
        hub.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == $"host:{name}").GetProperty("props");

    private static HashSet<string> Ids(JsonElement snapshot, string prefix = "") =>
        [.. snapshot.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!)
            .Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).Select(id => id[prefix.Length..])];

    [Fact]
    public async Task The_hub_shows_each_agent_under_its_host_live_greys_a_dead_one_and_converges_when_it_returns()
    {
        var netns = $"nvhost-hub-{Environment.ProcessId}";
        Ip.TryCmd($"netns del {netns}");
        await using var alpha = await StartAgentAsync(TokenA);
        var beta = await StartAgentAsync(TokenB);
        var hub = await StartHubAsync(alpha, beta);
        try
        {
            // Each host's part of the hub's graph is its agent's graph, id for id, under the host's prefix.
            foreach (var (name, agent, token) in new[] { ("alpha", alpha, TokenA), ("beta", beta, TokenB) })
                await Eventually.PassesAsync($"{name}'s graph in the hub", async () =>
                {
                    var merged = await TopologyAsync(hub);
                    var own = await TopologyAsync(agent, token);
                    Assert.Equal("ok", Host(merged, name).GetProperty("status").GetString());
                    Assert.Equal(own.GetProperty("host").GetProperty("machineId").GetString(), Host(merged, name).GetProperty("machineId").GetString());
                    Assert.Equal(Ids(own).Order(), Ids(merged, name + "/").Order());
                });

            // Live: a namespace made now appears under both hosts (both agents watch this one machine).
            Ip.Cmd($"netns add {netns}");
            var id = $"netns:{Ip.Inode($"/var/run/netns/{netns}")}";
            await Eventually.PassesAsync("the new namespace under both hosts", async () =>
            {
                var ids = Ids(await TopologyAsync(hub));
                Assert.Contains($"alpha/{id}", ids);
                Assert.Contains($"beta/{id}", ids);
            });

            // beta dies: greyed with why and when, its last picture kept; alpha goes on live.
            var betaAddress = beta.BaseAddress;
            await beta.DisposeAsync();
            Ip.Cmd($"netns del {netns}");
            await Eventually.PassesAsync("beta unreachable, alpha live", async () =>
            {
                var merged = await TopologyAsync(hub);
                var b = Host(merged, "beta");
                Assert.Equal("unreachable", b.GetProperty("status").GetString());
                Assert.False(string.IsNullOrEmpty(b.GetProperty("reason").GetString()));
                Assert.NotEqual(JsonValueKind.Null, b.GetProperty("lastSeen").ValueKind);
                var ids = Ids(merged);
                Assert.DoesNotContain($"alpha/{id}", ids);
                Assert.Contains($"beta/{id}", ids);
                Assert.Equal("ok", Host(merged, "alpha").GetProperty("status").GetString());
            });

            // beta returns on its address: the hub converges to what it reports now.
            beta = await StartAgentAsync(TokenB, betaAddress);
            await Eventually.PassesAsync("beta back and current", async () =>
            {
                var merged = await TopologyAsync(hub);
                Assert.Equal("ok", Host(merged, "beta").GetProperty("status").GetString());
                Assert.Equal(Ids(await TopologyAsync(beta, TokenB)).Order(), Ids(merged, "beta/").Order());
            });

            // The hub restarts: it resumes every host from scratch.
            await hub.DisposeAsync();
            hub = await StartHubAsync(alpha, beta);
            await Eventually.PassesAsync("both hosts after the hub restarted", async () =>
            {
                var merged = await TopologyAsync(hub);
                foreach (var (name, agent, token) in new[] { ("alpha", alpha, TokenA), ("beta", beta, TokenB) })
                {
                    Assert.Equal("ok", Host(merged, name).GetProperty("status").GetString());
                    Assert.Equal(Ids(await TopologyAsync(agent, token)).Order(), Ids(merged, name + "/").Order());
                }
            });
        }
        finally
        {
            await hub.DisposeAsync();
            await beta.DisposeAsync();
            Ip.TryCmd($"netns del {netns}");
        }
    }
}
