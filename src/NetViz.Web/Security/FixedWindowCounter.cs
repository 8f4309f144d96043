namespace NetViz.Web.Security;

/// <summary>
/// At most <c>permitsPerWindow</c> permits per key (a client address) per window, the window starting at the key's first
/// permit. Counted when asked, with no timer: System.Threading.RateLimiting's partitioned limiter (what ASP.NET Core's
/// rate-limiting middleware is built on) wakes a thread-pool thread every 100 ms for as long as the app runs (its
/// heartbeat, dotnet/runtime#118112), which on an idle dashboard was a large share of its CPU (docs/benchmarks.md).
/// Bounded: at most <see cref="MaxKeys"/> keys are remembered; expired windows are dropped first.
/// </summary>
public sealed class FixedWindowCounter(int permitsPerWindow, TimeSpan window, TimeProvider? time = null)
{
    public const int MaxKeys = 10_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Start, int Used)> _windows = new(StringComparer.Ordinal);

    public TimeSpan Window => window;

    /// <summary>Takes a permit; false (and nothing taken) when the key has used up its window.</summary>
    public bool TryAcquire(string key)
    {
        lock (_gate)
        {
            var (start, used) = Current(key);
            if (used >= permitsPerWindow) return false;
            _windows[key] = (start, used + 1);
            return true;
        }
    }

    /// <summary>True when the key has no permit left in its current window.</summary>
    public bool IsExhausted(string key)
    {
        lock (_gate) return Current(key).Used >= permitsPerWindow;
    }

    /// <summary>The key's window now (a new one when it had none or it expired). Caller holds the gate.</summary>
    private (long Start, int Used) Current(string key)
    {
        var now = _time.GetTimestamp();
        if (_windows.TryGetValue(key, out var current) && _time.GetElapsedTime(current.Start, now) < window) return current;
        if (_windows.Count >= MaxKeys && !_windows.ContainsKey(key))
        {
            foreach (var expired in _windows.Where(w => _time.GetElapsedTime(w.Value.Start, now) >= window).Select(w => w.Key).ToList())
                _windows.Remove(expired);
            // Still full of live windows (a flood from as many addresses): forget them rather than grow without bound.
            if (_windows.Count >= MaxKeys) _windows.Clear();
        }
        return (now, 0);
    }
}

/// <summary>The login page's own cap per address: <see cref="PermitsPerWindow"/> requests a minute.</summary>
public sealed record LoginPageLimiter(FixedWindowCounter Counter)
{
    public const int PermitsPerWindow = 30;
}
