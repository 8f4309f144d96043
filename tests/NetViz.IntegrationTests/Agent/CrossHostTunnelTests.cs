using System.Text.Json;
using NetViz.IntegrationTests.Netlink;
using NetViz.IntegrationTests.Operations;

namespace NetViz.IntegrationTests.Agent;

/// <summary>
/// Two simulated hosts without Docker (network namespaces <c>nvhost-vxa</c>, <c>nvhost-vxb</c>, made here) cabled with
/// veths to a test LAN bridge <c>nvhost-vxlan</c> (10.198.0.0/24), each running a NetViz agent; a hand-made vxlan pair
/// joins them: alpha's <c>nvhost-vx0</c> with a static <c>remote</c>, beta's the way flannel and Calico make theirs
/// (nolearning, the peer in a permanent bridge FDB entry). The hub must draw one <c>tunnel</c> edge each way, from each
/// vxlan to the other host's LAN interface. Packets flow only between these namespaces and this one.
/// </summary>
public sealed class CrossHostTunnelTests
{
    private const string Token = "nvhost-tunnel-token-0123456789ab";
    private const string Lan = "nvhost-vxlan";
    private static readonly (string Ns, string Name, string Address, string Here, string There)[] Hosts =
    [
        ("nvhost-vxa", "alpha", "10.198.0.11", "nvhost-va0", "nvhost-va1"),
        ("nvhost-vxb", "beta", "10.198.0.12", "nvhost-vb0", "nvhost-vb1"),
    ];

    private static void Sweep()
    {
        Ip.TryCmd($"link del {Lan}");
        foreach (var h in Hosts)
        {
            Ip.TryCmd($"link del {h.Here}");
            Ip.TryCmd($"netns del {h.Ns}");
        }
    }

    /// <summary>The hub id of an interface: the host's prefix, the namespace's inode and the ifindex, read from the kernel.</summary>
    private static string InterfaceId(string host, string ns, string link) =>
        $"{host}/if:{Ip.Inode($"/var/run/netns/{ns}")}:{Ip.IndexOf(Ip.Json($"-n {ns} -j link show"), link)}";

    [Fact]
    public async Task A_vxlan_pair_between_two_hosts_is_a_tunnel_edge_each_way_to_the_other_hosts_underlay_interface()
    {
        Sweep();
        var processes = new List<NetVizProcess>();
        try
        {
            Ip.Cmd($"link add {Lan} type bridge");
            Ip.Cmd($"addr add 10.198.0.1/24 dev {Lan}");
            Ip.Cmd($"link set {Lan} up");
            foreach (var h in Hosts)
            {
                Ip.Cmd($"netns add {h.Ns}");
                Ip.Cmd($"link add {h.Here} type veth peer name {h.There}");
                Ip.Cmd($"link set {h.There} netns {h.Ns}");
                Ip.Cmd($"link set {h.Here} master {Lan} up");
                Ip.Cmd($"-n {h.Ns} addr add {h.Address}/24 dev {h.There}");
                Ip.Cmd($"-n {h.Ns} link set {h.There} up");
                Ip.Cmd($"-n {h.Ns} link set lo up");
            }
            var (a, b) = (Hosts[0], Hosts[1]);
            Ip.Cmd($"-n {a.Ns} link add nvhost-vx0 type vxlan id 42 remote {b.Address} dstport 4789 dev {a.There}");
            Ip.Cmd($"-n {b.Ns} link add nvhost-vx0 type vxlan id 42 dstport 4789 dev {b.There} nolearning");
            Ip.Run("bridge", "-n", b.Ns, "fdb", "add", "02:00:0a:c6:00:0b", "dev", "nvhost-vx0", "dst", a.Address, "self", "permanent");
            foreach (var h in Hosts) Ip.Cmd($"-n {h.Ns} link set nvhost-vx0 up");

            foreach (var h in Hosts)
                processes.Add(await NetVizProcess.StartAsync(
                    // No engine on these hosts: the agent shows the kernel's view (the socket does not exist).
                    ["--NetViz:Mode=Agent", $"--NetViz:AuthToken={Token}", $"--NetViz:DockerHost=unix:///tmp/nvhost-no-engine-{Environment.ProcessId}.sock"],
                    baseAddress: new Uri($"http://{h.Address}:5001/"), netns: h.Ns));
            var hub = await NetVizProcess.StartAsync([
                "--NetViz:Agents:0:Name=alpha", $"--NetViz:Agents:0:Url=http://{a.Address}:5001", $"--NetViz:Agents:0:Token={Token}",
                "--NetViz:Agents:1:Name=beta", $"--NetViz:Agents:1:Url=http://{b.Address}:5001", $"--NetViz:Agents:1:Token={Token}"]);
            processes.Add(hub);

            var alphaVxlan = InterfaceId("alpha", a.Ns, "nvhost-vx0");
            var betaVxlan = InterfaceId("beta", b.Ns, "nvhost-vx0");
            var expected = new[]
            {
                (alphaVxlan, InterfaceId("beta", b.Ns, b.There), b.Address, "alpha", "beta"),
                (betaVxlan, InterfaceId("alpha", a.Ns, a.There), a.Address, "beta", "alpha"),
            }.Order().ToArray();
            await Eventually.PassesAsync("a tunnel edge each way", async () =>
            {
                var merged = JsonDocument.Parse(await hub.Http.GetStringAsync("/api/topology")).RootElement;
                var tunnels = merged.GetProperty("edges").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "tunnel").ToList();
                Assert.Equal(expected, tunnels.Select(t => (
                    t.GetProperty("source").GetString()!, t.GetProperty("target").GetString()!, t.GetProperty("props").GetProperty("remote").GetString()!,
                    t.GetProperty("props").GetProperty("sourceHost").GetString()!, t.GetProperty("props").GetProperty("targetHost").GetString()!)).Order());
                Assert.All(tunnels, t => Assert.Equal((42, 4789), (t.GetProperty("props").GetProperty("vxlanId").GetInt32(), t.GetProperty("props").GetProperty("vxlanPort").GetInt32())));
                // The remotes as the kernel holds them: alpha's static remote, beta's FDB entry.
                var interfaces = merged.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("kind").GetString() == "interface")
                    .ToDictionary(n => n.GetProperty("id").GetString()!, n => n.GetProperty("props"));
                Assert.Equal([b.Address], interfaces[alphaVxlan].GetProperty("vxlanRemotes").EnumerateArray().Select(r => r.GetString()));
                Assert.Equal([a.Address], interfaces[betaVxlan].GetProperty("vxlanRemotes").EnumerateArray().Select(r => r.GetString()));
            });
        }
        finally
        {
            foreach (var process in processes) await process.DisposeAsync();
            Sweep();
        }
    }
}
