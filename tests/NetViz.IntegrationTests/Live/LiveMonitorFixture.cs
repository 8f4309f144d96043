using NetViz.Core.Sources.Namespaces;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetViz.Core;
using NetViz.Core.Collection;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.Core.Sources.Processes;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Live;

/// <summary>
/// A real <see cref="TopologyMonitor"/> over the real sources, with the safety-net resync pushed out to an hour and the
/// NAT poll and counter refresh off, so every change a test sees must have come through events (Docker, netlink in
/// every namespace, the process connector, nftables notifications).
/// Containers are named nvlive-* and labelled netviz.test=nvlive; other test objects are named nvlive-* / NVLIVE-*.
/// </summary>
public sealed class LiveMonitorFixture : IAsyncLifetime
{
    public const string Label = "netviz.test=nvlive";
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly NetlinkHostNetworkSource _host = new();
    private readonly DockerEngineSource _docker = new();
    private readonly NamespaceLifecycleWatch _lifecycle = new();
    public NamespaceNetlinkListeners Listeners { get; } = new();
    public TopologyMonitor Monitor { get; }
    /// <summary>What the monitor publishes: the feed every subscriber of the app reads.</summary>
    public TopologyBroadcaster Feed { get; } = new(bufferSize: 64);
    public TopologyCollector Collector { get; }

    public LiveMonitorFixture()
    {
        Collector = new TopologyCollector(_host, _docker, new IptablesNatSource(), TimeProvider.System);
        Monitor = new TopologyMonitor(Collector, Feed, _docker, new NetlinkChangeSource(),
            Options.Create(new NetVizOptions { ResyncInterval = TimeSpan.FromHours(1), NatPollInterval = TimeSpan.Zero, NatCounterInterval = TimeSpan.Zero }),
            NullLogger<TopologyMonitor>.Instance, TimeProvider.System, new NamespaceDirectoryWatcher(),
            live: new LiveChangeSources(Listeners, _lifecycle, new NftablesChangeSource()));
    }

    public async Task InitializeAsync()
    {
        DockerCli.RequireEngine();
        CleanUp();
        LiveEverywhereTests.RemoveTestObjects();
        await Monitor.StartAsync(CancellationToken.None);
        await Feed.FirstSnapshot.WaitAsync(Patience);
    }

    public async Task DisposeAsync()
    {
        CleanUp();
        LiveEverywhereTests.RemoveTestObjects();
        await Monitor.StopAsync(CancellationToken.None);
        Monitor.Dispose();
        Listeners.Dispose();
        _host.Dispose();
        _docker.Dispose();
    }

    /// <summary>Everything the nvlive tests create, leftovers of an interrupted run included.</summary>
    public static void CleanUp()
    {
        DockerCli.RemoveLabelled(Label);
        foreach (var link in new[] { "nvlive0", "nvlive2" }) DockerCli.Run("ip", "link", "del", link);
        DockerCli.Run("ip", "netns", "del", "nvlive-ns");
    }

    /// <summary>
    /// The live snapshot (built from events only: the resync is an hour away) converges to a fresh collection, apart
    /// from what changes without events (counters, pids): nothing was missed. Fails with the difference.
    /// </summary>
    public async Task AssertNoMissedEventsAsync()
    {
        string? missed = null;
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < Patience)
        {
            var fresh = await Collector.CollectAsync(CancellationToken.None);
            missed = ResyncAudit.Describe(Feed.Current, fresh);
            if (missed is null) return;
            await Task.Delay(300);
        }
        throw new Xunit.Sdk.XunitException($"The live snapshot still differs from a fresh collection: {missed}");
    }

    /// <summary>Waits until the monitor's current snapshot satisfies the condition; fails with what it last saw.</summary>
    public Task<TopologySnapshot> WaitForAsync(Func<TopologySnapshot, bool> condition, string what) => WaitForAsync(Feed, condition, what);

    /// <inheritdoc cref="WaitForAsync(Func{TopologySnapshot, bool}, string)"/>
    public static Task<TopologySnapshot> WaitForAsync(ITopologyFeed feed, Func<TopologySnapshot, bool> condition, string what) =>
        Eventually.PassesAsync($"waiting for: {what}", () =>
        {
            var current = feed.Current;
            Assert.True(condition(current), $"not yet in snapshot {feed.Sequence}");
            return Task.FromResult(current);
        }, Patience);
}

/// <summary>These tests create and remove containers and watch for every change: nothing else runs beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection : ICollectionFixture<LiveMonitorFixture>
{
    public const string Name = "nvlive monitor";
}
