using System.Diagnostics;
using NetViz.Core.Correlation;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.IntegrationTests.Docker;
using Xunit.Abstractions;
using static NetViz.IntegrationTests.Live.PrivateEngineMonitorFixture;

namespace NetViz.IntegrationTests.Live;

/// <summary>
/// Given NetViz watching a private engine, when that engine stops and comes back, then the Docker status turns
/// not-ok with the reason, the host's netlink view keeps updating meanwhile, and the graph converges once the
/// engine answers again; the host's own engine and its containers are untouched throughout.
/// </summary>
[Collection(PrivateEngineCollection.Name)]
public sealed class EngineRestartTests(PrivateEngineMonitorFixture f, ITestOutputHelper output)
{
    [Fact]
    public async Task When_the_engine_stops_docker_turns_not_ok_with_the_reason_netlink_keeps_updating_and_it_converges_when_the_engine_returns()
    {
        // A container with no restart policy: it does not survive the engine's restart.
        var id = f.Engine.Docker("run", "-d", "--name", "nvpe-survivor", "--label", Label, "--stop-timeout", "1", DockerCli.Image, "sleep", "3600");
        var ctr = TopologyBuilder.ContainerId(id);
        var before = await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == ctr), "the private engine's container before the outage");
        // NetViz reads the engine NetViz:DockerHost names, not the host's: the host witness is not in its graph.
        Assert.Equal(f.Engine.Endpoint, before.Sources.Docker.Endpoint);
        Assert.DoesNotContain(before.Nodes, n => n.Id == TopologyBuilder.ContainerId(f.Witness.Id));

        using var updates = f.Feed.Subscribe();
        var outage = Stopwatch.StartNew();
        var exitedAfter = TimeSpan.Zero;
        var stopped = f.Engine.StopDockerdAsync().ContinueWith(t => { exitedAfter = outage.Elapsed; t.GetAwaiter().GetResult(); }, TaskScheduler.Default);
        var down = await NextAsync(updates, s => !s.Sources.Docker.Ok, "an update with sources.docker.ok = false");
        var reportedAfter = outage.Elapsed;
        await stopped;
        // Measured for the record, not asserted (no timing assertions in tests; docs/benchmarks.md holds speeds).
        output.WriteLine($"SIGTERM to dockerd; dockerd exited after {exitedAfter.TotalMilliseconds:0} ms; NetViz reported docker not ok after "
            + $"{reportedAfter.TotalMilliseconds:0} ms: {down.Sources.Docker.Error}");
        Assert.StartsWith($"Cannot connect to the Docker engine at {f.Engine.Endpoint}", down.Sources.Docker.Error);
        Assert.True(down.Sources.Netlink.Ok, down.Sources.Netlink.Error);

        // Netlink keeps flowing while Docker is away.
        DockerCli.Must("ip", "link", "add", "nvpe0", "type", "veth", "peer", "name", "nvpe1");
        try
        {
            var index = int.Parse(DockerCli.Must("cat", "/sys/class/net/nvpe0/ifindex"));
            var hostInode = ulong.Parse(DockerCli.Must("stat", "-L", "-c", "%i", "/proc/self/ns/net"));
            var during = await f.WaitForAsync(s => s.Nodes.Any(n => n.Id == TopologyBuilder.InterfaceId(hostInode, index)), "a host link added during the outage");
            Assert.False(during.Sources.Docker.Ok);
        }
        finally
        {
            DockerCli.Run("ip", "link", "del", "nvpe0");
        }

        f.Engine.StartDockerd();

        // Back: green again, and the container is shown in the state the engine reports now, without restarting NetViz.
        var state = f.Engine.Docker("inspect", "-f", "{{.State.Status}}", id);
        Assert.Equal("exited", state);
        await f.WaitForAsync(s => s.Sources.Docker.Ok && s.Nodes.Any(n => n.Id == ctr && n.Props.GetProperty("state").GetString() == state),
            $"docker ok again with the container {state}");
        // Converged: what the engine says (its containers and networks, and their edges) equals a fresh collection.
        // Only that part: namespaces of the host's engine and of other work change without an event this monitor
        // hears (it watches the private engine, and netlink only in the host namespace), until its resync.
        await Eventually.PassesAsync("the engine's part of the live graph equals a fresh collection after the restart", async () =>
            Assert.Null(SnapshotShape.Difference(f.Feed.Current, await f.Collector.CollectAsync(CancellationToken.None),
                n => n.Kind is NodeKinds.Container or NodeKinds.Network)));

        // The host's engine never noticed: its witness container runs, started once, before all this, and its
        // default bridge is the very link it was.
        Assert.Equal((f.Witness.Id, true, f.Witness.StartedAt), HostContainerState(HostWitness));
        Assert.Equal(f.Docker0, HostDocker0());
        f.Engine.Docker("rm", "-f", id);
    }

    /// <summary>Reads the subscription until an update's snapshot satisfies the condition.</summary>
    private static async Task<TopologySnapshot> NextAsync(TopologySubscription updates, Func<TopologySnapshot, bool> condition, string what)
    {
        using var giveUp = new CancellationTokenSource(Eventually.Patience);
        try
        {
            while (true)
            {
                var snapshot = await updates.Reader.ReadAsync(giveUp.Token) switch
                {
                    TopologyReset reset => reset.Snapshot,
                    TopologyChange change => change.Snapshot,
                    var other => throw new InvalidOperationException($"unexpected update {other}"),
                };
                if (condition(snapshot)) return snapshot;
            }
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"no {what} within {Eventually.Patience.TotalSeconds} s");
        }
    }
}
