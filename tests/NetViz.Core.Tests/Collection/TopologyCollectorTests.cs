using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;
using NetViz.Core.Tests.Live;

namespace NetViz.Core.Tests.Collection;

/// <summary>The incremental refresh: what a plan re-reads, and how the partial reads are merged into the previous readings.</summary>
public sealed class TopologyCollectorTests
{
    private readonly FakeHostSource _host = new(LessonTopology.HostView());
    private readonly FakeDockerSource _docker = new(LessonTopology.Docker());
    private readonly FakeNatSource _nat = new(LessonTopology.Nat());
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-28T10:00:00Z"));
    private readonly TopologyCollector _collector;

    public TopologyCollectorTests() => _collector = new TopologyCollector(_host, _docker, _nat, _time);

    [Fact]
    public async Task Without_previous_readings_or_for_a_full_plan_everything_is_read()
    {
        var first = await _collector.RefreshAsync(RefreshPlan.ForContainer(LessonTopology.WebId, ChangeCause.Said("x")), null, default);
        await _collector.RefreshAsync(RefreshPlan.ForFull(ChangeCause.Said("resync")), first, default);
        Assert.Equal((2, 2, 2), (_host.FullCollections, _docker.FullCollections, _nat.Collections));
        Assert.Equal(0, _docker.Inspections);
    }

    [Fact]
    public async Task A_container_plan_inspects_it_and_rereads_the_host_and_the_namespace_it_left()
    {
        var previous = await _collector.ReadAllAsync(default);
        _docker.View = _docker.View with { Containers = [.. _docker.View.Containers.Where(c => c.Id != LessonTopology.DbId)] };
        _host.View = _host.View with { Namespaces = [.. _host.View.Namespaces.Where(n => n.Inode != LessonTopology.Db)] };
        _time.Advance(TimeSpan.FromSeconds(3));

        var next = await _collector.RefreshAsync(RefreshPlan.ForContainer(LessonTopology.DbId, ChangeCause.Said("destroy")), previous, default);

        Assert.Equal(1, _docker.Inspections);
        Assert.Equal(1, _docker.FullCollections);
        Assert.Equal(1, _nat.Collections); // not asked for: the previous reading stays
        Assert.Same(previous.Nat, next.Nat);
        Assert.Equal([LessonTopology.Host, LessonTopology.Db], Assert.Single(_host.PartialCollections));
        Assert.DoesNotContain(next.Docker.Containers, c => c.Id == LessonTopology.DbId);
        Assert.DoesNotContain(next.Host.Namespaces, n => n.Inode == LessonTopology.Db);
        // Untouched namespaces keep their previous reading (same object), the host's is the fresh one.
        Assert.Same(previous.Host.Namespaces.Single(n => n.Inode == LessonTopology.Web), next.Host.Namespaces.Single(n => n.Inode == LessonTopology.Web));
        Assert.Equal(_time.GetUtcNow(), next.CollectedAt);
        // And the merge equals a fresh read.
        var fresh = TopologyBuilder.Build(await _collector.ReadAllAsync(default));
        Assert.Equal(fresh.Nodes.Select(n => n.Id).Order(), TopologyBuilder.Build(next).Nodes.Select(n => n.Id).Order());
    }

    [Fact]
    public async Task A_sweep_reads_only_new_namespaces_and_drops_vanished_ones()
    {
        var previous = await _collector.ReadAllAsync(default);
        const ulong added = 4026539999;
        var namespaces = _host.View.Namespaces.Where(n => n.Inode != LessonTopology.None).ToList();
        namespaces.Add(new NetworkNamespaceView { Inode = added, IsHost = false, Name = "nvtest", Links = [LessonTopology.Lo], Addresses = [], Routes = [] });
        _host.View = _host.View with { Namespaces = [.. namespaces] };

        var next = await _collector.RefreshAsync(RefreshPlan.ForSweep(ChangeCause.Said("namespace file")), previous, default);

        Assert.Empty(Assert.Single(_host.PartialCollections)); // nothing known was stale
        Assert.Contains(next.Host.Namespaces, n => n.Inode == added && n.Name == "nvtest");
        Assert.DoesNotContain(next.Host.Namespaces, n => n.Inode == LessonTopology.None);
        Assert.Same(previous.Docker, next.Docker);
    }

