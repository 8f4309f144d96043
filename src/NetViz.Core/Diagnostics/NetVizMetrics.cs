using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using NetViz.Core.Model;

namespace NetViz.Core.Diagnostics;

/// <summary>
/// NetViz's own instruments (meter <see cref="MeterName"/>), named after the OpenTelemetry semantic conventions with
/// a <c>netviz.</c> prefix, and the live feed's freshness that the readiness check reads (<see cref="Feed"/>).
/// The monitor calls the <c>On*</c>/<c>Start*</c> hooks; the metered source decorators record collections and errors.
/// Names, units and attributes are the operator's contract: docs/operations.md lists them.
/// </summary>
public sealed class NetVizMetrics
{
    public const string MeterName = "NetViz";

    // Collections take from well under a millisecond (one netlink dump) to seconds (a loaded engine): OpenTelemetry's
    // default buckets are meant for milliseconds and would put every collection in the first bucket.
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly TimeProvider _time;
    private readonly Histogram<double> _collectionDuration;
    private readonly Counter<long> _sourceErrors;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _refreshDuration;
    private readonly Counter<long> _diffs;
    private readonly UpDownCounter<long> _subscribers;
    private readonly Counter<long> _subscriberResets;

    // Read by the observable instruments at scrape time; replaced whole, never mutated.
    private volatile SnapshotCounts? _snapshot;
    private volatile NatCounts? _nat;

    private readonly Lock _feedGate = new();
    private LiveFeedState _feed = LiveFeedState.Initial;

