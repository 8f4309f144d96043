using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Correlation;
using NetViz.Core.Diagnostics;
using NetViz.Core.Model;
using NetViz.Core.Tests.Correlation;

namespace NetViz.Core.Tests.Diagnostics;

public sealed class NetVizMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly NetVizMetrics _metrics;

    public NetVizMetricsTests() => _metrics = new NetVizMetrics(MeterFactory, _time);

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    private MetricCollector<T> Collect<T>(string instrument) where T : struct =>
        new(MeterFactory, NetVizMetrics.MeterName, instrument);

    public void Dispose() => _services.Dispose();

    [Fact]
    public void An_event_waits_unserved_from_its_arrival_until_a_refresh_takes_it()
    {
        var arrived = _time.GetUtcNow();
        _metrics.OnEvent(TriggerNames.Docker);
        _time.Advance(TimeSpan.FromSeconds(5));
        _metrics.OnEvent(TriggerNames.Netlink);
        // The oldest waiting event is what a stalled coalescer is measured from, not the newest.
        Assert.Equal(arrived, _metrics.Feed.OldestUnservedEventAt);

        var refresh = _metrics.StartRefresh(full: false);
        Assert.Null(_metrics.Feed.OldestUnservedEventAt);
        Assert.Equal(_time.GetUtcNow(), _metrics.Feed.RefreshStartedAt);

        _time.Advance(TimeSpan.FromSeconds(1));
        refresh.Completed();
        Assert.Null(_metrics.Feed.RefreshStartedAt);
        Assert.Equal(_time.GetUtcNow(), _metrics.Feed.LastSuccessAt);
    }

    [Fact]
    public void Failed_refreshes_count_up_until_one_succeeds()
    {
        _metrics.StartRefresh(full: true).Completed();
        var success = _metrics.Feed.LastSuccessAt;
        _time.Advance(TimeSpan.FromSeconds(1));
        _metrics.StartRefresh(full: false).Failed(new TimeoutException());
        _metrics.StartRefresh(full: false).Failed(new TimeoutException());
        Assert.Equal(2, _metrics.Feed.ConsecutiveFailures);
        Assert.Equal(success, _metrics.Feed.LastSuccessAt);
        _metrics.StartRefresh(full: true).Completed();
        Assert.Equal(0, _metrics.Feed.ConsecutiveFailures);
    }

    [Fact]
    public void Refresh_durations_are_recorded_in_seconds_with_scope_and_the_error_type_of_a_failure()
    {
        using var durations = Collect<double>(MetricNames.LiveRefreshDuration);
        var ok = _metrics.StartRefresh(full: true);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        ok.Completed();
        var failed = _metrics.StartRefresh(full: false);
        _time.Advance(TimeSpan.FromSeconds(2));
        failed.Failed(new TimeoutException());

        var recorded = durations.GetMeasurementSnapshot();
        Assert.Equal(2, recorded.Count);
        Assert.Equal(0.25, recorded[0].Value, 6);
        Assert.Equal("full", recorded[0].Tags["netviz.refresh.scope"]);
        Assert.False(recorded[0].Tags.ContainsKey("error.type"));
        Assert.Equal(2.0, recorded[1].Value, 6);
        Assert.Equal("partial", recorded[1].Tags["netviz.refresh.scope"]);
        Assert.Equal(typeof(TimeoutException).FullName, recorded[1].Tags["error.type"]);
    }

    [Fact]
    public void Events_are_counted_per_trigger()
    {
        using var events = Collect<long>(MetricNames.LiveEvents);
        _metrics.OnEvent(TriggerNames.Docker);
        _metrics.OnEvent(TriggerNames.Docker);
        _metrics.OnEvent(TriggerNames.Resync);
        var byTrigger = events.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["netviz.trigger"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["docker"] = 2, ["resync"] = 1 }, byTrigger);
    }

    [Fact]
    public void Every_trigger_series_exists_at_zero_before_its_first_event()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var events = new MetricCollector<long>(factory, NetVizMetrics.MeterName, MetricNames.LiveEvents);
        _ = new NetVizMetrics(factory, _time);
        var zeros = events.GetMeasurementSnapshot();
        Assert.All(zeros, m => Assert.Equal(0, m.Value));
        Assert.Equal(["docker", "namespace_file", "nat_poll", "netlink", "resync"], zeros.Select(m => (string)m.Tags["netviz.trigger"]!).Order());
    }

    [Fact]
    public void Snapshot_gauges_report_the_published_snapshot_by_kind_and_each_source_state()
    {
        using var nodes = Collect<int>(MetricNames.SnapshotNodes);
        using var available = Collect<int>(MetricNames.SourceAvailable);
        using var diffs = Collect<long>(MetricNames.LiveDiffs);
        var readings = LessonTopology.Readings(nat: new NetViz.Core.Sources.NatView { Ok = false, Error = "iptables-save not found" });
        var snapshot = TopologyBuilder.Build(readings);

        _metrics.OnSnapshotPublished(snapshot);
        nodes.RecordObservableInstruments();
        available.RecordObservableInstruments();

        var byKind = nodes.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["netviz.node.kind"]!, m => m.Value);
        // Independent truth: the lesson's containers as the Docker reading lists them.
        Assert.Equal(readings.Docker.Containers.Length, byKind[NodeKinds.Container]);
        Assert.Equal(snapshot.Nodes.Length, byKind.Values.Sum());
        var sources = available.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["netviz.source"]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { ["docker"] = 1, ["netlink"] = 1, ["nat"] = 0 }, sources);
        Assert.Equal(1, diffs.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(_time.GetUtcNow(), _metrics.Feed.FirstSnapshotAt);
    }

    [Fact]
    public void Refresh_age_is_absent_before_the_first_success_then_grows_with_time()
    {
        using var age = Collect<double>(MetricNames.LiveRefreshAge);
        age.RecordObservableInstruments();
        Assert.Empty(age.GetMeasurementSnapshot());

        _metrics.StartRefresh(full: true).Completed();
        _time.Advance(TimeSpan.FromSeconds(42));
        age.RecordObservableInstruments();
        Assert.Equal(42.0, age.LastMeasurement!.Value, 6);
    }

    [Fact]
    public void Subscribers_go_up_and_down_and_overflow_resets_are_counted()
    {
        using var subscribers = Collect<long>(MetricNames.LiveSubscribers);
        using var resets = Collect<long>(MetricNames.LiveSubscriberResets);
        _metrics.OnSubscriberAdded();
        _metrics.OnSubscriberAdded();
        _metrics.OnSubscriberRemoved();
        _metrics.OnSubscriberReset();
        Assert.Equal(1, subscribers.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, resets.GetMeasurementSnapshot().Sum(m => m.Value));
    }
}