    [Fact]
    public async Task A_nat_poll_that_finds_the_same_rules_returns_the_previous_readings_and_a_changed_one_only_new_rules()
    {
        var previous = await _collector.ReadAllAsync(default);
        _nat.View = _nat.View with { }; // an equal reading, another object

        Assert.Same(previous, await _collector.RefreshAsync(RefreshPlan.ForNat(ChangeCause.Said("poll")), previous, default));

        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Bytes = r.Bytes + 1 })] };
        var next = await _collector.RefreshAsync(RefreshPlan.ForNat(ChangeCause.Said("poll")), previous, default);
        Assert.NotSame(previous, next);
        Assert.Same(_nat.View, next.Nat);
        Assert.Same(previous.Host, next.Host);
        Assert.Same(previous.Docker, next.Docker);
    }

    [Fact]
    public async Task A_light_resync_reads_the_rules_only_when_they_may_have_changed_else_only_their_counters()
    {
        var previous = await _collector.ReadAllAsync(default);
        _nat.RulesChanged = false;
        _nat.CountersView = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Packets = r.Packets + 5 })] };

        var quiet = await _collector.RefreshAsync(RefreshPlan.ForResync([], readDocker: false), previous, default);
        Assert.Equal((1, 1, 1), (_nat.Collections, _nat.ChangeChecks, _nat.CounterReads)); // no rule read: the counters
        Assert.Same(_nat.CountersView, quiet.Nat);

        _nat.RulesChanged = true;
        await _collector.RefreshAsync(RefreshPlan.ForResync([], readDocker: false), quiet, default);
        Assert.Equal((2, 2, 1), (_nat.Collections, _nat.ChangeChecks, _nat.CounterReads)); // moved: the rules read again

        // The full resync reads everything without asking.
        await _collector.RefreshAsync(RefreshPlan.ForResync(), quiet, default);
        Assert.Equal((3, 2, 1), (_nat.Collections, _nat.ChangeChecks, _nat.CounterReads));
    }

    [Fact]
    public async Task A_counter_refresh_reads_the_counters_and_the_rules_only_when_the_counters_cannot_be_had()
    {
        var previous = await _collector.ReadAllAsync(default);
        _nat.CountersView = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { Bytes = r.Bytes + 64 })] };

        var counted = await _collector.RefreshAsync(RefreshPlan.ForNatCounters(ChangeCause.Of("packet-counters")), previous, default);
        Assert.Equal((1, 1, 0), (_nat.Collections, _nat.CounterReads, _nat.ChangeChecks));
        Assert.Same(_nat.CountersView, counted.Nat);

        _nat.CountersView = null; // legacy backend, a generation that moved, a dump that does not fit
        await _collector.RefreshAsync(RefreshPlan.ForNatCounters(ChangeCause.Of("packet-counters")), counted, default);
        Assert.Equal((2, 2), (_nat.Collections, _nat.CounterReads));

        // A rule read due in the same plan wins: no counter read first.
        await _collector.RefreshAsync(RefreshPlan.ForNatCounters(ChangeCause.Of("packet-counters")).Merge(RefreshPlan.ForNat(ChangeCause.Said("changed"))), counted, default);
        Assert.Equal((3, 2), (_nat.Collections, _nat.CounterReads));
    }

    [Fact]
    public async Task Container_events_while_the_engine_was_down_read_docker_in_full()
    {
        var down = await _collector.ReadAllAsync(default) with
        {
            Docker = new DockerView { Ok = false, Endpoint = "unix:///var/run/docker.sock", Error = "connection refused" },
        };
        var next = await _collector.RefreshAsync(RefreshPlan.ForContainer(LessonTopology.WebId, ChangeCause.Said("start")), down, default);
        Assert.True(next.Docker.Ok);
        Assert.Equal(LessonTopology.Docker().Containers.Length, next.Docker.Containers.Length);
        Assert.Equal(0, _docker.Inspections);
    }
    /// <summary>What a fresh read of unchanged namespaces gives: equal values in new objects (arrays included).</summary>
    private static HostNetworkView Reread(HostNetworkView view, Func<NetworkNamespaceView, NetworkNamespaceView>? change = null) => view with
    {
        Namespaces = [.. view.Namespaces.Select(n => (change ?? (x => x))(n with
        {
            Links = [.. n.Links.Select(l => l with { })], Addresses = [.. n.Addresses.Select(a => a with { })], Routes = [.. n.Routes.Select(r => r with { })],
            Paths = [.. n.Paths], Pids = [.. n.Pids], NsIdToInode = n.NsIdToInode.ToImmutableDictionary(),
        }))],
    };

    private static NetworkNamespaceView TrafficIn(NetworkNamespaceView n) =>
        n with { Links = [.. n.Links.Select(l => l with { Counters = new LinkCounters(100, 90, 64_000, 51_000, 0, 0, 0, 0) })] };

    [Fact]
    public async Task A_light_resync_that_finds_nothing_but_moved_interface_counters_returns_the_previous_readings()
    {
        var previous = await _collector.ReadAllAsync(default);
        _host.View = Reread(_host.View, n => n.Inode is LessonTopology.Host or LessonTopology.Web ? TrafficIn(n) : n);
        _docker.View = _docker.View with { Containers = [.. _docker.View.Containers.Select(c => c with { })] };
        _nat.View = _nat.View with { Rules = [.. _nat.View.Rules.Select(r => r with { })] };
        _time.Advance(TimeSpan.FromSeconds(30));

        var next = await _collector.RefreshAsync(RefreshPlan.ForResync([LessonTopology.Web], readDocker: true), previous, default);

        Assert.Equal(2, _docker.FullCollections); // Docker, the host namespace and the unlistened one were read again...
        Assert.Same(previous, next);              // ...and nothing was new: no snapshot to build
    }

    [Fact]
    public async Task A_full_resync_brings_moved_interface_counters_up_to_date()
    {
        var previous = await _collector.ReadAllAsync(default);
        _host.View = Reread(_host.View, n => n.Inode == LessonTopology.Web ? TrafficIn(n) : n);
        _time.Advance(TimeSpan.FromMinutes(5));

        var next = await _collector.RefreshAsync(RefreshPlan.ForResync(), previous, default);

        Assert.Equal(2, _host.FullCollections);
        // The snapshot's totals are never older than the full resync: the truth is what the source reads now.
        var web = next.Host.Namespaces.Single(n => n.Inode == LessonTopology.Web);
        Assert.Equal(_host.View.Namespaces.Single(n => n.Inode == LessonTopology.Web).Links, web.Links);
        Assert.NotEqual(previous.Host.Namespaces.Single(n => n.Inode == LessonTopology.Web).Links, web.Links);
        foreach (var ns in next.Host.Namespaces.Where(n => n.Inode != LessonTopology.Web))
            Assert.Same(previous.Host.Namespaces.Single(p => p.Inode == ns.Inode), ns);
    }

    [Fact]
    public async Task A_resync_catches_a_change_in_one_namespace_and_keeps_the_readings_of_the_others()
    {
        var previous = await _collector.ReadAllAsync(default);
        var missed = new AddressInfo { Index = 5, Family = 4, Address = "10.45.0.2", PrefixLength = 24, Scope = "global" };
        _host.View = Reread(_host.View, n => n.Inode switch
        {
            LessonTopology.Db => n with { Addresses = [.. n.Addresses, missed] }, // an event that never came
            LessonTopology.Web => TrafficIn(n),
            _ => n,
        });

        var next = await _collector.RefreshAsync(RefreshPlan.ForResync(), previous, default);

        Assert.NotSame(previous, next);
        Assert.Same(previous.Docker, next.Docker);
        Assert.Same(previous.Nat, next.Nat);
        foreach (var ns in next.Host.Namespaces.Where(n => n.Inode is not (LessonTopology.Db or LessonTopology.Web)))
            Assert.Same(previous.Host.Namespaces.Single(p => p.Inode == ns.Inode), ns);
        Assert.Contains(missed, next.Host.Namespaces.Single(n => n.Inode == LessonTopology.Db).Addresses);
        // The truth: a snapshot of everything read from scratch shows the same graph (apart from the counters it is allowed to lag on).
        var truth = TopologyBuilder.Build(await _collector.ReadAllAsync(default));
        Assert.Null(NetViz.Core.Live.ResyncAudit.Describe(TopologyBuilder.Build(next), truth));
        Assert.NotNull(NetViz.Core.Live.ResyncAudit.Describe(TopologyBuilder.Build(previous), truth));
    }

    [Fact]
    public async Task A_namespace_reread_that_finds_only_moved_counters_changes_nothing_and_a_real_change_is_taken()
    {
        var previous = await _collector.ReadAllAsync(default);
        _host.View = Reread(_host.View, n => n.Inode == LessonTopology.Web ? TrafficIn(n) : n);

        Assert.Same(previous, await _collector.RefreshAsync(RefreshPlan.ForNamespaces([LessonTopology.Web], ChangeCause.Said("netlink")), previous, default));

        _host.View = Reread(_host.View, n => n.Inode == LessonTopology.Web ? n with { Links = [.. n.Links.Select(l => l with { Up = false })] } : n);
        var next = await _collector.RefreshAsync(RefreshPlan.ForNamespaces([LessonTopology.Web], ChangeCause.Said("netlink")), previous, default);
        Assert.All(next.Host.Namespaces.Single(n => n.Inode == LessonTopology.Web).Links, l => Assert.False(l.Up));
        Assert.Same(previous.Host.Namespaces.Single(n => n.Inode == LessonTopology.Db), next.Host.Namespaces.Single(n => n.Inode == LessonTopology.Db));
    }
}