    public NetVizMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        var meter = meterFactory.Create(new MeterOptions(MeterName) { Version = typeof(NetVizMetrics).Assembly.GetName().Version?.ToString() });
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };

        _collectionDuration = meter.CreateHistogram(MetricNames.SourceCollectionDuration, "s",
            "Duration of one read of a source (Docker API calls, a netlink dump of namespaces, one iptables-save).", advice: seconds);
        _sourceErrors = meter.CreateCounter<long>(MetricNames.SourceErrors, "{error}",
            "Failed source reads and broken event streams, by source and error.type.");
        meter.CreateObservableGauge(MetricNames.SourceAvailable, ObserveSourcesAvailable, "1",
            "1 when the source's part of the current snapshot was read, 0 when it failed.");
        meter.CreateObservableGauge(MetricNames.NatRules, ObserveNatRules, "{rule}",
            "iptables rules in the last successful read, by table (nat, filter).");

        _events = meter.CreateCounter<long>(MetricNames.LiveEvents, "{event}",
            "Triggers that reached the live monitor, by netviz.trigger (docker, netlink, namespace_file, nat_poll, resync).");
        _refreshDuration = meter.CreateHistogram(MetricNames.LiveRefreshDuration, "s",
            "Duration of one refresh of the live snapshot (read what the triggers touched, rebuild, diff, publish).", advice: seconds);
        meter.CreateObservableGauge(MetricNames.LiveRefreshAge, ObserveRefreshAge, "s",
            "Seconds since the last successful refresh; absent before the first one.");
        _diffs = meter.CreateCounter<long>(MetricNames.LiveDiffs, "{diff}",
            "Diffs published to subscribers (one per changed snapshot).");
        _subscribers = meter.CreateUpDownCounter<long>(MetricNames.LiveSubscribers, "{subscriber}",
            "Current subscribers of the live feed (browser tabs, API streams).");
        _subscriberResets = meter.CreateCounter<long>(MetricNames.LiveSubscriberResets, "{reset}",
            "Subscribers that fell behind their buffer and were reset from a full snapshot.");

        // Series that exist from the start at 0, so a rate() or an increase() sees the first event, not just the second.
        foreach (var trigger in TriggerNames.All) _events.Add(0, new KeyValuePair<string, object?>("netviz.trigger", trigger));
        _diffs.Add(0);
        _subscribers.Add(0);
        _subscriberResets.Add(0);

        meter.CreateObservableGauge(MetricNames.SnapshotNodes, () => ObserveKinds(_snapshot?.Nodes, "netviz.node.kind"), "{node}",
            "Nodes in the current snapshot, by netviz.node.kind.");
        meter.CreateObservableGauge(MetricNames.SnapshotEdges, () => ObserveKinds(_snapshot?.Edges, "netviz.edge.kind"), "{edge}",
            "Edges in the current snapshot, by netviz.edge.kind.");
    }

    /// <summary>The live feed's progress, for the readiness check.</summary>
    public LiveFeedState Feed { get { lock (_feedGate) return _feed; } }

    // ---- hooks for the sources (called by the metered decorators) --------------------------------

    /// <summary>Records one read of <paramref name="source"/>; <paramref name="errorType"/> is null when it worked.</summary>
    public void OnCollection(string source, string operation, TimeSpan elapsed, string? errorType)
    {
        var tags = new TagList { { "netviz.source", source }, { "netviz.collection.operation", operation } };
        if (errorType is not null) tags.Add("error.type", errorType);
        _collectionDuration.Record(elapsed.TotalSeconds, tags);
        if (errorType is not null) OnSourceError(source, errorType);
    }

    public void OnSourceError(string source, string errorType) =>
        _sourceErrors.Add(1, new KeyValuePair<string, object?>("netviz.source", source), new KeyValuePair<string, object?>("error.type", errorType));

    /// <summary>Remembers the rule counts of a successful iptables read for <see cref="MetricNames.NatRules"/>.</summary>
    public void OnNatRead(int natRules, int filterRules) => _nat = new NatCounts(natRules, filterRules);

    // ---- hooks for the live monitor ------------------------------------------------------------

    /// <summary>A trigger arrived (a Docker event, a netlink notification, ...); the coalescer owes a refresh from now on.</summary>
    public void OnEvent(string trigger)
    {
        _events.Add(1, new KeyValuePair<string, object?>("netviz.trigger", trigger));
        var now = _time.GetUtcNow();
        lock (_feedGate)
            if (_feed.OldestUnservedEventAt is null) _feed = _feed with { OldestUnservedEventAt = now };
    }

    /// <summary>The refresh loop took every waiting trigger and starts reading; dispose-free: call Completed or Failed.</summary>
    public RefreshTiming StartRefresh(bool full)
    {
        var now = _time.GetUtcNow();
        lock (_feedGate) _feed = _feed with { OldestUnservedEventAt = null, RefreshStartedAt = now };
        return new RefreshTiming(this, full ? "full" : "partial", _time.GetTimestamp());
    }

    private void OnRefreshEnded(RefreshTiming timing, Exception? error)
    {
        var elapsed = _time.GetElapsedTime(timing.StartedTimestamp);
        var tags = new TagList { { "netviz.refresh.scope", timing.Scope } };
        if (error is not null) tags.Add("error.type", error.GetType().FullName);
        _refreshDuration.Record(elapsed.TotalSeconds, tags);
        var now = _time.GetUtcNow();
        lock (_feedGate)
        {
            _feed = error is null
                ? _feed with { RefreshStartedAt = null, LastSuccessAt = now, ConsecutiveFailures = 0 }
                : _feed with { RefreshStartedAt = null, LastFailureAt = now, ConsecutiveFailures = _feed.ConsecutiveFailures + 1 };
        }
    }

    /// <summary>A snapshot was published (the first one, or one that differs from the previous).</summary>
    public void OnSnapshotPublished(TopologySnapshot snapshot)
    {
        _snapshot = SnapshotCounts.Of(snapshot);
        _diffs.Add(1);
        var now = _time.GetUtcNow();
        lock (_feedGate) _feed = _feed with { FirstSnapshotAt = _feed.FirstSnapshotAt ?? now };
    }

    public void OnSubscriberAdded() => _subscribers.Add(1);

    public void OnSubscriberRemoved() => _subscribers.Add(-1);

    /// <summary>A subscriber's buffer overflowed and it was sent a full snapshot instead of the diff.</summary>
    public void OnSubscriberReset() => _subscriberResets.Add(1);

    // ---- observable instruments ----------------------------------------------------------------

    private IEnumerable<Measurement<int>> ObserveSourcesAvailable()
    {
        if (_snapshot is not { } s) yield break;
        yield return new Measurement<int>(s.DockerOk ? 1 : 0, new KeyValuePair<string, object?>("netviz.source", SourceNames.Docker));
        yield return new Measurement<int>(s.NetlinkOk ? 1 : 0, new KeyValuePair<string, object?>("netviz.source", SourceNames.Netlink));
        yield return new Measurement<int>(s.NatOk ? 1 : 0, new KeyValuePair<string, object?>("netviz.source", SourceNames.Nat));
    }

    private IEnumerable<Measurement<int>> ObserveNatRules()
    {
        if (_nat is not { } n) yield break;
        yield return new Measurement<int>(n.Nat, new KeyValuePair<string, object?>("netviz.nat.table", "nat"));
        yield return new Measurement<int>(n.Filter, new KeyValuePair<string, object?>("netviz.nat.table", "filter"));
    }

    private IEnumerable<Measurement<double>> ObserveRefreshAge()
    {
        if (Feed.LastSuccessAt is not { } last) yield break;
        yield return new Measurement<double>(Math.Max(0, (_time.GetUtcNow() - last).TotalSeconds));
    }

    private static IEnumerable<Measurement<int>> ObserveKinds(ImmutableDictionary<string, int>? counts, string attribute) =>
        counts is null ? [] : counts.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>(attribute, c.Key)));

    private sealed record NatCounts(int Nat, int Filter);

    private sealed record SnapshotCounts(ImmutableDictionary<string, int> Nodes, ImmutableDictionary<string, int> Edges, bool DockerOk, bool NetlinkOk, bool NatOk)
    {
        public static SnapshotCounts Of(TopologySnapshot s) => new(
            s.Nodes.GroupBy(n => n.Kind).ToImmutableDictionary(g => g.Key, g => g.Count()),
            s.Edges.GroupBy(e => e.Kind).ToImmutableDictionary(g => g.Key, g => g.Count()),
            s.Sources.Docker.Ok, s.Sources.Netlink.Ok, s.Sources.Nat.Ok);
    }

    /// <summary>One refresh being timed: call <see cref="Completed"/> or <see cref="Failed"/> once.</summary>
    public readonly record struct RefreshTiming(NetVizMetrics Metrics, string Scope, long StartedTimestamp)
    {
        public void Completed() => Metrics.OnRefreshEnded(this, null);

        public void Failed(Exception error) => Metrics.OnRefreshEnded(this, error);
    }
}

