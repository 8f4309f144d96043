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
    /// <summary>Requests waiting or taken by the plan under way, not yet <see cref="Served"/>.</summary>
    private int _unserved;
    /// <summary>How many requests the last plan of <see cref="NextAsync"/> merged (its single reader's own).</summary>
    private int _taken;

    /// <summary>Asks for a refresh.</summary>
    public void Request(RefreshPlan plan)
    {
        Interlocked.Increment(ref _unserved);
        _requests.Writer.TryWrite((plan, time.GetTimestamp()));
    }

    /// <summary>
    /// No refresh is waiting or under way: the last readings are the newest there will be until something asks again.
    /// (Delayed requests count once they are due.)
    /// </summary>
    public bool Idle => Volatile.Read(ref _unserved) == 0;

    /// <summary>The plan last returned by <see cref="NextAsync"/> is done (built, published, or failed).</summary>
    public void Served() => Interlocked.Add(ref _unserved, -Interlocked.Exchange(ref _taken, 0));

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
        var taken = 1;
        var left = window - time.GetElapsedTime(at);
        if (!withoutWindow && left > TimeSpan.Zero) await Task.Delay(left, time, cancellationToken).ConfigureAwait(false);
        while (_requests.Reader.TryRead(out var more))
        {
            plan = plan.Merge(more.Plan);
            taken++;
        }
        Interlocked.Add(ref _taken, taken);
        return plan;
    }
}
