using Microsoft.Extensions.Logging;
using NetViz.Core.Collection;
using NetViz.Core.Diagnostics;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Live;

// Live everywhere (issue 8): the triggers that make a change inside any namespace, a namespace coming and going with
// its process, and a NAT rule change reach the snapshot without waiting for the periodic resync, which then only audits.
public sealed partial class TopologyMonitor
{
    private Task WatchNamespaceSourcesAsync(CancellationToken ct) => Task.WhenAll(
        _live.Namespaces is { } listeners
            ? KeepWatchingAsync("namespace netlink listeners", listeners.WatchAsync,
                batch => RefreshPlan.ForNamespaces(batch.Inodes, batch.Reason), ct)
            : Task.CompletedTask,
        _live.Lifecycle is { } lifecycle
            ? KeepWatchingAsync("process events", lifecycle.WatchAsync,
                // Re-reading namespaces re-discovers them all too, so a signal with inodes is also a sweep.
                signal => signal.Inodes.Count == 0 ? RefreshPlan.ForSweep(signal.Reason) : RefreshPlan.ForNamespaces(signal.Inodes, signal.Reason), ct)
            : Task.CompletedTask);

    /// <summary>Turns every item of a change source into a refresh plan; restarts the source with backoff when it fails.</summary>
    private Task KeepWatchingAsync<T>(string what, Func<CancellationToken, IAsyncEnumerable<T>> watch, Func<T, RefreshPlan> toPlan, CancellationToken ct) =>
        new RetryBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), _time).RunWatchAsync(watch,
            new WatchHandlers<T>(item =>
            {
                _metrics?.OnEvent(TriggerNames.Netlink); // [ops hook]
                _coalescer.Request(toPlan(item));
            })
            {
                OnEnded = end =>
                {
                    if (end.NewOutage && end.Failure is { } failure) LogChangeSourceFailed(what, failure.Message);
                    // It may have missed something while down: look for new and vanished namespaces once it is back.
                    _coalescer.Request(RefreshPlan.ForSweep(ChangeCause.Of("source-restarting", what)));
                },
            }, ct);

    /// <summary>
    /// Reads the NAT rules when they changed (nftables notifications; a poll on the legacy backend) and their counters
    /// on a slower cadence while someone is subscribed; the collector builds a snapshot only when the read differs.
    /// </summary>
    private async Task WatchNatAsync(CancellationToken ct)
    {
        await _feed.FirstSnapshot.WaitAsync(ct).ConfigureAwait(false);
        var schedule = new NatRefreshSchedule(_live.Nat, _options.NatPollInterval, _options.NatCounterInterval, _time, _logger);
        await foreach (var due in schedule.WatchAsync(() => _readings?.Nat.Backend, () => _feed.SubscriberCount > 0, ct).ConfigureAwait(false))
        {
            _metrics?.OnEvent(TriggerNames.NatPoll); // [ops hook]
            _coalescer.Request(due.CountersOnly ? RefreshPlan.ForNatCounters(due.Reason) : RefreshPlan.ForNat(due.Reason));
        }
    }

    /// <summary>A periodic resync should find nothing: what it does find, the events missed. Say so loudly.</summary>
    private void AuditResync(TopologySnapshot resynced)
    {
        if (_feed.Sequence == 0) return;
        if (ResyncAudit.Describe(_feed.Current, resynced) is { } missed) LogResyncFoundChanges(missed);
        else LogResyncClean();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Periodic resync found changes that no event announced (a missed event): {Missed}")]
    private partial void LogResyncFoundChanges(string missed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Periodic resync found nothing the events had missed")]
    private partial void LogResyncClean();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change source '{What}' failed: {Reason}. Restarting it with backoff.")]
    private partial void LogChangeSourceFailed(string what, string reason);
}
