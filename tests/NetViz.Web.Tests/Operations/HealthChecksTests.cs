using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core;
using NetViz.Core.Diagnostics;
using NetViz.Core.Model;
using NetViz.Web.Operations;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Operations;

public sealed class HealthChecksTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly NetVizMetrics _metrics;
    private readonly NetVizHealthOptions _health = new() { StallAfter = TimeSpan.FromSeconds(60), MaxRefreshAge = TimeSpan.FromMinutes(2) };
    private readonly NetVizOptions _netviz = new() { ResyncInterval = TimeSpan.FromSeconds(30) };

    public HealthChecksTests() => _metrics = new NetVizMetrics(_services.GetRequiredService<IMeterFactory>(), _time);

    public void Dispose() => _services.Dispose();

    private HealthCheckResult Feed() =>
        new LiveFeedHealthCheck(_metrics, Options.Create(_health), Options.Create(_netviz), _time).CheckHealthAsync(new HealthCheckContext()).Result;

    private HealthCheckResult Source(string source, TopologySnapshot snapshot) =>
        new SourceHealthCheck(source, new FakeTopologyFeed(snapshot), _metrics, Options.Create(_health)).CheckHealthAsync(new HealthCheckContext()).Result;

    private void FirstSnapshot()
    {
        _metrics.StartRefresh(full: true).Completed();
        _metrics.OnSnapshotPublished(SampleTopology.Create());
    }

    [Fact]
    public void The_feed_is_unhealthy_until_the_first_snapshot_then_healthy()
    {
        var before = Feed();
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal("no snapshot built yet", before.Description);
        FirstSnapshot();
        Assert.Equal(HealthStatus.Healthy, Feed().Status);
    }

    [Fact]
    public void An_event_no_refresh_takes_for_longer_than_StallAfter_is_a_stalled_feed()
    {
        FirstSnapshot();
        _metrics.OnEvent(TriggerNames.Docker);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HealthStatus.Healthy, Feed().Status);
        _time.Advance(TimeSpan.FromSeconds(2));
        var stalled = Feed();
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Equal("stalled: changes waiting 61 s for a refresh", stalled.Description);

        // The coalescer takes it: healthy again once the refresh ends.
        _metrics.StartRefresh(full: false).Completed();
        Assert.Equal(HealthStatus.Healthy, Feed().Status);
    }

    [Fact]
    public void A_refresh_that_hangs_is_a_stalled_feed()
    {
        FirstSnapshot();
        _metrics.StartRefresh(full: true);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.StartsWith("stalled: a refresh has been running for 61 s", Feed().Description);
    }

    [Fact]
    public void Failing_refreshes_degrade_until_the_last_success_is_older_than_the_allowed_age()
    {
        FirstSnapshot();
        _time.Advance(TimeSpan.FromSeconds(10));
        _metrics.StartRefresh(full: false).Failed(new TimeoutException());
        Assert.Equal(HealthStatus.Degraded, Feed().Status);

        // MaxRefreshAge 2 min beats 2 x ResyncInterval (1 min).
        _time.Advance(TimeSpan.FromSeconds(111));
        _metrics.StartRefresh(full: false).Failed(new TimeoutException());
        var stale = Feed();
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Equal("stale: last successful refresh 121 s ago", stale.Description);
    }

    [Fact]
    public void A_long_resync_interval_stretches_the_allowed_age()
    {
        _netviz.ResyncInterval = TimeSpan.FromMinutes(5);
        FirstSnapshot();
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HealthStatus.Healthy, Feed().Status);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HealthStatus.Unhealthy, Feed().Status);
    }

    [Fact]
    public void Docker_down_is_unhealthy_with_a_fixed_reason_that_names_no_path()
    {
        FirstSnapshot();
        var error = "Cannot connect to the Docker engine at unix:///srv/secret-engine.sock: No such file or directory. Is dockerd running?";
        var result = Source(SourceNames.Docker, SampleTopology.Create(dockerOk: false, dockerError: error));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("docker: unreachable", result.Description);
        Assert.Equal(SourceErrorKinds.Unreachable, result.Data["error.type"]);

        _health.DockerRequired = false;
        Assert.Equal(HealthStatus.Degraded, Source(SourceNames.Docker, SampleTopology.Create(dockerOk: false, dockerError: error)).Status);
    }

    [Fact]
    public void Nat_down_only_degrades_and_netlink_down_is_unhealthy()
    {
        FirstSnapshot();
        var snapshot = SampleTopology.Create();
        var broken = snapshot with
        {
            Sources = snapshot.Sources with
            {
                Nat = new NatSourceStatus { Ok = false, Backend = null, Error = "iptables-save not found (iptables-save): install iptables to see NAT rules." },
                Netlink = new SourceStatus { Ok = false, Error = "cannot dump the host network namespace (EPERM)" },
            },
        };
        var nat = Source(SourceNames.Nat, broken);
        Assert.Equal(HealthStatus.Degraded, nat.Status);
        Assert.Equal("nat: tool not installed", nat.Description);
        Assert.Equal(HealthStatus.Unhealthy, Source(SourceNames.Netlink, broken).Status);
        Assert.Equal(HealthStatus.Healthy, Source(SourceNames.Docker, broken).Status);
    }

    [Fact]
    public void Sources_are_not_ready_before_the_first_snapshot()
    {
        var result = Source(SourceNames.Docker, SampleTopology.Create());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("docker: not read yet", result.Description);
    }
}
