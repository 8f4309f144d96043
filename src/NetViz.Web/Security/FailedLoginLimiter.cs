using System.Net;

namespace NetViz.Web.Security;

/// <summary>
/// At most <see cref="PermitsPerWindow"/> failed token attempts per client address per <see cref="Window"/>
/// (<see cref="FixedWindowCounter"/>: no background timer). Only failures spend permits: a person who pastes the right
/// login URL is never slowed down.
/// </summary>
public sealed class FailedLoginLimiter(TimeProvider? time = null)
{
    public const int PermitsPerWindow = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly FixedWindowCounter _failures = new(PermitsPerWindow, Window, time);

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";

    /// <summary>True when this address has used up its failed attempts for the current window.</summary>
    public bool IsBlocked(IPAddress? address) => _failures.IsExhausted(Key(address));

    public void RecordFailure(IPAddress? address) => _failures.TryAcquire(Key(address));
}
