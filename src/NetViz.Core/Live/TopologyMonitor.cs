using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Diagnostics;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Live;

/// <summary>
/// Owns time, not collection: Docker events, netlink notifications, namespace files, the NAT poll and the periodic
/// resync become <see cref="RefreshPlan"/>s; one loop takes them coalesced, has the <see cref="TopologyCollector"/>
/// refresh what they name, builds the snapshot and hands it to the <see cref="TopologyBroadcaster"/>.
/// </summary>
public sealed partial class TopologyMonitor : BackgroundService
{
    /// <summary>How long after container changes to look at the namespaces once more (see <see cref="RefreshLoopAsync"/>).</summary>
    private static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(1);

    private readonly TopologyCollector _collector;
    private readonly TopologyBroadcaster _feed;
    private readonly IDockerSource _docker;
    private readonly INetlinkChangeSource _netlinkChanges;
    private readonly INamespaceChangeSource? _namespaceChanges;
    private readonly NetVizOptions _options;
    private readonly ILogger<TopologyMonitor> _logger;
    private readonly TimeProvider _time;
    private readonly RefreshCoalescer _coalescer;
    private readonly NetVizMetrics? _metrics; // [ops hook] metrics + feed freshness for /readyz
    private readonly LiveChangeSources _live;
    private volatile SourceReadings? _readings;
    /// <summary>The snapshot built from <see cref="_readings"/> (patched from, when only NAT counters moved).</summary>
    private TopologySnapshot? _built;
    /// <summary>When the last resync that read every namespace was asked for (the first collection counts).</summary>
    private long _lastFullResync;
    /// <summary>How often the Docker event stream ended, and how often it had when the last resync was planned.</summary>
    private int _dockerStreamEnds, _dockerStreamEndsAtResync;
    /// <summary>How often the host namespace's netlink listener ended, and how often it had when the last resync was planned.</summary>
    private int _hostListenerEnds, _hostListenerEndsAtResync;
    private long _snapshotsBuilt;
    private long _notificationsAlreadyRead;

    public TopologyMonitor(TopologyCollector collector, TopologyBroadcaster feed, IDockerSource docker, INetlinkChangeSource netlinkChanges,
        IOptions<NetVizOptions> options, ILogger<TopologyMonitor> logger, TimeProvider time, INamespaceChangeSource? namespaceChanges = null,
        NetVizMetrics? metrics = null, LiveChangeSources? live = null)
    {
        _live = live ?? LiveChangeSources.None;
        _metrics = metrics; // [ops hook]
        (_collector, _feed, _docker, _netlinkChanges, _namespaceChanges) = (collector, feed, docker, netlinkChanges, namespaceChanges);
        (_options, _logger, _time) = (options.Value, logger, time);
        _coalescer = new RefreshCoalescer(_options.CoalesceWindow, time);
        _lastFullResync = time.GetTimestamp();
    }

    /// <summary>How many snapshots were built (for tests of coalescing and the benchmark).</summary>
    public long SnapshotsBuilt => Interlocked.Read(ref _snapshotsBuilt);

    /// <summary>Host-namespace link notifications that showed nothing new and were not re-read (tests, the benchmark).</summary>
    public long NotificationsAlreadyRead => Interlocked.Read(ref _notificationsAlreadyRead);

