using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;

namespace NetViz.Core.Tests.Live;

public sealed class TopologyMonitorTests : IAsyncLifetime
{
    private readonly FakeHostSource _host = new(LessonTopology.HostView());
    private readonly FakeDockerSource _docker = new(LessonTopology.Docker());
    private readonly FakeNatSource _nat = new(LessonTopology.Nat());
    private readonly FakeNetlinkChanges _netlink = new();
    private TopologyMonitor _monitor = null!;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public async Task InitializeAsync()
    {
        _monitor = Create(new NetVizOptions { NatPollInterval = TimeSpan.FromMilliseconds(50), ResyncInterval = TimeSpan.FromHours(1), SubscriberBufferSize = 4 });
        await _monitor.StartAsync(CancellationToken.None);
        await _monitor.FirstSnapshot.WaitAsync(Patience);
    }

    private TopologyMonitor Create(NetVizOptions options) => new(
        new TopologyCollector(_host, _docker, _nat, TimeProvider.System), _netlink,
        Options.Create(options), NullLogger<TopologyMonitor>.Instance, TimeProvider.System);

    public async Task DisposeAsync()
    {
        await _monitor.StopAsync(CancellationToken.None);
        _monitor.Dispose();
    }

    [Fact]
    public async Task A_subscriber_gets_the_current_snapshot_first_then_diffs_that_rebuild_the_truth()
    {
        using var sub = _monitor.Subscribe();
        var first = Assert.IsType<TopologyReset>(await sub.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Same(_monitor.Current, first.Snapshot);

        // A container dies and its namespace vanishes: a docker event, not a resync, must carry it.
        var docker = _docker.View;
        _docker.View = docker with { Containers = [.. docker.Containers.Where(c => c.Id != LessonTopology.DbId)] };
        _host.View = _host.View with { Namespaces = [.. _host.View.Namespaces.Where(n => n.Inode != LessonTopology.Db)] };
        _docker.Emit("container", "destroy", LessonTopology.DbId);

        var change = Assert.IsType<TopologyChange>(await sub.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(first.Sequence + 1, change.Sequence);
        Assert.Contains(TopologyBuilder.ContainerId(LessonTopology.DbId), change.Diff.RemovedNodes);
        Assert.Contains(TopologyBuilder.NetnsId(LessonTopology.Db), change.Diff.RemovedNodes);
        // Incremental: only the container was inspected, and only the host and the vanished namespace re-read.
        Assert.Equal(1, _docker.Inspections);
        Assert.Equal(1, _docker.FullCollections);
        lock (_host.PartialCollections)
            Assert.Contains(_host.PartialCollections, p => p.SequenceEqual(new[] { LessonTopology.Host, LessonTopology.Db }.Order()));
        var applied = TopologyDiffer.Apply(first.Snapshot, change.Diff);
        var fresh = await new TopologyCollector(_host, _docker, _nat, TimeProvider.System).CollectAsync(default);
        Assert.Equal(fresh.Nodes.Select(n => n.Id).Order(), applied.Nodes.Select(n => n.Id).Order());
        Assert.Equal(fresh.Edges.Select(n => n.Id).Order(), applied.Edges.Select(n => n.Id).Order());
    }

    [Fact]
    public async Task A_burst_of_events_is_coalesced_into_few_snapshots()
    {
        var before = _monitor.SnapshotsBuilt;
        var docker = _docker.View;
        var many = Enumerable.Range(0, 50).Select(i => new ContainerInfo
        {
            Id = $"burst{i:D59}", Name = $"burst{i}", Image = "x", State = "running", Pid = 9000 + i, NetworkMode = "none",
        }).ToList();
        _docker.View = docker with { Containers = [.. docker.Containers, .. many] };
        foreach (var c in many) _docker.Emit("container", "start", c.Id);

        await WaitUntil(() => _monitor.Current.Nodes.Count(n => n.Kind == NodeKinds.Container) == docker.Containers.Length + 50);
        Assert.InRange(_monitor.SnapshotsBuilt - before, 1, 5);
    }

    [Fact]
    public async Task A_slow_subscriber_is_reset_without_delaying_a_fast_one()
    {
        using var slow = _monitor.Subscribe();
        using var fast = _monitor.Subscribe();
        var seen = new List<TopologyUpdate>();
        var seq = _monitor.Sequence;
        for (var i = 1; i <= 10; i++)
        {
            _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Packets = r.Packets + 1 })] };
            await WaitUntil(() => _monitor.Sequence >= seq + i);
            while (fast.Reader.TryRead(out var u)) seen.Add(u);
        }
        // The fast one saw every diff in order after its initial reset.
        Assert.IsType<TopologyReset>(seen[0]);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => seq + i), seen.Skip(1).Select(u => u.Sequence));
        // The slow one (buffer 4) was told to start over from the newest snapshot.
        var slowUpdates = new List<TopologyUpdate>();
        while (slow.Reader.TryRead(out var u)) slowUpdates.Add(u);
        var reset = Assert.IsType<TopologyReset>(slowUpdates[0]);
        Assert.True(reset.Sequence > seq + 1, $"reset at {reset.Sequence}");
        Assert.Equal(Enumerable.Range(0, slowUpdates.Count).Select(i => reset.Sequence + i), slowUpdates.Select(u => u.Sequence));
    }

    [Fact]
    public async Task Disposing_a_subscription_unsubscribes_it()
    {
        var count = _monitor.SubscriberCount;
        var sub = _monitor.Subscribe();
        Assert.Equal(count + 1, _monitor.SubscriberCount);
        sub.Dispose();
        Assert.Equal(count, _monitor.SubscriberCount);
        // The reader ends after what was already buffered (the initial reset): a consumer loop terminates.
        var remaining = new List<TopologyUpdate>();
        await foreach (var u in sub.Reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(Patience).Token)) remaining.Add(u);
        Assert.IsType<TopologyReset>(Assert.Single(remaining));
        Assert.True(sub.Reader.Completion.IsCompleted);
    }

    [Fact]
    public async Task When_the_engine_goes_away_docker_turns_not_ok_and_the_host_view_stays()
    {
        Assert.True(_monitor.Current.Sources.Docker.Ok);
        _docker.View = new DockerView { Ok = false, Endpoint = "unix:///var/run/docker.sock", Error = "connection refused" };
        _docker.StreamFailure = new IOException("connection refused");
        _docker.Events.Writer.TryWrite(new DockerEvent("fail", "", "", new Dictionary<string, string>()));
        await WaitUntil(() => !_monitor.Current.Sources.Docker.Ok);
        Assert.Equal("connection refused", _monitor.Current.Sources.Docker.Error);
        Assert.Contains(_monitor.Current.Nodes, n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Web, 5));

        // The engine comes back: the monitor reconnects and converges without a restart.
        _docker.StreamFailure = null;
        _docker.View = LessonTopology.Docker();
        await WaitUntil(() => _monitor.Current.Sources.Docker.Ok && _monitor.Current.Nodes.Any(n => n.Kind == NodeKinds.Container));
    }

    [Fact]
    public async Task A_netlink_notification_rereads_only_the_host_namespace()
    {
        var seq = _monitor.Sequence;
        var host = _host.View.Namespaces[0];
        var extra = new LinkInfo { Index = 40, Name = "nvtest0", Type = "veth", Up = false };
        _host.View = _host.View with { Namespaces = [host with { Links = [.. host.Links, extra] }, .. _host.View.Namespaces.Skip(1)] };
        _netlink.Changes.Writer.TryWrite(new NetlinkChange(16));
        await WaitUntil(() => _monitor.Current.Nodes.Any(n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Host, 40)));
        Assert.Equal(1, _host.FullCollections);
        lock (_host.PartialCollections) Assert.Contains(_host.PartialCollections, p => p.SequenceEqual([LessonTopology.Host]));
        Assert.True(_monitor.Sequence > seq);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (!condition())
        {
            cts.Token.ThrowIfCancellationRequested();
            await Task.Delay(10, cts.Token);
        }
    }
}
