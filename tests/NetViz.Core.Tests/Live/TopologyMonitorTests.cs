using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;

namespace NetViz.Core.Tests.Live;

/// <summary>
/// The monitor over fake sources and a <see cref="FakeTimeProvider"/>: time moves only when a test moves it, and a
/// test waits for what it expects by reading its subscription (bounded by <see cref="Patience"/> so a bug fails
/// instead of hanging), never by sleeping.
/// </summary>
public sealed class TopologyMonitorTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeHostSource _host = new(LessonTopology.HostView());
    private readonly FakeDockerSource _docker = new(LessonTopology.Docker());
    private readonly FakeNatSource _nat = new(LessonTopology.Nat());
    private readonly FakeNetlinkChanges _netlink = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-28T10:00:00Z"));
    private readonly TopologyBroadcaster _feed = new(bufferSize: 64);
    private readonly WarningSignal<TopologyMonitor> _warnings = new();
    private TopologyMonitor? _monitor;

    private static NetVizOptions Options(TimeSpan coalesceWindow) => new()
    {
        NatPollInterval = TimeSpan.FromSeconds(2),
        ResyncInterval = TimeSpan.FromHours(1),
        CoalesceWindow = coalesceWindow,
    };

    /// <summary>Starts the monitor and subscribes once its first snapshot is out (every watch and timer is set by then).</summary>
    private async Task<TopologySubscription> StartAsync(TimeSpan? coalesceWindow = null)
    {
        _monitor = new TopologyMonitor(new TopologyCollector(_host, _docker, _nat, _time), _feed, _docker, _netlink,
            Microsoft.Extensions.Options.Options.Create(Options(coalesceWindow ?? TimeSpan.Zero)), _warnings, _time);
        await _monitor.StartAsync(CancellationToken.None);
        await _feed.FirstSnapshot.WaitAsync(Patience);
        var subscription = _feed.Subscribe();
        Assert.IsType<TopologyReset>(await NextAsync(subscription));
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (_monitor is null) return;
        await _monitor.StopAsync(CancellationToken.None);
        _monitor.Dispose();
    }

    private static async Task<TopologyUpdate> NextAsync(TopologySubscription subscription) =>
        await subscription.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>Reads updates until one shows a snapshot that satisfies <paramref name="condition"/>.</summary>
    private static async Task<TopologySnapshot> UntilAsync(TopologySubscription subscription, Func<TopologySnapshot, bool> condition)
    {
        while (true)
        {
            var snapshot = await NextAsync(subscription) switch
            {
                TopologyChange c => c.Snapshot,
                TopologyReset r => r.Snapshot,
                var u => throw new InvalidOperationException(u.GetType().Name),
            };
            if (condition(snapshot)) return snapshot;
        }
    }

    [Fact]
    public async Task A_docker_event_becomes_one_numbered_diff_from_an_incremental_read_that_rebuilds_the_truth()
    {
        using var sub = await StartAsync();
        var first = _feed.Current;
        var sequence = _feed.Sequence;

        // A container dies and its namespace vanishes: a docker event, not a resync, must carry it.
        var docker = _docker.View;
        _docker.View = docker with { Containers = [.. docker.Containers.Where(c => c.Id != LessonTopology.DbId)] };
        _host.View = _host.View with { Namespaces = [.. _host.View.Namespaces.Where(n => n.Inode != LessonTopology.Db)] };
        _docker.Emit("container", "destroy", LessonTopology.DbId);

        var change = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.Equal(sequence + 1, change.Sequence);
        Assert.Contains(TopologyBuilder.ContainerId(LessonTopology.DbId), change.Diff.RemovedNodes);
        Assert.Contains(TopologyBuilder.NetnsId(LessonTopology.Db), change.Diff.RemovedNodes);
        // Incremental: only the container was inspected, and only the host and the vanished namespace re-read.
        Assert.Equal(1, _docker.Inspections);
        Assert.Equal(1, _docker.FullCollections);
        lock (_host.PartialCollections)
            Assert.Contains(_host.PartialCollections, p => p.SequenceEqual(new[] { LessonTopology.Host, LessonTopology.Db }.Order()));
        var applied = TopologyDiffer.Apply(first, change.Diff);
        var fresh = await new TopologyCollector(_host, _docker, _nat, _time).CollectAsync(default);
        Assert.Equal(fresh.Nodes.Select(n => n.Id).Order(), applied.Nodes.Select(n => n.Id).Order());
        Assert.Equal(fresh.Edges.Select(n => n.Id).Order(), applied.Edges.Select(n => n.Id).Order());
    }

    [Fact]
    public async Task A_burst_of_events_within_the_coalescing_window_is_one_snapshot()
    {
        var window = TimeSpan.FromMilliseconds(30);
        using var sub = await StartAsync(window);
        var built = _monitor!.SnapshotsBuilt;
        var docker = _docker.View;
        var many = Enumerable.Range(0, 50).Select(i => new ContainerInfo
        {
            Id = $"burst{i:D59}", Name = $"burst{i}", Image = "x", State = "running", Pid = 9000 + i, NetworkMode = "none",
        }).ToList();
        _docker.View = docker with { Containers = [.. docker.Containers, .. many] };
        foreach (var c in many) _docker.Emit("container", "start", c.Id);
        await _docker.HandedOver.Reached(50).WaitAsync(Patience);

        // Every event reached the monitor and the clock has not moved: nothing may have been built yet.
        Assert.Equal(built, _monitor.SnapshotsBuilt);
        _time.Advance(window);

        var change = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.Equal(50, change.Diff.AddedNodes.Count(n => n.Kind == NodeKinds.Container));
        Assert.Equal(built + 1, _monitor.SnapshotsBuilt);
        Assert.Equal(50, _docker.Inspections);
    }

    [Fact]
    public async Task A_netlink_notification_rereads_only_the_host_namespace()
    {
        using var sub = await StartAsync();
        var host = _host.View.Namespaces[0];
        var extra = new LinkInfo { Index = 40, Name = "nvtest0", Type = "veth", Up = false };
        _host.View = _host.View with { Namespaces = [host with { Links = [.. host.Links, extra] }, .. _host.View.Namespaces.Skip(1)] };
        _netlink.Changes.Writer.TryWrite(new NetlinkChange(16));

        var change = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.Contains(change.Diff.AddedNodes, n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Host, 40));
        Assert.Equal(1, _host.FullCollections);
        lock (_host.PartialCollections) Assert.Equal([LessonTopology.Host], Assert.Single(_host.PartialCollections));
    }

    [Fact]
    public async Task A_link_notification_that_shows_nothing_new_is_not_reread_and_the_next_one_that_does_is()
    {
        using var sub = await StartAsync();
        var host = _host.View.Namespaces[0];
        var veth = host.Links.Single(l => l.Index == 7);
        // The link goes down in the kernel; the first notification still describes it as read (a bridge repeating a
        // port's state: no kind, no netns id), the second says it went down.
        var down = veth with { Up = false, OperState = "down" };
        _host.View = _host.View with { Namespaces = [host with { Links = [.. host.Links.Select(l => l.Index == 7 ? down : l)] }, .. _host.View.Namespaces.Skip(1)] };
        _netlink.Changes.Writer.TryWrite(new NetlinkChange(16) { Link = veth with { Type = "device", LinkNetnsId = null } });
        _netlink.Changes.Writer.TryWrite(new NetlinkChange(16) { Link = down });

        // Had the first been re-read, its read would have found the link down and the second would have been judged too.
        var change = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.Contains(change.Diff.UpdatedNodes, n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Host, 7));
        Assert.Equal(1, _monitor!.NotificationsAlreadyRead);
        lock (_host.PartialCollections) Assert.Equal([LessonTopology.Host], Assert.Single(_host.PartialCollections));
    }

    [Fact]
    public async Task The_nat_rules_are_polled_on_the_clock_and_an_unchanged_poll_builds_nothing()
    {
        using var sub = await StartAsync();
        var built = _monitor!.SnapshotsBuilt;
        var reads = _nat.Collections;

        // Same rules: read on the tick, compared, and dropped before any snapshot is built. The netlink change sent
        // once the poll is being read is served after it, so its diff is the first update and must be all there is.
        _time.Advance(TimeSpan.FromSeconds(2));
        await _nat.Reads.Reached(reads + 1).WaitAsync(Patience);
        var host = _host.View.Namespaces[0];
        _host.View = _host.View with { Namespaces = [host with { Links = [.. host.Links, new LinkInfo { Index = 41, Name = "nvtest1", Type = "veth" }] }, .. _host.View.Namespaces.Skip(1)] };
        _netlink.Changes.Writer.TryWrite(new NetlinkChange(16));
        var linkChange = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.Equal(TopologyBuilder.InterfaceId(LessonTopology.Host, 41), Assert.Single(linkChange.Diff.AddedNodes).Id);
        Assert.Empty(linkChange.Diff.UpdatedNodes);
        Assert.Equal(built + 1, _monitor.SnapshotsBuilt);

        // Counters moved: the next tick publishes them.
        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Packets = r.Packets + 7 })] };
        _time.Advance(TimeSpan.FromSeconds(2));
        var natChange = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.NotEmpty(natChange.Diff.UpdatedNodes);
        Assert.All(natChange.Diff.UpdatedNodes, n => Assert.Equal(NodeKinds.NatRule, n.Kind));
        Assert.Equal(reads + 2, _nat.Collections);
    }

    [Fact]
    public async Task When_the_engine_goes_away_docker_turns_not_ok_the_host_view_stays_and_the_watch_reconnects_after_the_backoff()
    {
        using var sub = await StartAsync();
        _docker.View = new DockerView { Ok = false, Endpoint = "unix:///var/run/docker.sock", Error = "connection refused" };
        _docker.StreamFailure = new IOException("connection refused");
        _docker.Events.Writer.TryWrite(new DockerEvent("fail", "", "", new Dictionary<string, string>()));

        var down = await UntilAsync(sub, s => !s.Sources.Docker.Ok);
        Assert.Equal("connection refused", down.Sources.Docker.Error);
        Assert.Contains(down.Nodes, n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Web, 5));
        Assert.Contains("connection reset by peer", await _warnings.NextAsync(CancellationToken.None).AsTask().WaitAsync(Patience));

        // The engine comes back: after the first backoff (250 ms) the monitor reconnects and converges without a restart.
        _docker.StreamFailure = null;
        _docker.View = LessonTopology.Docker();
        var collections = _docker.FullCollections;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var back = await UntilAsync(sub, s => s.Sources.Docker.Ok);
        Assert.Contains(back.Nodes, n => n.Id == TopologyBuilder.ContainerId(LessonTopology.DbId));
        Assert.True(_docker.FullCollections > collections);
    }

    [Fact]
    public async Task A_failed_refresh_is_retried_in_full_after_the_backoff()
    {
        using var sub = await StartAsync();
        var docker = _docker.View;
        _docker.View = docker with { Containers = [.. docker.Containers.Where(c => c.Id != LessonTopology.WebId)] };
        _docker.InspectFailure = new TimeoutException("inspect timed out");
        var collections = _docker.FullCollections;
        _docker.Emit("container", "die", LessonTopology.WebId);

        Assert.Contains("container die", await _warnings.NextAsync(CancellationToken.None).AsTask().WaitAsync(Patience));
        Assert.Equal(docker.Containers.Length, _feed.Current.Nodes.Count(n => n.Kind == NodeKinds.Container));

        // The retry is due one second later (the refresh backoff's first step) and re-reads Docker in full.
        _time.Advance(TimeSpan.FromSeconds(1));
        var change = Assert.IsType<TopologyChange>(await NextAsync(sub));
        Assert.Contains(TopologyBuilder.ContainerId(LessonTopology.WebId), change.Diff.RemovedNodes);
        Assert.Equal(collections + 1, _docker.FullCollections);
    }
}
