namespace NetViz.Web.Operations;

/// <summary>Thresholds of the readiness check, under "NetViz:Health" (docs/operations.md).</summary>
public sealed class NetVizHealthOptions
{
    public const string Section = "NetViz:Health";

    /// <summary>
    /// True (default): an unreachable Docker engine makes /readyz Unhealthy (503). False, for hosts that may run
    /// without Docker: only Degraded (200).
    /// </summary>
    public bool DockerRequired { get; set; } = true;

    /// <summary>A trigger waiting this long without a refresh taking it, or a refresh running this long, is a stalled feed.</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The last successful refresh may be at most this old. The periodic resync refreshes every ResyncInterval, so
    /// the check uses at least twice that.
    /// </summary>
    public TimeSpan MaxRefreshAge { get; set; } = TimeSpan.FromMinutes(2);
}
