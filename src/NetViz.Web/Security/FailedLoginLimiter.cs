using System.Net;
using System.Threading.RateLimiting;

namespace NetViz.Web.Security;

/// <summary>
/// At most <see cref="PermitsPerWindow"/> failed token attempts per client address per <see cref="Window"/>
/// (System.Threading.RateLimiting, the limiter ASP.NET Core's rate-limiting middleware is built on). Only failures
/// spend permits: a person who pastes the right login URL is never slowed down.
/// </summary>
public sealed class FailedLoginLimiter : IDisposable
{
    public const int PermitsPerWindow = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PermitsPerWindow,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";

    /// <summary>True when this address has used up its failed attempts for the current window.</summary>
    public bool IsBlocked(IPAddress? address) => _failures.GetStatistics(Key(address))?.CurrentAvailablePermits <= 0;

    public void RecordFailure(IPAddress? address)
    {
        using var lease = _failures.AttemptAcquire(Key(address));
    }

    public void Dispose() => _failures.Dispose();
}
