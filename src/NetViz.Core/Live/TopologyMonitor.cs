using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Live;

/// <summary>
/// Owns the current snapshot. Docker events, netlink notifications, the NAT poll and the periodic resync become
/// <see cref="RefreshPlan"/>s; one loop coalesces them, re-reads only what they touch, rebuilds the snapshot,
/// diffs it against the previous one and hands the diff to every subscriber.
/// </summary>
public sealed partial class TopologyMonitor : BackgroundService, ITopologyFeed
{
    private readonly TopologyCollector _collector;
    private readonly INetlinkChangeSource _netlinkChanges;
    private readonly INamespaceChangeSource? _namespaceChanges;
    private readonly LiveChangeSources _live;
    private readonly NetVizOptions _options;
    private readonly ILogger<TopologyMonitor> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<RefreshPlan> _triggers = Channel.CreateUnbounded<RefreshPlan>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly TaskCompletionSource _firstSnapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SourceReadings? _readings;
    private TopologySnapshot _current = TopologySnapshot.Empty;
    private long _sequence;
    private long _snapshotsBuilt;

    public TopologyMonitor(TopologyCollector collector, INetlinkChangeSource netlinkChanges, IOptions<NetVizOptions> options,
        ILogger<TopologyMonitor> logger, TimeProvider time, INamespaceChangeSource? namespaceChanges = null, LiveChangeSources? live = null)
    {
        _namespaceChanges = namespaceChanges;
        _live = live ?? LiveChangeSources.None;
        _collector = collector;
        _netlinkChanges = netlinkChanges;
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    public TopologySnapshot Current => Volatile.Read(ref _current);
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>How many snapshots were built (for tests of coalescing and the benchmark).</summary>
    public long SnapshotsBuilt => Interlocked.Read(ref _snapshotsBuilt);

    public int SubscriberCount { get { lock (_gate) return _subscribers.Count; } }

    /// <summary>Completes when the first collection has been published.</summary>
    public Task FirstSnapshot => _firstSnapshot.Task;

    /// <summary>Asks for a full re-collection now (also used by tests).</summary>
    public void RequestResync(string reason) => _triggers.Writer.TryWrite(RefreshPlan.ForFull(reason));

    public TopologySubscription Subscribe()
    {
        var channel = Channel.CreateBounded<TopologyUpdate>(new BoundedChannelOptions(Math.Max(2, _options.SubscriberBufferSize))
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Subscriber? subscriber = null;
        var subscription = new TopologySubscription(channel.Reader, s =>
        {
            lock (_gate) _subscribers.Remove(subscriber!);
            channel.Writer.TryComplete();
        });
        subscriber = new Subscriber(channel, subscription);
        lock (_gate)
        {
            channel.Writer.TryWrite(new TopologyReset(_sequence, _current));
            _subscribers.Add(subscriber);
        }
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _triggers.Writer.TryWrite(RefreshPlan.ForFull("start"));
        var loops = new[]
        {
            RefreshLoopAsync(stoppingToken),
            WatchDockerAsync(stoppingToken),
            WatchNetlinkAsync(stoppingToken),
            WatchNamespaceFilesAsync(stoppingToken),
            WatchNamespaceSourcesAsync(stoppingToken),
            WatchNatAsync(stoppingToken),
            ResyncAsync(stoppingToken),
        };
        try { await Task.WhenAll(loops).ConfigureAwait(false); }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            lock (_gate)
                foreach (var s in _subscribers) s.Channel.Writer.TryComplete();
        }
    }

    // ---- the one loop that builds snapshots ---------------------------------------------------

    private async Task RefreshLoopAsync(CancellationToken ct)
    {
        var reader = _triggers.Reader;
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            if (!reader.TryRead(out var plan)) continue;
            if (_options.CoalesceWindow > TimeSpan.Zero && _readings is not null)
                await Task.Delay(_options.CoalesceWindow, _time, ct).ConfigureAwait(false);
            while (reader.TryRead(out var more)) plan.Merge(more);
            try
            {
                await RefreshAsync(plan, ct).ConfigureAwait(false);
                if (plan.Containers.Count > 0 || plan.DockerFull)
                {
                    // A stopped container's namespace is torn down after its last event, and nothing in the host
                    // namespace may change when it goes: look once more a little later so it does not linger.
                    ScheduleLater(RefreshPlan.ForSweep("namespaces settling after container changes"), TimeSpan.FromSeconds(1), ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception ex)
            {
                // A failed refresh (e.g. an inspect that timed out on a loaded engine) must neither stop the monitor
                // nor lose what it was about: retry the whole plan, re-reading Docker in full, after a pause.
                LogRefreshFailed(ex, string.Join(", ", plan.Reasons));
                var retry = RefreshPlan.ForDocker("retry after failed refresh");
                retry.Merge(plan);
                ScheduleLater(retry, TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task RefreshAsync(RefreshPlan plan, CancellationToken ct)
    {
        SourceReadings readings;
        if (plan.Full || _readings is null)
        {
            readings = await _collector.ReadAllAsync(ct).ConfigureAwait(false);
        }
        else
        {
            readings = _readings;
            var docker = readings.Docker;
            var staleInodes = new HashSet<ulong>();
            if (plan.DockerFull || (plan.Containers.Count > 0 && !docker.Ok))
            {
                docker = await _collector.Docker.CollectAsync(ct).ConfigureAwait(false);
                plan.HostNamespace = true;
                CollectNamespaceChanges(readings.Docker.Containers, docker.Containers, staleInodes);
            }
            else if (plan.Containers.Count > 0)
            {
                var fresh = await _collector.Docker.InspectContainersAsync(plan.Containers, ct).ConfigureAwait(false);
                var before = readings.Docker.Containers.Where(c => plan.Containers.Contains(c.Id)).ToList();
                docker = docker with
                {
                    Containers = RefreshPlan.Replace(docker.Containers, c => plan.Containers.Contains(c.Id), fresh),
                };
                CollectNamespaceChanges(before, fresh, staleInodes);
            }
            if (plan.HostNamespace) staleInodes.Add(readings.Host.HostInode);
            staleInodes.UnionWith(plan.Namespaces);
            foreach (var c in docker.Containers)
                if (plan.ContainerNamespaces.Contains(c.Id) && c.NetnsInode is { } inode) staleInodes.Add(inode);

            var host = readings.Host;
            if (staleInodes.Count > 0 || plan.Sweep)
            {
                // Re-read what the triggers touched, plus namespaces that appeared since (an `ip netns add`, a new
                // container's sandbox), and drop the ones that no longer exist.
                var known = host.Namespaces.Select(n => n.Inode).ToHashSet();
                var refresh = await _collector.Host.RefreshNamespacesAsync(staleInodes, known, ct).ConfigureAwait(false);
                var byInode = refresh.Read.ToDictionary(n => n.Inode);
                var merged = host.Namespaces
                    .Where(n => refresh.Existing.Contains(n.Inode) && (byInode.ContainsKey(n.Inode) || !staleInodes.Contains(n.Inode)))
                    .Select(n => byInode.Remove(n.Inode, out var fresh) ? fresh : n)
                    .ToList();
                merged.AddRange(byInode.Values);
                host = host with { Namespaces = [.. merged], Warnings = [.. refresh.Warnings] };
            }
            readings = readings with
            {
                CollectedAt = _time.GetUtcNow(),
                Docker = docker,
                Host = host,
                Nat = plan.Nat ?? readings.Nat,
            };
        }
        _readings = readings;
        var snapshot = TopologyBuilder.Build(readings);
        if (plan.Audit) AuditResync(snapshot);
        Publish(snapshot);
        _live.Track(readings.Host);
    }

    private void ScheduleLater(RefreshPlan plan, TimeSpan delay, CancellationToken ct) =>
        _ = Task.Delay(delay, _time, ct).ContinueWith(
            _ => _triggers.Writer.TryWrite(plan), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>Namespaces a container left or entered must be re-read (a vanished one is then dropped).</summary>
    private static void CollectNamespaceChanges(IEnumerable<ContainerInfo> before, IEnumerable<ContainerInfo> after, HashSet<ulong> inodes)
    {
        var old = before.Where(c => c.NetnsInode is not null).ToDictionary(c => c.Id, c => c.NetnsInode!.Value);
        foreach (var c in after)
        {
            old.TryGetValue(c.Id, out var previous);
            if (c.NetnsInode != previous || previous == 0)
            {
                if (c.NetnsInode is { } now) inodes.Add(now);
                if (previous != 0) inodes.Add(previous);
            }
            old.Remove(c.Id);
        }
        foreach (var gone in old.Values) inodes.Add(gone);
    }

    private void Publish(TopologySnapshot snapshot)
    {
        Interlocked.Increment(ref _snapshotsBuilt);
        lock (_gate)
        {
            var diff = TopologyDiffer.Compute(_current, snapshot, _sequence + 1);
            if (diff.IsEmpty && SameStatus(_current, snapshot) && _firstSnapshot.Task.IsCompleted)
            {
                return;
            }
            _sequence = diff.Sequence;
            Volatile.Write(ref _current, snapshot);
            var change = new TopologyChange(diff, snapshot);
            foreach (var s in _subscribers)
            {
                if (s.Channel.Writer.TryWrite(change)) continue;
                // Overflow: this subscriber is too slow. Drop what it has not read and tell it to start over,
                // so it never delays the others and never applies a diff on top of a gap.
                while (s.Channel.Reader.TryRead(out _)) { }
                s.Channel.Writer.TryWrite(new TopologyReset(_sequence, snapshot));
            }
        }
        _firstSnapshot.TrySetResult();
    }

    private static bool SameStatus(TopologySnapshot a, TopologySnapshot b) =>
        a.Sources == b.Sources && a.Host.Hostname == b.Host.Hostname && a.Host.Netns == b.Host.Netns
        && a.Host.Warnings.SequenceEqual(b.Host.Warnings);

    // ---- triggers -------------------------------------------------------------------------------

    private async Task WatchDockerAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var firstAttempt = true;
        var lostLogged = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // (Re)connecting: converge with a full Docker read, since events may have been missed meanwhile.
                if (!firstAttempt) _triggers.Writer.TryWrite(RefreshPlan.ForDocker("docker event stream reconnecting"));
                firstAttempt = false;
                await foreach (var e in _collector.Docker.WatchAsync(ct).ConfigureAwait(false))
                {
                    backoff = TimeSpan.FromMilliseconds(250);
                    lostLogged = false;
                    if (RefreshPlan.ForDockerEvent(e) is { } plan) _triggers.Writer.TryWrite(plan);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                // Logged once per outage, not once per retry, so a stopped engine does not flood the log.
                if (!lostLogged) LogDockerStreamLost(ex.Message);
                lostLogged = true;
            }
            // The engine went away or the stream ended: re-read Docker now so the status turns red at once.
            _triggers.Writer.TryWrite(RefreshPlan.ForDocker("docker event stream ended"));
            await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    private async Task WatchNetlinkAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _netlinkChanges.WatchAsync(ct).ConfigureAwait(false))
                {
                    backoff = TimeSpan.FromMilliseconds(500);
                    _triggers.Writer.TryWrite(RefreshPlan.ForHostNamespace($"netlink message {change.MessageType}"));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                LogNetlinkWatchFailed(ex.Message);
            }
            await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private async Task WatchNamespaceFilesAsync(CancellationToken ct)
    {
        if (_namespaceChanges is null) return;
        while (!ct.IsCancellationRequested)
        {
            var watched = false;
            try
            {
                await foreach (var path in _namespaceChanges.WatchAsync(ct).ConfigureAwait(false))
                {
                    watched = true;
                    _triggers.Writer.TryWrite(RefreshPlan.ForSweep($"namespace file {path}"));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                LogNetlinkWatchFailed(ex.Message);
            }
            // The watch ends when a watched folder appeared (start over at once to watch it), or when there was
            // nothing to watch (look again later; the periodic resync covers the gap). A namespace bind-mounted
            // while the watch restarts would be missed: look once more shortly after.
            if (watched) ScheduleLater(RefreshPlan.ForSweep("namespace folder appeared"), TimeSpan.FromSeconds(1), ct);
            await Task.Delay(watched ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromSeconds(10), _time, ct).ConfigureAwait(false);
        }
    }

    internal static bool SameNat(NatView a, NatView b) =>
        a.Ok == b.Ok && a.Error == b.Error && a.Backend == b.Backend
        && a.Rules.SequenceEqual(b.Rules) && a.Warnings.SequenceEqual(b.Warnings);

    private async Task ResyncAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.ResyncInterval, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            _triggers.Writer.TryWrite(RefreshPlan.ForResync());
    }

    private sealed record Subscriber(Channel<TopologyUpdate> Channel, TopologySubscription Subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh failed ({Reasons}); keeping the previous snapshot")]
    private partial void LogRefreshFailed(Exception ex, string reasons);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Docker event stream lost: {Reason}. Reconnecting with backoff.")]
    private partial void LogDockerStreamLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Netlink notifications failed: {Reason}. Retrying.")]
    private partial void LogNetlinkWatchFailed(string reason);
}
