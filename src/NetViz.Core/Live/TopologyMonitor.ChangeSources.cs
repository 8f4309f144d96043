using Microsoft.Extensions.Logging;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Live;

// Live everywhere (issue 8): the triggers that make a change inside any namespace, a namespace coming and going with
// its process, and a NAT rule change reach the snapshot without waiting for the periodic resync, which then only audits.
public sealed partial class TopologyMonitor
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

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
    private async Task KeepWatchingAsync<T>(string what, Func<CancellationToken, IAsyncEnumerable<T>> watch, Func<T, RefreshPlan> toPlan, CancellationToken ct)
    {
        var backoff = FirstRetry;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var item in watch(ct).ConfigureAwait(false))
                {
                    backoff = FirstRetry;
                    _triggers.Writer.TryWrite(toPlan(item));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                LogChangeSourceFailed(what, ex.Message);
            }
            // It may have missed something while down: look for new and vanished namespaces once it is back.
            _triggers.Writer.TryWrite(RefreshPlan.ForSweep($"{what} restarting"));
            await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastRetry.Ticks));
        }
    }

    /// <summary>
    /// Reads the NAT rules when they changed (nftables notifications; a poll on the legacy backend) and their counters
    /// on a slower cadence while someone is subscribed; a read that finds something new becomes a refresh.
    /// </summary>
    private async Task WatchNatAsync(CancellationToken ct)
    {
        await FirstSnapshot.WaitAsync(ct).ConfigureAwait(false);
        var schedule = new NatRefreshSchedule(_live.Nat, _options.NatPollInterval, _options.NatCounterInterval, _time, _logger);
        await foreach (var _ in schedule.WatchAsync(() => _readings?.Nat.Backend, () => SubscriberCount > 0, ct).ConfigureAwait(false))
        {
            var previous = _readings?.Nat;
            if (previous is null) continue;
            var nat = await _collector.Nat.CollectAsync(ct).ConfigureAwait(false);
            if (!SameNat(previous, nat)) _triggers.Writer.TryWrite(RefreshPlan.ForNat(nat));
        }
    }

    /// <summary>A periodic resync should find nothing: what it does find, the events missed. Say so loudly.</summary>
    private void AuditResync(TopologySnapshot resynced)
    {
        if (!_firstSnapshot.Task.IsCompleted) return;
        if (ResyncAudit.Describe(Current, resynced) is { } missed) LogResyncFoundChanges(missed);
        else LogResyncClean();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Periodic resync found changes that no event announced (a missed event): {Missed}")]
    private partial void LogResyncFoundChanges(string missed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Periodic resync found nothing the events had missed")]
    private partial void LogResyncClean();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change source '{What}' failed: {Reason}. Restarting it with backoff.")]
    private partial void LogChangeSourceFailed(string what, string reason);
}