    /// <summary>Asks for a full re-collection now.</summary>
    public void RequestResync(ChangeCause reason) => _coalescer.Request(RefreshPlan.ForFull(reason));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _coalescer.Request(RefreshPlan.ForFull(ChangeCause.Of("start")));
        try
        {
            // Triggers first, the loop that serves them last: nothing that changes during the first collection is
            // missed, and by the first snapshot every watch and timer is in place.
            var triggers = new[]
            {
                WatchDockerAsync(stoppingToken),
                WatchNetlinkAsync(stoppingToken),
                WatchNamespaceFilesAsync(stoppingToken),
                WatchNamespaceSourcesAsync(stoppingToken),
                WatchNatAsync(stoppingToken),
                EveryAsync(_options.ResyncInterval, TriggerNames.Resync, ResyncPlan, stoppingToken),
            };
            await Task.WhenAll([.. triggers, RefreshLoopAsync(stoppingToken)]).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            _feed.Complete();
        }
    }

    /// <summary>The one loop that builds snapshots.</summary>
    private async Task RefreshLoopAsync(CancellationToken ct)
    {
        var retry = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), _time);
        while (!ct.IsCancellationRequested)
        {
            // The first collection is not held back: the dashboard is waiting for it.
            var plan = await _coalescer.NextAsync(withoutWindow: _readings is null, ct).ConfigureAwait(false);
            var timing = _metrics?.StartRefresh(plan.Full || _readings is null); // [ops hook]
            try
            {
                var readings = await _collector.RefreshAsync(plan, _readings, ct).ConfigureAwait(false);
                timing?.Completed(); // [ops hook]
                retry.Reset();
                if (ReferenceEquals(readings, _readings))
                {
                    // A resync that re-read everything and found nothing new (UnchangedReadings): clean, and no snapshot to build.
                    if (plan.Audit) LogResyncClean();
                    else if (_logger.IsEnabled(LogLevel.Debug)) LogRefreshFoundNothing(string.Join(", ", plan.Reasons));
                    continue;
                }
                // Counters of NAT rules moved and nothing else: patch the rule nodes instead of building every namespace again.
                var snapshot = _built is { } built && _readings is { } before && NatCounterPatch.TryApply(built, before, readings) is { } patched
                    ? patched
                    : TopologyBuilder.Build(readings);
                (_readings, _built) = (readings, snapshot);
                // Before publishing: whoever sees this snapshot also sees the monitor idle (unless asked again).
                _coalescer.Served();
                Interlocked.Increment(ref _snapshotsBuilt);
                if (plan.Audit) AuditResync(snapshot);
                _feed.Publish(snapshot, plan.Reasons);
                _live.Track(readings.Host);
                // A stopped container's namespace is torn down after its last event, and nothing in the host
                // namespace may change when it goes: look once more a little later so it does not linger.
                if (!plan.Containers.IsEmpty || plan.DockerFull)
                    _coalescer.RequestLater(RefreshPlan.ForSweep(ChangeCause.Of("settle")), SettleDelay, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception ex)
            {
                timing?.Failed(ex); // [ops hook]
                // A failed refresh (e.g. an inspect that timed out on a loaded engine) must neither stop the monitor
                // nor lose what it was about: retry the whole plan, re-reading Docker in full, after a backoff
                // (scheduled before the warning is logged, so whoever reacts to the warning finds the retry due).
                _coalescer.RequestLater(RefreshPlan.ForDocker(ChangeCause.Of("retry")).Merge(plan), retry.NextDelay(), ct);
                LogRefreshFailed(ex, string.Join(", ", plan.Reasons));
            }
            finally
            {
                // After _readings is set: a notification judged once the coalescer is idle sees the newest reading.
                // (Served twice is harmless: the second time there is nothing left to count.)
                _coalescer.Served();
            }
        }
    }

    /// <summary>
    /// An RTM_NEWLINK of the host namespace that shows nothing the last reading lacks (a bridge announces each port again
    /// ~15 s after a container starts; a link set to the state it already has) needs no re-read, which at 300 namespaces
    /// costs ~14 ms (discovery, 350 veths, their peers' netns ids). Judged only while no refresh is waiting or under way,
    /// so never against a reading that one about to be published would replace.
    /// </summary>
    private bool AlreadyRead(NetlinkChange change) =>
        change.Link is { } notified && _coalescer.Idle && _readings is { } readings
        && readings.Host.Namespaces.FirstOrDefault(n => n.IsHost) is { } host
        && host.Links.FirstOrDefault(l => l.Index == notified.Index) is { } read
        && UnchangedReadings.NotifiedAsRead(read, notified);

    private Task WatchDockerAsync(CancellationToken ct) =>
        new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), _time).RunWatchAsync(_docker.WatchAsync,
            new WatchHandlers<DockerEvent>(e =>
            {
                _metrics?.OnEvent(TriggerNames.Docker); // [ops hook]
                if (RefreshPlan.ForDockerEvent(e) is { } plan) _coalescer.Request(plan);
            })
            {
                OnEnded = end =>
                {
                    // Logged once per outage, not once per retry, so a stopped engine does not flood the log.
                    if (end.NewOutage) LogDockerStreamLost(end.Failure!.Message);
                    Interlocked.Increment(ref _dockerStreamEnds);
                    // The engine went away or the stream ended: re-read Docker now so the status turns red at once.
                    _coalescer.Request(RefreshPlan.ForDocker(ChangeCause.Of("docker-stream-ended")));
                },
                // Events may have been missed while disconnected: converge with a full Docker read.
                OnRestart = () => _coalescer.Request(RefreshPlan.ForDocker(ChangeCause.Of("docker-stream-reconnecting"))),
            }, ct);

    private Task WatchNetlinkAsync(CancellationToken ct) =>
        new RetryBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), _time).RunWatchAsync(_netlinkChanges.WatchAsync,
            new WatchHandlers<NetlinkChange>(change =>
            {
                _metrics?.OnEvent(TriggerNames.Netlink); // [ops hook]
                if (AlreadyRead(change))
                {
                    Interlocked.Increment(ref _notificationsAlreadyRead);
                    if (_logger.IsEnabled(LogLevel.Debug)) LogNotificationAlreadyRead(change.MessageType, change.Link!.Index);
                    return;
                }
                _coalescer.Request(RefreshPlan.ForHostNamespace(ChangeCause.Of("netlink", change.MessageType)));
            })
            {
                OnEnded = end =>
                {
                    if (end.NewOutage) LogNetlinkWatchFailed(end.Failure!.Message);
                    Interlocked.Increment(ref _hostListenerEnds);
                },
                // Notifications may have been missed while the socket was down: read the host namespace once it is back.
                OnRestart = () => _coalescer.Request(RefreshPlan.ForHostNamespace(ChangeCause.Of("host-listener-reconnecting"))),
            }, ct);

    private Task WatchNamespaceFilesAsync(CancellationToken ct) =>
        _namespaceChanges is null ? Task.CompletedTask
        : new RetryBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), _time).RunWatchAsync(_namespaceChanges.WatchAsync,
            new WatchHandlers<string>(path =>
            {
                _metrics?.OnEvent(TriggerNames.NamespaceFile); // [ops hook]
                _coalescer.Request(RefreshPlan.ForSweep(ChangeCause.Of("netns-file", path)));
            })
            {
                OnEnded = end =>
                {
                    if (end.NewOutage) LogNetlinkWatchFailed(end.Failure!.Message);
                    // The watch ends when a watched folder appeared (it starts over at once, the items reset the
                    // backoff) or when there was nothing to watch (it looks again later, backing off; the periodic
                    // resync covers the gap). A namespace bind-mounted while the watch restarts would be missed:
                    // look once more shortly after.
                    if (end.Items > 0) _coalescer.RequestLater(RefreshPlan.ForSweep(ChangeCause.Of("netns-folder")), SettleDelay, ct);
                },
            }, ct);

    /// <summary>
    /// The safety-net resync: everything every <see cref="NetVizOptions.FullResyncInterval"/>; in between, everything but
    /// what a live event source would have announced: the namespaces with a netlink listener (those without one, or
    /// holding a vxlan device whose forwarding entries no listener reports, are re-read every time) and Docker while its
    /// event stream has not ended. Called by the resync timer only.
    /// </summary>
    private RefreshPlan ResyncPlan()
    {
        if (_live.Namespaces is not { } listeners || _readings is not { } readings
            || _time.GetElapsedTime(_lastFullResync) >= _options.FullResyncInterval)
        {
            _lastFullResync = _time.GetTimestamp();
            return RefreshPlan.ForResync();
        }
        var listened = listeners.ListeningTo.ToHashSet();
        // Docker's event stream announces every container and network change while it is connected; one that ended
        // since the last resync (or an engine that was down) is read again, as is everything at the full resync.
        var streamEnds = Volatile.Read(ref _dockerStreamEnds);
        var dockerAnnounced = readings.Docker.Ok && streamEnds == _dockerStreamEndsAtResync;
        _dockerStreamEndsAtResync = streamEnds;
        // The host namespace has its own listener (a lost notification is an overrun, which re-reads it), read again here
        // only when it ended since the last resync. Namespaces coming and going with processes are told by the process
        // connector watch (which sweeps itself when it restarts or has to poll), files by the folder watch, sandboxes by
        // Docker's events: without the first, look for them here. /proc discovery and the host dump were most of what
        // this resync still cost at 300 namespaces (docs/benchmarks.md).
        var hostEnds = Volatile.Read(ref _hostListenerEnds);
        var hostAnnounced = hostEnds == _hostListenerEndsAtResync;
        _hostListenerEndsAtResync = hostEnds;
        return RefreshPlan.ForResync(readings.Host.Namespaces
            .Where(n => !n.IsHost && (!listened.Contains(n.Inode) || n.Links.Any(l => l.Vxlan is not null)))
            .Select(n => n.Inode), readDocker: !dockerAnnounced, readHost: !hostAnnounced, sweep: _live.Lifecycle is null);
    }

    /// <summary>A trigger on a fixed period (the NAT poll: iptables has no events; the safety-net resync).</summary>
    private async Task EveryAsync(TimeSpan period, string trigger, Func<RefreshPlan> plan, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            if (_readings is null) continue;
            _metrics?.OnEvent(trigger); // [ops hook]
            _coalescer.Request(plan());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh failed ({Reasons}); keeping the previous snapshot")]
    private partial void LogRefreshFailed(Exception ex, string reasons);

    /// <summary>What an idle host still wakes NetViz for (the idle-CPU diagnosis, docs/benchmarks.md).</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh ({Reasons}) found nothing new")]
    private partial void LogRefreshFoundNothing(string reasons);

    /// <summary>The ifindex, not the name: a link's name may hold any byte but '/', ':' and blanks.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Netlink message {MessageType} about ifindex {Ifindex} shows nothing new: not re-read")]
    private partial void LogNotificationAlreadyRead(int messageType, int ifindex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Docker event stream lost: {Reason}. Reconnecting with backoff.")]
    private partial void LogDockerStreamLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching for network changes failed: {Reason}. Retrying with backoff.")]
    private partial void LogNetlinkWatchFailed(string reason);
}
