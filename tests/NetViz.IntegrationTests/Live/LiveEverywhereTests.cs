using System.Diagnostics;
using System.Text.Json;
using NetViz.Core.Correlation;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.IntegrationTests.Docker;
using static NetViz.IntegrationTests.Live.LiveMonitorFixture;

namespace NetViz.IntegrationTests.Live;

/// <summary>
/// Issue 8, against the real kernel and engine: a change inside any namespace, a namespace that lives and dies with its
/// process, a NAT rule, all reach the monitor without the periodic resync (an hour here) or the NAT poll (off).
/// Every object is named nvlive-* (chains NVLIVE-*), removed at the start of the run, in finally blocks and at the end.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class LiveEverywhereTests(LiveMonitorFixture f)
{
    private const string Red = "nvlive-red";
    private const string ManyPrefix = "nvlive-m";
    private const int Many = 300;
    private const string Network = "nvlive-net";
    private const string Container = "nvlive-conn";
    private const string ChainPrefix = "NVLIVE-";

    /// <summary>Start-of-run and end-of-run sweep of everything these tests create (only names with our prefix).</summary>
    internal static void RemoveTestObjects()
    {
        DockerCli.Run("docker", "rm", "-f", Container);
        DockerCli.Run("docker", "network", "rm", Network);
        foreach (var link in new[] { "nvlive-v0", "nvlive-v2" }) DockerCli.Run("ip", "link", "del", link);
        var namespaces = Directory.Exists("/var/run/netns")
            ? Directory.GetFiles("/var/run/netns").Select(Path.GetFileName).Where(n => n!.StartsWith("nvlive-", StringComparison.Ordinal)).ToList()
            : [];
        if (namespaces.Count > 0) IpBatch(namespaces.Select(n => $"netns del {n}"));
        foreach (var table in new[] { "nat", "filter" })
        {
            var chains = DockerCli.Run("iptables-save", "-t", table).Stdout.Split('\n')
                .Where(l => l.StartsWith(":" + ChainPrefix, StringComparison.Ordinal)).Select(l => l[1..].Split(' ')[0]);
            foreach (var chain in chains)
            {
                DockerCli.Run("iptables", "-t", table, "-F", chain);
                DockerCli.Run("iptables", "-t", table, "-X", chain);
            }
        }
    }

    /// <summary>`ip -force -batch`: many commands in one process (300 namespaces in a second); -force goes on after an error.</summary>
    private static void IpBatch(IEnumerable<string> commands)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, commands);
            DockerCli.Run("ip", "-force", "-batch", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static ulong Inode(string path) => ulong.Parse(DockerCli.Must("stat", "-L", "-c", "%i", path));

    /// <summary>The kernel's view of one link, from iproute2 (ground truth independent of NetViz).</summary>
    private static JsonElement IpLink(string? netns, string name)
    {
        string[] args = netns is null ? ["-j", "-d", "link", "show", name] : ["-n", netns, "-j", "-d", "link", "show", name];
        return JsonDocument.Parse(DockerCli.Must("ip", args)).RootElement[0].Clone();
    }

    private static string[] Addresses(TopologySnapshot s, string id) =>
        s.Nodes.SingleOrDefault(n => n.Id == id)?.Props.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray() ?? [];

    private static string? Peer(TopologySnapshot s, string id) =>
        s.Nodes.SingleOrDefault(n => n.Id == id)?.Props.GetProperty("peer").GetString();

    [Fact]
    public async Task The_lesson_commands_inside_a_namespace_each_show_without_the_resync()
    {
        var hostInode = Inode("/proc/self/ns/net");
        DockerCli.Must("ip", "netns", "add", Red);
        try
        {
            var red = Inode($"/var/run/netns/{Red}");
            await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == TopologyBuilder.NetnsId(red)), "the new namespace");
            // Its listener opens asynchronously after it is first read; the lesson waits a second too.
            await Task.Delay(1000);

            // ip link add v0 type veth peer name v1 netns red: both ends, each the other's peer.
            DockerCli.Must("ip", "link", "add", "nvlive-v0", "type", "veth", "peer", "name", "nvlive-v1", "netns", Red);
            var v0 = TopologyBuilder.InterfaceId(hostInode, IpLink(null, "nvlive-v0").GetProperty("ifindex").GetInt32());
            var v1 = TopologyBuilder.InterfaceId(red, IpLink(Red, "nvlive-v1").GetProperty("ifindex").GetInt32());
            await f.WaitForAsync(s => Peer(s, v0) == v1 && Peer(s, v1) == v0, "nvlive-v0 in the host and nvlive-v1 in red, peers of each other");

            // ip -n red addr add / del
            DockerCli.Must("ip", "-n", Red, "addr", "add", "10.45.0.2/24", "dev", "nvlive-v1");
            await f.WaitForAsync(s => Addresses(s, v1).Contains("10.45.0.2/24"), "the address added inside red");
            DockerCli.Must("ip", "-n", Red, "addr", "del", "10.45.0.2/24", "dev", "nvlive-v1");
            await f.WaitForAsync(s => !Addresses(s, v1).Contains("10.45.0.2/24"), "the address deleted inside red");

            // ip -n red link set up / down (the kernel's flags are the truth)
            DockerCli.Must("ip", "-n", Red, "link", "set", "nvlive-v1", "up");
            Assert.Contains("UP", IpLink(Red, "nvlive-v1").GetProperty("flags").EnumerateArray().Select(x => x.GetString()));
            await f.WaitForAsync(s => s.Nodes.Single(n => n.Id == v1).Props.GetProperty("up").GetBoolean(), "nvlive-v1 up");
            DockerCli.Must("ip", "-n", Red, "link", "set", "nvlive-v1", "down");
            await f.WaitForAsync(s => !s.Nodes.Single(n => n.Id == v1).Props.GetProperty("up").GetBoolean(), "nvlive-v1 down");

            // ip link set v0 netns red: it leaves the host and arrives in red, still paired.
            DockerCli.Must("ip", "link", "set", "nvlive-v0", "netns", Red);
            var moved = TopologyBuilder.InterfaceId(red, IpLink(Red, "nvlive-v0").GetProperty("ifindex").GetInt32());
            await f.WaitForAsync(s => s.Nodes.All(n => n.Id != v0) && Peer(s, moved) == v1 && Peer(s, v1) == moved,
                "nvlive-v0 gone from the host and in red, paired with nvlive-v1");

            await f.AssertNoMissedEventsAsync();
        }
        finally
        {
            DockerCli.Run("ip", "link", "del", "nvlive-v0");
            DockerCli.Run("ip", "netns", "del", Red);
        }
    }

    [Fact]
    public async Task Docker_network_connect_brings_eth1_with_its_peer_and_disconnect_takes_both_away()
    {
        DockerCli.Docker("network", "create", "--label", Label, Network);
        try
        {
            var id = DockerCli.Docker("run", "-d", "--name", Container, "--label", Label, DockerCli.Image, "sleep", "3600");
            var pid = DockerCli.Inspect(id).GetProperty("State").GetProperty("Pid").GetInt32();
            var netns = Inode($"/proc/{pid}/ns/net");
            var hostInode = Inode("/proc/self/ns/net");
            await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == TopologyBuilder.ContainerId(id) && n.Parent == TopologyBuilder.NetnsId(netns)), "the container");

            DockerCli.Docker("network", "connect", Network, Container);
            var eth1 = JsonDocument.Parse(DockerCli.Must("nsenter", "--target", pid.ToString(), "--net", "ip", "-j", "link", "show", "eth1")).RootElement[0];
            var eth1Id = TopologyBuilder.InterfaceId(netns, eth1.GetProperty("ifindex").GetInt32());
            var hostVeth = TopologyBuilder.InterfaceId(hostInode, eth1.GetProperty("link_index").GetInt32());
            var ip = DockerCli.Inspect(id).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(Network);
            var cidr = $"{ip.GetProperty("IPAddress").GetString()}/{ip.GetProperty("IPPrefixLen").GetInt32()}";
            await f.WaitForAsync(s => Peer(s, eth1Id) == hostVeth && Peer(s, hostVeth) == eth1Id && Addresses(s, eth1Id).Contains(cidr),
                $"eth1 ({cidr}) in the container, paired with its host veth");

            DockerCli.Docker("network", "disconnect", Network, Container);
            await f.WaitForAsync(s => s.Nodes.All(n => n.Id != eth1Id && n.Id != hostVeth)
                && s.Edges.All(e => e.Source != eth1Id && e.Target != eth1Id && e.Source != hostVeth && e.Target != hostVeth),
                "eth1 and its host veth gone, no ghost node or edge");
            Assert.NotEqual(0, DockerCli.Run("nsenter", "--target", pid.ToString(), "--net", "ip", "link", "show", "eth1").ExitCode);
            await f.AssertNoMissedEventsAsync();
        }
        finally
        {
            DockerCli.Run("docker", "rm", "-f", Container);
            DockerCli.Run("docker", "network", "rm", Network);
        }
    }

    [Fact]
    public async Task An_unshare_net_namespace_appears_with_its_process_and_goes_with_it()
    {
        using var process = Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "600"]) { UseShellExecute = false })!;
        try
        {
            // unshare execs sleep in the new namespace without forking: the pid is the holder.
            ulong inode = 0;
            var own = Inode("/proc/self/ns/net");
            var deadline = Stopwatch.StartNew();
            while (inode == 0 || inode == own)
            {
                if (deadline.Elapsed > Patience) throw new TimeoutException("unshare did not enter a new namespace");
                await Task.Delay(10);
                var link = DockerCli.Run("readlink", $"/proc/{process.Id}/ns/net").Stdout.Trim();
                if (link.StartsWith("net:[", StringComparison.Ordinal)) inode = ulong.Parse(link[5..^1]);
            }
            var netns = TopologyBuilder.NetnsId(inode);
            var shown = await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == netns), "the anonymous namespace");
            Assert.Contains(process.Id, shown.Nodes.Single(n => n.Id == netns).Props.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));

            process.Kill();
            await process.WaitForExitAsync();
            await f.WaitForAsync(s => s.Nodes.All(n => n.Id != netns && n.Parent != netns), "the namespace gone with its process");
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    [Fact]
    public Task An_iptables_rule_added_and_deleted_is_seen_without_the_nat_poll() =>
        RuleAddedAndDeletedIsSeenAsync("nat", "10.45.99.0/24", "RETURN", (s, chain) => s.Nodes.Any(n => n.Kind == NodeKinds.NatRule
            && n.Props.GetProperty("chain").GetString() == chain && n.Props.GetProperty("source").GetString() == "10.45.99.0/24"));

    /// <summary>
    /// A rule in the filter table draws no node: before, such a change was built and then not published, and /api/path
    /// went on answering from the old rules (the path explanations read the current snapshot's filter rules).
    /// </summary>
    [Fact]
    public Task A_filter_rule_alone_reaches_the_current_snapshot_so_the_path_explanations_see_it() =>
        RuleAddedAndDeletedIsSeenAsync("filter", "10.45.98.0/24", "DROP", (s, chain) =>
            s.Filter.Rules.Any(r => r.Chain == chain && r.Source == "10.45.98.0/24" && r.Target == "DROP"));

    /// <summary>A test chain in <paramref name="table"/> gets one rule and loses it; the monitor must show each step.</summary>
    private async Task RuleAddedAndDeletedIsSeenAsync(string table, string source, string target, Func<TopologySnapshot, string, bool> has)
    {
        var chain = $"{ChainPrefix}{Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()}";
        DockerCli.Must("iptables", "-t", table, "-N", chain);
        try
        {
            DockerCli.Must("iptables", "-t", table, "-A", chain, "-s", source, "-j", target);
            // Ground truth: iptables-save prints the rule.
            Assert.Contains($"-A {chain} -s {source} -j {target}", DockerCli.Must("iptables-save", "-t", table));
            await f.WaitForAsync(s => has(s, chain), $"the rule in {table} chain {chain}");

            DockerCli.Must("iptables", "-t", table, "-D", chain, "-s", source, "-j", target);
            await f.WaitForAsync(s => !has(s, chain), $"the rule gone from {table} chain {chain}");
        }
        finally
        {
            DockerCli.Run("iptables", "-t", table, "-F", chain);
            DockerCli.Run("iptables", "-t", table, "-X", chain);
        }
    }

    [Fact]
    public async Task Three_hundred_namespaces_each_get_a_listener_churn_in_one_is_seen_and_every_descriptor_is_returned()
    {
        static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;
        // A listener is a socket: counting sockets keeps files, pipes and namespace handles that other work of this
        // process opens and closes meanwhile out of the comparison.
        static int OpenSockets() => Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true; }
            catch (IOException) { return false; }
        });
        var names = Enumerable.Range(0, Many).Select(i => $"{ManyPrefix}{i:D3}").ToArray();
        // Other namespaces on the machine (the lab's containers, earlier tests') have listeners too and may come and go
        // meanwhile: the leak check is on descriptors other than listeners, and on ours being closed.
        await Task.Delay(500);
        var fdsBefore = OpenFds();
        var socketsBefore = OpenSockets();
        var listenersBefore = f.Listeners.ListenerCount;
        ulong[] inodes = [];
        try
        {
            IpBatch(names.Select(n => $"netns add {n}"));
            inodes = [.. names.Select(n => Inode($"/var/run/netns/{n}"))];
            await f.WaitForAsync(s => inodes.All(i => s.Nodes.Any(n => n.Id == TopologyBuilder.NetnsId(i))), $"{Many} namespaces");
            await WaitUntilAsync(() => inodes.All(f.Listeners.ListeningTo.Contains),
                () => $"{inodes.Count(i => !f.Listeners.ListeningTo.Contains(i))} of our namespaces without a listener");
            // Each listener is a descriptor of this process (once the reader thread has taken them all in).
            // Other tests' namespaces come and go meanwhile (their listeners with them), so these settle rather than hold at
            // one instant: every one of ours registered with the reader, and a descriptor for each listener gained.
            await WaitUntilAsync(() => f.Listeners.ListenerCount == f.Listeners.ListeningTo.Count && f.Listeners.ListenerCount >= Many,
                () => $"{f.Listeners.ListenerCount} listeners registered for {f.Listeners.ListeningTo.Count} namespaces, {Many} of them ours");
            await WaitUntilAsync(() => OpenSockets() - socketsBefore >= f.Listeners.ListenerCount - listenersBefore,
                () => $"{OpenSockets() - socketsBefore} more sockets for {f.Listeners.ListenerCount - listenersBefore} more listeners");

            // Churn in one of them.
            var one = names[Many / 2];
            DockerCli.Must("ip", "-n", one, "link", "add", "nvlive-v2", "type", "veth", "peer", "name", "nvlive-v3");
            var oneInode = inodes[Many / 2];
            var v2 = TopologyBuilder.InterfaceId(oneInode, IpLink(one, "nvlive-v2").GetProperty("ifindex").GetInt32());
            var v3 = TopologyBuilder.InterfaceId(oneInode, IpLink(one, "nvlive-v3").GetProperty("ifindex").GetInt32());
            await f.WaitForAsync(s => Peer(s, v2) == v3 && Peer(s, v3) == v2, $"the veth pair added inside {one}");
            DockerCli.Must("ip", "-n", one, "link", "del", "nvlive-v2");
            await f.WaitForAsync(s => s.Nodes.All(n => n.Id != v2 && n.Id != v3), $"the veth pair deleted inside {one}");
        }
        finally
        {
            IpBatch(names.Select(n => $"netns del {n}"));
        }
        await f.WaitForAsync(s => s.Nodes.All(n => !n.Label.StartsWith(ManyPrefix, StringComparison.Ordinal)), "every namespace gone");
        await WaitUntilAsync(() => !inodes.Any(f.Listeners.ListeningTo.Contains), () => "listeners of deleted namespaces still open");
        // Back to the start: on a quiet machine both counts equal their starting values.
        await WaitUntilAsync(() => OpenFds() - f.Listeners.ListenerCount <= fdsBefore - listenersBefore,
            () => $"{OpenFds()} descriptors with {f.Listeners.ListenerCount} listeners; {fdsBefore} with {listenersBefore} before");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> state)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > Patience) throw new Xunit.Sdk.XunitException($"Timed out after {Patience.TotalSeconds} s: {state()}");
            await Task.Delay(20);
        }
    }
}
