using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NetViz.Core;
using NetViz.Core.Diagnostics;
using NetViz.Core.Live;

namespace NetViz.Web.Operations;

// Readiness checks. They read state the monitor already keeps (no source is asked anything), so a probe costs
// nothing, and they say only status words, source names and ages: never a container, interface, address or message,
// so /readyz can be answered without login.

/// <summary>
/// The live feed: a first snapshot was built, triggers do not wait for a refresh that never comes (a stalled
/// coalescer), no refresh hangs, and the last successful refresh is recent.
/// </summary>
public sealed class LiveFeedHealthCheck(NetVizMetrics metrics, IOptions<NetVizHealthOptions> health, IOptions<NetVizOptions> netviz, TimeProvider time)
    : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check(metrics.Feed, time.GetUtcNow()));

    private HealthCheckResult Check(LiveFeedState feed, DateTimeOffset now)
    {
        var options = health.Value;
        var maxAge = TimeSpan.FromTicks(Math.Max(options.MaxRefreshAge.Ticks, 2 * netviz.Value.ResyncInterval.Ticks));
        if (feed.FirstSnapshotAt is null)
            return HealthCheckResult.Unhealthy("no snapshot built yet");
        if (feed.OldestUnservedEventAt is { } waiting && now - waiting > options.StallAfter)
            return HealthCheckResult.Unhealthy($"stalled: changes waiting {Seconds(now - waiting)} for a refresh");
        if (feed.RefreshStartedAt is { } started && now - started > options.StallAfter)
            return HealthCheckResult.Unhealthy($"stalled: a refresh has been running for {Seconds(now - started)}");
        var age = feed.LastSuccessAt is { } last ? now - last : (TimeSpan?)null;
        if (age is null || age > maxAge)
            return HealthCheckResult.Unhealthy($"stale: last successful refresh {(age is null ? "never" : Seconds(age.Value) + " ago")}");
        if (feed.ConsecutiveFailures > 0)
            return HealthCheckResult.Degraded($"the last {feed.ConsecutiveFailures} refresh(es) failed; last success {Seconds(age.Value)} ago");
        return HealthCheckResult.Healthy($"last refresh {Seconds(age.Value)} ago");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
}

/// <summary>
/// One source of the current snapshot (Docker, netlink, NAT). Docker and netlink failing is Unhealthy (the picture
/// misses containers or every link); NAT failing is Degraded (the graph stands without its rules).
/// </summary>
public sealed class SourceHealthCheck(string source, ITopologyFeed feed, NetVizMetrics metrics, IOptions<NetVizHealthOptions> health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (metrics.Feed.FirstSnapshotAt is null)
            return Task.FromResult(HealthCheckResult.Unhealthy($"{source}: not read yet"));
        var sources = feed.Current.Sources;
        var result = source switch
        {
            SourceNames.Docker when !sources.Docker.Ok => Failed(SourceErrorKinds.OfDockerError(sources.Docker.Error),
                health.Value.DockerRequired ? HealthStatus.Unhealthy : HealthStatus.Degraded),
            SourceNames.Netlink when !sources.Netlink.Ok => Failed(SourceErrorKinds.Unreadable, HealthStatus.Unhealthy),
            SourceNames.Nat when !sources.Nat.Ok => Failed(SourceErrorKinds.OfNatError(sources.Nat.Error), HealthStatus.Degraded),
            _ => HealthCheckResult.Healthy($"{source}: ok"),
        };
        return Task.FromResult(result);
    }

    private HealthCheckResult Failed(string kind, HealthStatus status) =>
        new(status, $"{source}: {SourceErrorKinds.Describe(kind)}", data: new Dictionary<string, object> { ["error.type"] = kind });
}
