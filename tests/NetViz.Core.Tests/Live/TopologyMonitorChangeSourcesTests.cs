using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;

namespace NetViz.Core.Tests.Live;

/// <summary>
/// The monitor with the issue-8 change sources (fakes): what each trigger re-reads, and the resync audit. Time is a
/// <see cref="FakeTimeProvider"/>: periods are the real ones (seconds), and a test moves the clock while it waits.
/// </summary>
public sealed class TopologyMonitorChangeSourcesTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeHostSource _host = new(LessonTopology.HostView());
    private readonly FakeDockerSource _docker = new(LessonTopology.Docker());
    private readonly CountingNatSource _nat = new(LessonTopology.Nat());
    private readonly FakeNamespaceListeners _listeners = new();
    private readonly FakeLifecycle _lifecycle = new();
    private readonly FakeNatChanges _natChanges = new();
    private readonly ListLogger<TopologyMonitor> _log = new();
    private readonly FakeNetlinkChanges _hostNetlink = new();
    private TopologyMonitor? _monitor;

    /// <summary>Starts the monitor; returns the feed it publishes to.</summary>
    private async Task<TopologyBroadcaster> StartAsync(NetVizOptions? options = null)
    {
        options ??= new NetVizOptions { ResyncInterval = TimeSpan.FromHours(1), NatPollInterval = TimeSpan.Zero, NatCounterInterval = TimeSpan.Zero };
        var feed = new TopologyBroadcaster(options.SubscriberBufferSize);
        _monitor = new TopologyMonitor(new TopologyCollector(_host, _docker, _nat, _time), feed, _docker, _hostNetlink,
            Options.Create(options), _log, _time, live: new LiveChangeSources(_listeners, _lifecycle, _natChanges));
        await _monitor.StartAsync(CancellationToken.None);
        await feed.FirstSnapshot.WaitAsync(Patience);
        return feed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_monitor is null) return;
        await _monitor.StopAsync(CancellationToken.None);
        _monitor.Dispose();
    }

    private void ChangeNamespace(ulong inode, Func<NetworkNamespaceView, NetworkNamespaceView> change) =>
        _host.View = _host.View with { Namespaces = [.. _host.View.Namespaces.Select(n => n.Inode == inode ? change(n) : n)] };

    private static LinkInfo Eth1 => new() { Index = 6, Name = "eth1", Type = "veth", Up = true };

    private ulong[][] Partials()
    {
        lock (_host.PartialCollections) return [.. _host.PartialCollections];
    }

    [Fact]
    public async Task A_change_announced_in_one_namespace_re_reads_that_namespace_alone_and_the_listeners_learn_the_namespaces()
    {
        var monitor = await StartAsync();
        await WaitUntil(() => _listeners.Tracked is not null);
        Assert.Equal(_host.View.Namespaces.Select(n => n.Inode).Order(), _listeners.Tracked!.Namespaces.Select(n => n.Inode).Order());

        ChangeNamespace(LessonTopology.Web, n => n with { Links = [.. n.Links, Eth1] });
        _listeners.Batches.Writer.TryWrite(new NamespaceChangeBatch([LessonTopology.Web], ChangeCause.Of("netns-netlink", "RTM_NEWLINK", LessonTopology.Web)));

        await WaitUntil(() => monitor.Current.Nodes.Any(n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Web, 6)));
        Assert.Equal([[LessonTopology.Web]], Partials());
        Assert.Equal(0, _docker.Inspections);
    }

    [Fact]
    public async Task A_network_connect_re_reads_the_namespace_of_the_container_that_kept_it()
    {
        var monitor = await StartAsync();
        ChangeNamespace(LessonTopology.Web, n => n with { Links = [.. n.Links, Eth1] });
        _docker.Events.Writer.TryWrite(new DockerEvent("network", "connect", LessonTopology.BridgeNetId,
            ImmutableDictionary<string, string>.Empty.Add("container", LessonTopology.WebId)));

        await WaitUntil(() => monitor.Current.Nodes.Any(n => n.Id == TopologyBuilder.InterfaceId(LessonTopology.Web, 6)));
        Assert.Contains(Partials(), p => p.SequenceEqual(new[] { LessonTopology.Host, LessonTopology.Web }.Order()));
    }

    [Fact]
    public async Task A_namespace_that_died_with_its_process_goes_on_a_lifecycle_signal_and_a_new_one_comes_on_a_sweep()
    {
        var monitor = await StartAsync();
        var none = TopologyBuilder.NetnsId(LessonTopology.None);
        Assert.Contains(monitor.Current.Nodes, n => n.Id == none);

        _host.View = _host.View with { Namespaces = [.. _host.View.Namespaces.Where(n => n.Inode != LessonTopology.None)] };
        _lifecycle.Signals.Writer.TryWrite(new NamespaceLifecycleSignal([LessonTopology.None], ChangeCause.Of("process-holder-exited", 42, LessonTopology.None)));
        await WaitUntil(() => monitor.Current.Nodes.All(n => n.Id != none));

        const ulong anonymous = 4026539999;
        _host.View = _host.View with
        {
            Namespaces = [.. _host.View.Namespaces, new NetworkNamespaceView { Inode = anonymous, IsHost = false, Pids = [77], Links = [LessonTopology.Lo], Addresses = [], Routes = [] }],
        };
        _lifecycle.Signals.Writer.TryWrite(new NamespaceLifecycleSignal([], ChangeCause.Of("process-exec-unknown-netns", 77, anonymous)));
        await WaitUntil(() => monitor.Current.Nodes.Any(n => n.Id == TopologyBuilder.NetnsId(anonymous)));
        // The sweep re-read no known namespace (only the new one, which RefreshNamespacesAsync reads as unknown).
        Assert.Contains(Partials(), p => p.Length == 0);
        await WaitUntil(() => _lifecycle.Tracked?.Namespaces.Any(n => n.Inode == anonymous) == true);
    }

    [Fact]
    public async Task Nat_rules_are_read_when_nftables_says_they_changed_and_not_polled()
    {
        var monitor = await StartAsync();
        await WaitUntil(() => _natChanges.Watches == 1);
        var readsBefore = _nat.Reads;
        var rule = new NatRule { Table = "nat", Chain = "NVTEST", Position = 1, Target = "RETURN", Rule = "-A NVTEST -s 10.99.0.0/24 -j RETURN" };
        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules, rule] };
        _natChanges.Changes.Writer.TryWrite(new RulesetChange(2));

        await WaitUntil(() => monitor.Current.Nodes.Any(n => n is NatRuleNode { Chain: "NVTEST" }));
        Assert.InRange(_nat.Reads - readsBefore, 1, 2); // the notification's read (and possibly the one when listening started)
    }

    [Fact]
    public async Task On_the_legacy_backend_the_rules_are_polled()
    {
        _nat.View = _nat.View with { Backend = "iptables-legacy" };
        var monitor = await StartAsync(new NetVizOptions { ResyncInterval = TimeSpan.FromHours(1), NatPollInterval = TimeSpan.FromSeconds(2), NatCounterInterval = TimeSpan.Zero });
        var rule = new NatRule { Table = "nat", Chain = "NVLEGACY", Position = 1, Target = "RETURN", Rule = "-A NVLEGACY -j RETURN" };
        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules, rule] };

        await WaitUntil(() => monitor.Current.Nodes.Any(n => n is NatRuleNode { Chain: "NVLEGACY" }));
        Assert.Equal(0, _natChanges.Watches);
    }

    [Fact]
    public async Task Counters_are_refreshed_only_while_someone_is_subscribed()
    {
        var monitor = await StartAsync(new NetVizOptions { ResyncInterval = TimeSpan.FromHours(1), NatPollInterval = TimeSpan.Zero, NatCounterInterval = TimeSpan.FromSeconds(1) });
        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Packets = r.Packets + 1000 })] };
        static long Packets(TopologySnapshot s) => s.Nodes.OfType<NatRuleNode>().Sum(n => n.Packets);
        var before = Packets(monitor.Current);
        var readsBefore = _nat.Reads;

        // Fifteen counter intervals with nobody looking: no read for counters.
        for (var i = 0; i < 150; i++)
        {
            _time.Advance(Step);
            await Task.Delay(2);
        }
        Assert.Equal(readsBefore, _nat.Reads);
        Assert.Equal(before, Packets(monitor.Current));

        using var subscription = monitor.Subscribe();
        await WaitUntil(() => Packets(monitor.Current) == before + 1000 * _nat.View.Rules.Length);
    }

    [Fact]
    public async Task A_resync_that_finds_what_no_event_announced_logs_a_warning_naming_it_and_a_clean_one_does_not()
    {
        var monitor = await StartAsync(new NetVizOptions
        {
            ResyncInterval = TimeSpan.FromSeconds(10), FullResyncInterval = TimeSpan.FromSeconds(10), NatPollInterval = TimeSpan.Zero, NatCounterInterval = TimeSpan.Zero,
        });
        await WaitUntil(() => _log.Entries.Count(e => e.Message.Contains("found nothing")) >= 2);
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Warning);

        ChangeNamespace(LessonTopology.Web, n => n with { Links = [.. n.Links, Eth1] }); // and no event says so
        var eth1 = TopologyBuilder.InterfaceId(LessonTopology.Web, 6);
        await WaitUntil(() => _log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains(eth1)));
        await WaitUntil(() => monitor.Current.Nodes.Any(n => n.Id == eth1)); // the safety net still fixes it (published after the warning)
    }

    [Fact]
    public async Task Between_full_resyncs_a_namespace_with_a_listener_is_not_re_read_and_the_full_one_still_catches_what_no_event_said()
    {
        var monitor = await StartAsync(new NetVizOptions
        {
            ResyncInterval = TimeSpan.FromSeconds(10), FullResyncInterval = TimeSpan.FromSeconds(45), NatPollInterval = TimeSpan.Zero, NatCounterInterval = TimeSpan.Zero,
        });
        await WaitUntil(() => _listeners.Tracked is not null);
        var fullReads = _host.FullCollections;
        var dockerReads = _docker.FullCollections;
        var natReads = _nat.Reads;
        var partials = Partials().Length;
        var eth1 = TopologyBuilder.InterfaceId(LessonTopology.Web, 6);
        ChangeNamespace(LessonTopology.Web, n => n with { Links = [.. n.Links, Eth1] }); // and no event says so

        // The resyncs at 10, 20, 30 and 40 s re-read NAT (this source cannot tell whether its rules changed) and nothing
        // else: every namespace has a listener (the host's its own), the process connector watch tells namespaces coming
        // and going, and Docker's event stream has not ended.
        await WaitUntil(() => _nat.Reads >= natReads + 4);
        Assert.Equal(partials, Partials().Length);
        Assert.Equal(fullReads, _host.FullCollections);
        Assert.Equal(dockerReads, _docker.FullCollections);
        Assert.DoesNotContain(monitor.Current.Nodes, n => n.Id == eth1);

        // The full resync (at 50 s, the first after 45 s) reads every namespace and finds it, with a warning.
        await WaitUntil(() => monitor.Current.Nodes.Any(n => n.Id == eth1));
        Assert.Equal(fullReads + 1, _host.FullCollections);
        Assert.Equal(dockerReads + 1, _docker.FullCollections);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(eth1));

        // The event stream ends (the engine restarting): the next light resync reads Docker again (besides the re-read the end asks for).
        _docker.Events.Writer.TryWrite(new DockerEvent("fail", "", "", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty));
        await WaitUntil(() => _docker.FullCollections >= dockerReads + 3);
    }

    [Fact]
    public async Task When_the_host_listener_ends_the_host_namespace_is_read_on_reconnect_and_at_the_next_light_resync_only()
    {
        await StartAsync(new NetVizOptions
        {
            ResyncInterval = TimeSpan.FromSeconds(10), FullResyncInterval = TimeSpan.FromMinutes(10), NatPollInterval = TimeSpan.Zero, NatCounterInterval = TimeSpan.Zero,
        });
        await WaitUntil(() => _listeners.Tracked is not null);
        var natReads = _nat.Reads;
        await WaitUntil(() => _nat.Reads >= natReads + 1); // a light resync while the listener is up: no host read
        Assert.DoesNotContain(Partials(), p => p.Contains(LessonTopology.Host));

        _hostNetlink.FailNext = true;
        _hostNetlink.Changes.Writer.TryWrite(new NetlinkChange(16)); // wakes the watch, which fails as a dropped socket would
        await WaitUntil(() => Partials().Count(p => p.SequenceEqual([LessonTopology.Host])) >= 2); // the reconnect, then the resync
        var afterEnd = _nat.Reads;
        var hostReads = Partials().Count(p => p.Contains(LessonTopology.Host));
        await WaitUntil(() => _nat.Reads >= afterEnd + 2); // two more light resyncs: the listener has not ended again
        Assert.Equal(hostReads, Partials().Count(p => p.Contains(LessonTopology.Host)));
    }

    /// <summary>Moves the fake clock a step at a time (letting the monitor's loops run between steps) until the condition holds.</summary>
    private async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (!condition())
        {
            cts.Token.ThrowIfCancellationRequested();
            _time.Advance(Step);
            await Task.Delay(5, cts.Token);
        }
    }
}
