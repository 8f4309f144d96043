using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetViz.Core.Collection;
using NetViz.Core.Diagnostics;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;
using NetViz.Core.Tests.Live;

namespace NetViz.Core.Tests.Diagnostics;

/// <summary>The monitor's hooks: what it does shows up in the metrics and in the feed state /readyz reads.</summary>
public sealed class TopologyMonitorMetricsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeHostSource _host = new(LessonTopology.HostView());
    private readonly FakeDockerSource _docker = new(LessonTopology.Docker());
    private readonly FakeNatSource _nat = new(LessonTopology.Nat());
    private readonly FakeNetlinkChanges _netlink = new();
    private readonly MetricCollector<long> _events;
    private readonly MetricCollector<long> _diffs;
    private readonly MetricCollector<long> _subscribers;
    private readonly MetricCollector<long> _resets;
    private readonly NetVizMetrics _metrics;
    private readonly TopologyMonitor _monitor;
    private readonly TopologyBroadcaster _feed;

    public TopologyMonitorMetricsTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _events = new(factory, NetVizMetrics.MeterName, MetricNames.LiveEvents);
        _diffs = new(factory, NetVizMetrics.MeterName, MetricNames.LiveDiffs);
        _subscribers = new(factory, NetVizMetrics.MeterName, MetricNames.LiveSubscribers);
        _resets = new(factory, NetVizMetrics.MeterName, MetricNames.LiveSubscriberResets);
        _metrics = new NetVizMetrics(factory, TimeProvider.System);
        _feed = new TopologyBroadcaster(bufferSize: 2, _metrics);
        _monitor = new TopologyMonitor(new TopologyCollector(_host, _docker, _nat, TimeProvider.System), _feed, _docker, _netlink,
            Options.Create(new NetVizOptions { NatPollInterval = TimeSpan.FromMilliseconds(50), ResyncInterval = TimeSpan.FromHours(1), SubscriberBufferSize = 2 }),
            NullLogger<TopologyMonitor>.Instance, TimeProvider.System, metrics: _metrics);
    }

    public async Task InitializeAsync()
    {
        Assert.Null(_metrics.Feed.FirstSnapshotAt);
        await _monitor.StartAsync(CancellationToken.None);
        await _feed.FirstSnapshot.WaitAsync(Patience);
    }

    public async Task DisposeAsync()
    {
        await _monitor.StopAsync(CancellationToken.None);
        _monitor.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Triggers_are_counted_by_kind_and_every_published_snapshot_is_one_diff()
    {
        Assert.NotNull(_metrics.Feed.FirstSnapshotAt);
        Assert.NotNull(_metrics.Feed.LastSuccessAt);

        var docker = _docker.View;
        _docker.View = docker with { Containers = [.. docker.Containers.Where(c => c.Id != LessonTopology.DbId)] };
        _docker.Emit("container", "destroy", LessonTopology.DbId);
        _netlink.Changes.Writer.TryWrite(new NetlinkChange(16));
        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Packets = r.Packets + 1 })] };

        await WaitUntil(() => Count(_events, TriggerNames.Docker) == 1 && Count(_events, TriggerNames.Netlink) == 1
            && Count(_events, TriggerNames.NatPoll) >= 1
            && _feed.Current.Nodes.All(n => n.Id != NetViz.Core.Correlation.TopologyBuilder.ContainerId(LessonTopology.DbId)));
        await WaitUntil(() => _metrics.Feed.OldestUnservedEventAt is null && _metrics.Feed.RefreshStartedAt is null);
        Assert.Equal(_feed.Sequence, _diffs.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(0, _metrics.Feed.ConsecutiveFailures);
    }

    [Fact]
    public async Task Subscribers_are_counted_and_a_slow_one_that_overflows_is_counted_as_reset()
    {
        var slow = _feed.Subscribe();
        using (var other = _feed.Subscribe())
            Assert.Equal(2, _subscribers.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, _subscribers.GetMeasurementSnapshot().Sum(m => m.Value));

        var seq = _feed.Sequence;
        for (var i = 1; i <= 4; i++)
        {
            _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Packets = r.Packets + 1 })] };
            await WaitUntil(() => _feed.Sequence >= seq + i);
        }
        // Buffer 2, never read: the reset followed by 4 diffs overflowed it at least once.
        Assert.True(_resets.GetMeasurementSnapshot().Sum(m => m.Value) >= 1);
        slow.Dispose();
        Assert.Equal(0, _subscribers.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    private static long Count(MetricCollector<long> events, string trigger) =>
        events.GetMeasurementSnapshot().Where(m => (string?)m.Tags["netviz.trigger"] == trigger).Sum(m => m.Value);

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
