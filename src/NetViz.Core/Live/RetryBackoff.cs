namespace NetViz.Core.Live;

/// <summary>
/// The one retry schedule of every loop that must outlive a failing source (the Docker event stream, the netlink
/// listener, the namespace-folder watch, a failed refresh): the first wait is <c>initial</c>, each further wait without
/// progress doubles up to <c>max</c>, and progress (<see cref="Reset"/>) starts over from <c>initial</c>.
/// Waits run on the injected <see cref="TimeProvider"/>, so tests move time by hand. Not thread-safe: one per loop.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly TimeProvider _time;
    private TimeSpan _next;

    public RetryBackoff(TimeSpan initial, TimeSpan max, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        (_initial, _max, _time, _next) = (initial, max, time, initial);
    }

    /// <summary>The wait the next <see cref="NextDelay"/> will hand out.</summary>
    public TimeSpan Upcoming => _next;

    /// <summary>Progress was made: the next wait is the initial one again.</summary>
    public void Reset() => _next = _initial;

    /// <summary>The wait before the next attempt; the one after it is twice as long, up to the maximum.</summary>
    public TimeSpan NextDelay()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _max.Ticks));
        return delay;
    }

    /// <summary>Starts the next wait now (the timer is registered before this returns).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(NextDelay(), _time, cancellationToken);

    /// <summary>
    /// Runs a watch (a stream that ends or throws when its source goes away) until cancelled: every item resets the
    /// backoff and goes to <see cref="WatchHandlers{T}.OnItem"/>; when the stream ends, <see cref="WatchHandlers{T}.OnEnded"/>
    /// says how, and the watch starts over after the next wait, calling <see cref="WatchHandlers{T}.OnRestart"/> first.
    /// </summary>
    public async Task RunWatchAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> watch, WatchHandlers<T> handlers, CancellationToken cancellationToken)
    {
        var failing = false;
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            if (attempt > 0) handlers.OnRestart?.Invoke();
            var items = 0;
            Exception? failure = null;
            try
            {
                await foreach (var item in watch(cancellationToken).ConfigureAwait(false))
                {
                    if (items++ == 0)
                    {
                        Reset();
                        failing = false;
                    }
                    handlers.OnItem(item);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception ex) { failure = ex; }
            if (cancellationToken.IsCancellationRequested) return;
            // The wait is registered before anyone hears of the end, so a test that reacts to OnEnded by moving
            // the clock always moves it past this wait.
            var wait = WaitAsync(cancellationToken);
            handlers.OnEnded?.Invoke(new WatchEnd(items, failure, NewOutage: failure is not null && !failing));
            failing |= failure is not null;
            try { await wait.ConfigureAwait(false); }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
        }
    }
}

/// <summary>What a watch loop does with its stream (see <see cref="RetryBackoff.RunWatchAsync{T}"/>).</summary>
public sealed record WatchHandlers<T>(Action<T> OnItem)
{
    /// <summary>The stream ended (completed or threw); the next attempt follows after the backoff.</summary>
    public Action<WatchEnd>? OnEnded { get; init; }

    /// <summary>Before every attempt but the first, e.g. to converge with what was missed while disconnected.</summary>
    public Action? OnRestart { get; init; }
}

/// <param name="Items">Items the ended attempt yielded.</param>
/// <param name="Failure">Why it ended, or null when the stream completed.</param>
/// <param name="NewOutage">The first failure since the last item: log it once, not once per retry.</param>
public readonly record struct WatchEnd(int Items, Exception? Failure, bool NewOutage);
