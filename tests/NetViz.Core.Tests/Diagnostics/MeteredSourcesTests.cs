using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Collection;
using NetViz.Core.Diagnostics;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Tests.Correlation;
using NetViz.Core.Tests.Live;

namespace NetViz.Core.Tests.Diagnostics;

public sealed class MeteredSourcesTests : IAsyncDisposable
{
    private static readonly string Nowhere = $"unix:///tmp/netviz-no-engine-{Guid.NewGuid():N}.sock";
    private readonly ServiceProvider _services;
    private readonly FakeDockerSource _docker = new(LessonTopology.Docker());
    private readonly FakeNatSource _nat = new(LessonTopology.Nat());

    public MeteredSourcesTests()
    {
        var services = new ServiceCollection().AddMetrics();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddNetVizCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NetViz:DockerHost"] = Nowhere,
        }).Build());
        services.AddNetVizMetrics();
        _services = services.BuildServiceProvider();
    }

    private MetricCollector<T> Collect<T>(string instrument) where T : struct =>
        new(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NetVizMetrics.MeterName, instrument);

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task AddNetVizMetrics_wraps_the_registered_sources_and_an_engine_that_is_not_there_counts_as_unreachable()
    {
        using var errors = Collect<long>(MetricNames.SourceErrors);
        using var durations = Collect<double>(MetricNames.SourceCollectionDuration);
        var docker = _services.GetRequiredService<IDockerSource>();
        Assert.IsNotType<DockerEngineSource>(docker);

        // A real DockerEngineSource on a socket path that does not exist: its own words, classified.
        var view = await docker.CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.Equal(Nowhere, view.Endpoint);
        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal(SourceNames.Docker, error.Tags["netviz.source"]);
        Assert.Equal(SourceErrorKinds.Unreachable, error.Tags["error.type"]);
        var duration = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal("collect", duration.Tags["netviz.collection.operation"]);
        Assert.Equal(SourceErrorKinds.Unreachable, duration.Tags["error.type"]);
    }

    [Fact]
    public async Task A_nat_read_times_the_call_and_reports_the_rule_counts_of_each_table()
    {
        var time = new FakeTimeProvider();
        var metrics = new NetVizMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), time);
        using var durations = Collect<double>(MetricNames.SourceCollectionDuration);
        using var rules = Collect<int>(MetricNames.NatRules);
        var nat = new MeteredNatSource(new SlowNat(_nat, time, TimeSpan.FromMilliseconds(30)), metrics, time);

        var view = await nat.CollectAsync(CancellationToken.None);

        Assert.Equal(0.03, Assert.Single(durations.GetMeasurementSnapshot()).Value, 6);
        rules.RecordObservableInstruments();
        var byTable = rules.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["netviz.nat.table"]!, m => m.Value);
        Assert.Equal(view.Rules.Length, byTable["nat"]);
        Assert.Equal(view.FilterRules.Length, byTable["filter"]);
        Assert.Equal(LessonTopology.Nat().Rules.Length, byTable["nat"]);
    }

    [Fact]
    public async Task A_broken_event_stream_is_counted_as_lost_and_still_thrown_to_the_monitor()
    {
        using var errors = Collect<long>(MetricNames.SourceErrors);
        var metrics = _services.GetRequiredService<NetVizMetrics>();
        var docker = new MeteredDockerSource(_docker, metrics, TimeProvider.System);
        _docker.Emit("container", "start", LessonTopology.WebId);
        _docker.Events.Writer.TryWrite(new DockerEvent("fail", "", "", new Dictionary<string, string>()));

        var seen = new List<DockerEvent>();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var e in docker.WatchAsync(CancellationToken.None)) seen.Add(e);
        });

        Assert.Equal(LessonTopology.WebId, Assert.Single(seen).ActorId);
        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal(SourceErrorKinds.StreamLost, error.Tags["error.type"]);
    }

    [Theory]
    [InlineData("iptables-save not found (iptables-save): install iptables to see NAT rules.", SourceErrorKinds.NotFound)]
    [InlineData("/usr/sbin/iptables-save -c exited with code 1: iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root) Reading iptables rules needs root or the CAP_NET_ADMIN capability.", SourceErrorKinds.PermissionDenied)]
    [InlineData("/usr/sbin/iptables-save -c exited with code 2: (no error output). Reading iptables rules needs root or the CAP_NET_ADMIN capability.", SourceErrorKinds.ExitCode)]
    [InlineData("/usr/sbin/iptables-save -c did not finish within 5 s.", SourceErrorKinds.Timeout)]
    public void Nat_errors_are_classified_from_the_words_of_IptablesNatSource(string error, string kind) =>
        Assert.Equal(kind, SourceErrorKinds.OfNatError(error));

    [Fact]
    public async Task A_missing_iptables_save_is_classified_as_not_found()
    {
        var view = await new IptablesNatSource("/nonexistent/netviz-iptables-save").CollectAsync(CancellationToken.None);
        Assert.False(view.Ok);
        Assert.Equal(SourceErrorKinds.NotFound, SourceErrorKinds.OfNatError(view.Error));
    }

    /// <summary>Advances the fake clock while "reading", as a slow iptables-save would take time.</summary>
    private sealed class SlowNat(INatSource inner, FakeTimeProvider time, TimeSpan takes) : INatSource
    {
        public async Task<NatView> CollectAsync(CancellationToken cancellationToken)
        {
            time.Advance(takes);
            return await inner.CollectAsync(cancellationToken);
        }
    }
}
