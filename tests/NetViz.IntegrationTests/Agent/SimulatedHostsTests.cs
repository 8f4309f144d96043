using System.Text.Json;
using NetViz.IntegrationTests.Docker;
using NetViz.IntegrationTests.Engine;
using NetViz.IntegrationTests.Netlink;
using NetViz.IntegrationTests.Operations;

namespace NetViz.IntegrationTests.Agent;

/// <summary>
/// Two simulated hosts on this machine, each a network namespace with its own dockerd (<see cref="PrivateDockerEngine"/>:
/// own data root, exec root, sockets, containerd), its own container from the offline lab image and a NetViz agent
/// running inside that namespace; the hosts are cabled with veths to a test LAN bridge <c>nvhost-lan</c>
/// (10.199.0.0/24, made and removed here; packets only between these namespaces). A hub in this namespace aggregates
/// them. Not isolated: PID and mount namespaces (each agent still finds every namespace of the machine through /proc);
/// the assertions are about what is each host's own: its host namespace, its engine's containers.
/// </summary>
public sealed class SimulatedHostsTests
{
    private const string Token = "nvhost-simulated-token-0123456789";
    private const string Lan = "nvhost-lan";

    private static void Sweep()
    {
        Ip.TryCmd($"link del {Lan}");
        foreach (var end in new[] { "nvhost-a0", "nvhost-b0" }) Ip.TryCmd($"link del {end}");
    }

    /// <summary>Cables the engine's namespace to the LAN: nvhost-X0 on the bridge here, nvhost-X1 with the address there.</summary>
    private static void Cable(PrivateDockerEngine engine, string letter, string address)
    {
        Ip.Cmd($"link add nvhost-{letter}0 type veth peer name nvhost-{letter}1");
        Ip.Cmd($"link set nvhost-{letter}1 netns {engine.Name}");
        Ip.Cmd($"link set nvhost-{letter}0 master {Lan} up");
        Ip.Cmd($"-n {engine.Name} addr add {address}/24 dev nvhost-{letter}1");
        Ip.Cmd($"-n {engine.Name} link set nvhost-{letter}1 up");
        Ip.Cmd($"-n {engine.Name} link set lo up");
    }

    private static Task<NetVizProcess> StartAgentAsync(PrivateDockerEngine engine, string address) => NetVizProcess.StartAsync(
        ["--NetViz:Mode=Agent", $"--NetViz:AuthToken={Token}", $"--NetViz:DockerHost={engine.Endpoint}"],
        baseAddress: new Uri($"http://{address}:5001/"), netns: engine.Name);

    private static async Task<JsonElement> HubTopologyAsync(NetVizProcess hub) =>
        JsonDocument.Parse(await hub.Http.GetStringAsync("/api/topology")).RootElement.Clone();

