using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.IntegrationTests.Docker;
using static NetViz.IntegrationTests.Live.LiveMonitorFixture;

namespace NetViz.IntegrationTests.Live;

[Collection(LiveCollection.Name)]
public sealed class LiveMonitorTests(LiveMonitorFixture f)
{
    private static ulong InodeOf(string path) => ulong.Parse(DockerCli.Must("stat", "-L", "-c", "%i", path));

    private static string RunContainer(string name, params string[] args) =>
        DockerCli.Docker(["run", "-d", "--name", name, "--label", Label, .. args, DockerCli.Image, "sleep", "3600"]);

    [Fact]
    public async Task A_started_container_appears_with_its_cable_and_published_port_without_a_resync_then_disappears_when_removed()
    {
        var port = DockerCli.FreeLoopbackPort();
        var id = RunContainer("nvlive-web", "-p", $"127.0.0.1:{port}:80");
        var pid = DockerCli.Inspect(id).GetProperty("State").GetProperty("Pid").GetInt32();
        var inode = InodeOf($"/proc/{pid}/ns/net");
        var netns = TopologyBuilder.NetnsId(inode);
        var inside = $"if:{inode}:";
        var ctr = TopologyBuilder.ContainerId(id);

        // Ground truth for the cable: the container's eth0 says which host ifindex its peer is (eth0@ifN).
        // (Not /sys/class/net: nsenter --net keeps the host's sysfs mount.)
        var hostIndex = System.Text.Json.JsonDocument.Parse(DockerCli.Must("nsenter", "--target", pid.ToString(), "--net", "ip", "-j", "link", "show", "eth0"))
            .RootElement[0].GetProperty("link_index").GetInt32();
        var hostVeth = TopologyBuilder.InterfaceId(InodeOf("/proc/self/ns/net"), hostIndex);
        await f.WaitForAsync(s =>
            s.Nodes.Any(n => n.Id == ctr && n.Parent == netns)
            && s.Edges.Any(e => e.Kind == EdgeKinds.Veth && (e.Source == hostVeth && e.Target.StartsWith(inside) || e.Target == hostVeth && e.Source.StartsWith(inside))),
            "the container in its namespace, cabled by a veth to the host end the kernel reports");
        // The published port's DNAT (found by the NAT poll) points at the container.
        await f.WaitForAsync(s => s.Edges.Any(e => e.Kind == EdgeKinds.Nat && e.Target == ctr
            && s.Nodes.Single(n => n.Id == e.Source).Props.GetProperty("hostPort").GetInt32() == port), "the DNAT rule for the published port");

        DockerCli.Docker("rm", "-f", id);
        await f.WaitForAsync(s => s.Nodes.All(n => n.Id != ctr && n.Id != netns && n.Id != hostVeth && n.Parent != netns)
            && s.Edges.All(e => e.Target != ctr && e.Source != hostVeth && e.Target != hostVeth),
            "the container, its namespace, its host veth and its NAT edges gone");
        // And the kernel agrees the host end is gone (ip -o link lists "N: name@...").
        Assert.DoesNotContain(DockerCli.Must("ip", "-o", "link", "show").Split('\n'), l => l.StartsWith($"{hostIndex}: "));
    }

    [Fact]
    public async Task A_link_added_in_the_host_namespace_appears_and_goes()
    {
        DockerCli.Run("ip", "link", "del", "nvlive0");
        var hostInode = InodeOf("/proc/self/ns/net");
        DockerCli.Must("ip", "link", "add", "nvlive0", "type", "veth", "peer", "name", "nvlive1");
        try
        {
            var index = int.Parse(DockerCli.Must("cat", "/sys/class/net/nvlive0/ifindex"));
            var peerIndex = int.Parse(DockerCli.Must("cat", "/sys/class/net/nvlive1/ifindex"));
            var id = TopologyBuilder.InterfaceId(hostInode, index);
            var peer = TopologyBuilder.InterfaceId(hostInode, peerIndex);
            var s = await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == id) && s.Nodes.Any(n => n.Id == peer)
                && s.Edges.Any(e => e.Kind == EdgeKinds.Veth && new[] { e.Source, e.Target }.Order().SequenceEqual(new[] { id, peer }.Order())),
                "nvlive0 and nvlive1 as a veth pair");
            Assert.Equal("nvlive0", s.Nodes.Single(n => n.Id == id).Label);