/// <summary>
/// Where the live feed stands. <see cref="OldestUnservedEventAt"/> set for long means triggers wait and no refresh
/// takes them (a stalled coalescer); <see cref="RefreshStartedAt"/> set for long means a refresh hangs.
/// </summary>
public sealed record LiveFeedState
{
    public static LiveFeedState Initial { get; } = new();

    public DateTimeOffset? FirstSnapshotAt { get; init; }
    public DateTimeOffset? LastSuccessAt { get; init; }
    public DateTimeOffset? LastFailureAt { get; init; }
    public int ConsecutiveFailures { get; init; }
    public DateTimeOffset? OldestUnservedEventAt { get; init; }
    public DateTimeOffset? RefreshStartedAt { get; init; }
}

/// <summary>Values of the <c>netviz.source</c> attribute (and the source names health checks report).</summary>
public static class SourceNames
{
    public const string Docker = "docker";
    public const string Netlink = "netlink";
    public const string Nat = "nat";
}

/// <summary>Values of the <c>netviz.trigger</c> attribute of <see cref="MetricNames.LiveEvents"/>.</summary>
public static class TriggerNames
{
    public const string Docker = "docker";
    public const string Netlink = "netlink";
    public const string NamespaceFile = "namespace_file";
    public const string NatPoll = "nat_poll";
    public const string Resync = "resync";

    public static IReadOnlyList<string> All { get; } = [Docker, Netlink, NamespaceFile, NatPoll, Resync];
}

/// <summary>Instrument names (OpenTelemetry); the Prometheus exporter turns dots into underscores and adds unit suffixes.</summary>
public static class MetricNames
{
    public const string SourceCollectionDuration = "netviz.source.collection.duration";
    public const string SourceErrors = "netviz.source.errors";
    public const string SourceAvailable = "netviz.source.available";
    public const string NatRules = "netviz.nat.rules";
    public const string LiveEvents = "netviz.live.events";
    public const string LiveRefreshDuration = "netviz.live.refresh.duration";
    public const string LiveRefreshAge = "netviz.live.refresh.age";
    public const string LiveDiffs = "netviz.live.diffs";
    public const string LiveSubscribers = "netviz.live.subscribers";
    public const string LiveSubscriberResets = "netviz.live.subscriber.resets";
    public const string SnapshotNodes = "netviz.snapshot.nodes";
    public const string SnapshotEdges = "netviz.snapshot.edges";
}