    private static IEnumerable<JsonElement> Nodes(JsonElement snapshot, string kind) =>
        snapshot.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("kind").GetString() == kind);

    private static string Status(JsonElement snapshot, string host) =>
        Nodes(snapshot, "host").Single(n => n.GetProperty("id").GetString() == $"host:{host}").GetProperty("props").GetProperty("status").GetString()!;

    /// <summary>The full ids of the containers the hub shows under <paramref name="host"/>.</summary>
    private static string[] Containers(JsonElement snapshot, string host) => [.. Nodes(snapshot, "container")
        .Select(n => n.GetProperty("id").GetString()!).Where(id => id.StartsWith(host + "/ctr:", StringComparison.Ordinal))
        .Select(id => id[(host.Length + "/ctr:".Length)..]).Order()];

    private static string[] EngineContainers(PrivateDockerEngine engine) =>
        [.. engine.Docker("ps", "-aq", "--no-trunc").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order()];

    [Fact]
    public async Task A_hub_shows_each_simulated_host_with_its_own_containers_live_and_converges_after_an_agent_restart()
    {
        Sweep();
        using var a = PrivateDockerEngine.Start("nvhost-a");
        using var b = PrivateDockerEngine.Start("nvhost-b");
        NetVizProcess? agentA = null, agentB = null, hub = null;
        try
        {
            Ip.Cmd($"link add {Lan} type bridge");
            Ip.Cmd($"addr add 10.199.0.1/24 dev {Lan}");
            Ip.Cmd($"link set {Lan} up");
            Cable(a, "a", "10.199.0.11");
            Cable(b, "b", "10.199.0.12");
            a.Docker("run", "-d", "--name", "nvhost-a-web", "--label", "netviz.test=nvhost", "--network", "none", DockerCli.Image, "sleep", "3600");
            b.Docker("run", "-d", "--name", "nvhost-b-web", "--label", "netviz.test=nvhost", "--network", "none", DockerCli.Image, "sleep", "3600");

            agentA = await StartAgentAsync(a, "10.199.0.11");
            agentB = await StartAgentAsync(b, "10.199.0.12");
            hub = await NetVizProcess.StartAsync([
                "--NetViz:Agents:0:Name=alpha", "--NetViz:Agents:0:Url=http://10.199.0.11:5001", $"--NetViz:Agents:0:Token={Token}",
                "--NetViz:Agents:1:Name=beta", "--NetViz:Agents:1:Url=http://10.199.0.12:5001", $"--NetViz:Agents:1:Token={Token}",
                "--NetViz:AgentRetryMax=00:00:01"]);

            // Each host's containers are its own engine's, and its host namespace is the simulated host's.
            await Eventually.PassesAsync("each host with its engine's containers", async () =>
            {
                var merged = await HubTopologyAsync(hub);
                Assert.Equal("ok", Status(merged, "alpha"));
                Assert.Equal("ok", Status(merged, "beta"));
                Assert.Equal(EngineContainers(a), Containers(merged, "alpha"));
                Assert.Equal(EngineContainers(b), Containers(merged, "beta"));
                foreach (var (host, engine) in new[] { ("alpha", a), ("beta", b) })
                {
                    var hostNs = Nodes(merged, "netns").Single(n => n.GetProperty("id").GetString() == $"{host}/netns:{Ip.Inode($"/var/run/netns/{engine.Name}")}");
                    Assert.True(hostNs.GetProperty("props").GetProperty("isHost").GetBoolean());
                }
            });
            Assert.DoesNotContain(EngineContainers(a).Single(), Containers(await HubTopologyAsync(hub), "beta"));

            // A docker run on host 2 appears live, under host 2 only.
            var started = b.Docker("run", "-d", "--name", "nvhost-b-new", "--label", "netviz.test=nvhost", "--network", "none", DockerCli.Image, "sleep", "3600");
            await Eventually.PassesAsync("the new container under beta", async () =>
            {
                var merged = await HubTopologyAsync(hub);
                Assert.Contains(started, Containers(merged, "beta"));
                Assert.DoesNotContain(started, Containers(merged, "alpha"));
            });

            // Host 2's agent dies: greyed, host 1 unaffected; it comes back: converged with what its engine has now.
            await agentB.DisposeAsync();
            b.Docker("rm", "-f", "nvhost-b-web");
            await Eventually.PassesAsync("beta unreachable", async () =>
            {
                var merged = await HubTopologyAsync(hub);
                Assert.Equal("unreachable", Status(merged, "beta"));
                Assert.Equal("ok", Status(merged, "alpha"));
            });
            agentB = await StartAgentAsync(b, "10.199.0.12");
            await Eventually.PassesAsync("beta back and current", async () =>
            {
                var merged = await HubTopologyAsync(hub);
                Assert.Equal("ok", Status(merged, "beta"));
                Assert.Equal(EngineContainers(b), Containers(merged, "beta"));
                Assert.Equal([started], Containers(merged, "beta"));
            });
        }
        finally
        {
            foreach (var process in new[] { hub, agentA, agentB }) if (process is not null) await process.DisposeAsync();
            Sweep();
        }
    }
}