            // Changes to a link already shown: each RTM_NEWLINK is compared with the last reading before any re-read
            // (one that shows nothing new is skipped), so an MTU set, set back and set again within one coalescing
            // window, then the link set up, must all end as the kernel ends them.
            foreach (var step in new[] { "mtu 1400", "mtu 1500", "mtu 1400", "up" }) DockerCli.Must("ip", ["link", "set", "nvlive0", .. step.Split(' ')]);
            var truth = System.Text.Json.JsonDocument.Parse(DockerCli.Must("ip", "-j", "link", "show", "nvlive0")).RootElement[0];
            Assert.Equal(1400, truth.GetProperty("mtu").GetInt32());
            s = await f.WaitForAsync(s => s.Nodes.Single(n => n.Id == id).Props is var p
                && p.GetProperty("mtu").GetInt32() == 1400 && p.GetProperty("up").GetBoolean(), "nvlive0 up with MTU 1400");
            Assert.Equal(truth.GetProperty("operstate").GetString()!.ToLowerInvariant(), s.Nodes.Single(n => n.Id == id).Props.GetProperty("operState").GetString());
            await f.AssertNoMissedEventsAsync();
        }
        finally
        {
            DockerCli.Run("ip", "link", "del", "nvlive0");
        }
        await f.WaitForAsync(s => s.Nodes.All(n => n.Label is not ("nvlive0" or "nvlive1")), "nvlive0 gone");
    }

    [Fact]
    public async Task An_ip_netns_add_appears_by_name_without_any_link_and_goes_with_ip_netns_del()
    {
        // `ip netns add` sends no netlink message to the host namespace: only the namespace file tells.
        DockerCli.Run("ip", "netns", "del", "nvlive-ns");
        DockerCli.Must("ip", "netns", "add", "nvlive-ns");
        string id;
        try
        {
            id = TopologyBuilder.NetnsId(InodeOf("/var/run/netns/nvlive-ns"));
            var s = await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == id), "the new namespace");
            var node = s.Nodes.Single(n => n.Id == id);
            Assert.Equal("nvlive-ns", node.Props.GetProperty("name").GetString());
            Assert.Equal(["lo"], s.Nodes.Where(n => n.Parent == id).Select(n => n.Label));
        }
        finally
        {
            DockerCli.Run("ip", "netns", "del", "nvlive-ns");
        }
        await f.WaitForAsync(s => s.Nodes.All(n => n.Id != id), "the namespace gone after ip netns del");
    }

    [Fact]
    public async Task Churn_of_fifty_containers_leaves_the_monitor_equal_to_a_fresh_collection()
    {
        var names = Enumerable.Range(0, 50).Select(i => $"nvlive-churn{i:D2}").ToArray();
        for (var round = 0; round < 2; round++)
        {
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (n, _) =>
            {
                RunContainer(n);
                return ValueTask.CompletedTask;
            });
            // Remove half right away while others are still starting events: the monitor must not keep ghosts.
            await Parallel.ForEachAsync(names.Where((_, i) => i % 2 == round % 2), new ParallelOptions { MaxDegreeOfParallelism = 8 }, (n, _) =>
            {
                DockerCli.Run("docker", "rm", "-f", n);
                return ValueTask.CompletedTask;
            });
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (n, _) =>
            {
                DockerCli.Run("docker", "rm", "-f", n);
                return ValueTask.CompletedTask;
            });
        }
        await Parallel.ForEachAsync(names.Take(10), new ParallelOptions { MaxDegreeOfParallelism = 8 }, (n, _) =>
        {
            RunContainer(n);
            return ValueTask.CompletedTask;
        });

        // Converged: the live snapshot's graph equals a fresh collection's (ids, kinds, labels, parents, edges).
        // Retried because the last events may still be in flight.
        await Eventually.PassesAsync("the live graph equals a fresh collection", async () =>
            Assert.Null(SnapshotShape.Difference(f.Feed.Current, await f.Collector.CollectAsync(CancellationToken.None))), Patience);
        Assert.Equal(10, f.Feed.Current.Nodes.Count(n => n.Kind == NodeKinds.Container && n.Label.StartsWith("nvlive-churn")));
        await Parallel.ForEachAsync(names.Take(10), (n, _) => { DockerCli.Run("docker", "rm", "-f", n); return ValueTask.CompletedTask; });
    }
}
