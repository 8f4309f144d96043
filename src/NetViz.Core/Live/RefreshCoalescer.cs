using System.Threading.Channels;
using NetViz.Core.Collection;

namespace NetViz.Core.Live;

/// <summary>
/// Gathers refresh triggers into plans. The window opens with the first trigger of a plan (by the injected
/// <see cref="TimeProvider"/>): everything requested before it closes is merged, so a burst of events costs one read
/// and one snapshot, and a trigger never waits longer than the window.
/// </summary>
public sealed class RefreshCoalescer(TimeSpan window, TimeProvider time)
{
    private readonly Channel<(RefreshPlan Plan, long At)> _requests =
        Channel.CreateUnbounded<(RefreshPlan, long)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Asks for a refresh.</summary>
    public void Request(RefreshPlan plan) => _requests.Writer.TryWrite((plan, time.GetTimestamp()));

    /// <summary>Asks for a refresh after <paramref name="delay"/> (nothing happens if cancelled first).</summary>
    public void RequestLater(RefreshPlan plan, TimeSpan delay, CancellationToken cancellationToken) =>
        _ = Task.Delay(delay, time, cancellationToken).ContinueWith(
            _ => Request(plan), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>
    /// Waits for a trigger, then until the window after it has passed (not at all with <paramref name="withoutWindow"/>),
    /// and returns every trigger requested meanwhile as one plan.
    /// </summary>
    public async Task<RefreshPlan> NextAsync(bool withoutWindow, CancellationToken cancellationToken)
    {
        var (plan, at) = await _requests.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var left = window - time.GetElapsedTime(at);
        if (!withoutWindow && left > TimeSpan.Zero) await Task.Delay(left, time, cancellationToken).ConfigureAwait(false);
        while (_requests.Reader.TryRead(out var more)) plan = plan.Merge(more.Plan);
        return plan;
    }
}
