using System.Collections.Immutable;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Processes;

namespace NetViz.Core.Tests.Sources.Processes;

public sealed class NamespaceLifecycleWatchTests
{
    private const ulong Host = 4026531840, Anonymous = 4026532001, Named = 4026532002, Unknown = 4026532999;
    private readonly Dictionary<int, ulong> _namespaceOfPid = new() { [10] = Host, [20] = Anonymous, [30] = Unknown, [31] = Unknown };

    private NamespaceLifecycleWatch Create(Func<int>? openConnector = null, TimeSpan? fallback = null)
    {
        var watch = new NamespaceLifecycleWatch(TimeSpan.Zero, fallback, TimeProvider.System, null,
            pid => _namespaceOfPid.TryGetValue(pid, out var inode) ? inode : null, openConnector ?? (() => -93));
        watch.Track(new HostNetworkView
        {
            Ok = true, Error = null, HostInode = Host,
            Namespaces =
            [
                Namespace(Host, isHost: true, pids: [1, 10]),
                Namespace(Anonymous, isHost: false, pids: [20, 21]),
                Namespace(Named, isHost: false, pids: []),
            ],
        });
        return watch;
    }

    private static NetworkNamespaceView Namespace(ulong inode, bool isHost, ImmutableArray<int> pids) => new()
    {
        Inode = inode, IsHost = isHost, Pids = pids, Links = [], Addresses = [], Routes = [],
    };

    private static ProcessEvent Exit(int pid) => new(ProcessEventKind.Exit, pid, pid);
    private static ProcessEvent Exec(int pid) => new(ProcessEventKind.Exec, pid, pid);

    [Fact]
    public void The_exit_of_a_namespace_holder_asks_for_that_namespace_only()
    {
        var watch = Create();
        watch.Observe(Exit(21));
        var signal = watch.TakePending();
        Assert.NotNull(signal);
        Assert.Equal([Anonymous], signal.Inodes);
        Assert.Contains("21", signal.Reason.Text);
        Assert.Null(watch.TakePending());
    }

    [Fact]
    public void Exits_that_cannot_end_a_namespace_ask_for_nothing()
    {
        var watch = Create();
        watch.Observe(Exit(10));                                     // a host process: the host never dies
        watch.Observe(Exit(4242));                                   // not a holder
        watch.Observe(new ProcessEvent(ProcessEventKind.Exit, 22, 20)); // a thread of a holder, not the process
        Assert.Null(watch.TakePending());
    }

    [Fact]
    public void An_exec_in_a_known_namespace_asks_for_nothing_and_one_in_an_unknown_namespace_asks_for_a_sweep_once()
    {
        var watch = Create();
        watch.Observe(Exec(10));
        watch.Observe(Exec(20));
        watch.Observe(Exec(4242)); // already gone: its namespace cannot be read
        Assert.Null(watch.TakePending());

        watch.Observe(Exec(30));
        var sweep = watch.TakePending();
        Assert.NotNull(sweep);
        Assert.Empty(sweep.Inodes);
        Assert.Contains(Unknown.ToString(), sweep.Reason.Text);

        // A second process in the same new namespace right after: it was just asked about.
        watch.Observe(Exec(31));
        Assert.Null(watch.TakePending());
    }

    [Fact]
    public void A_process_that_entered_an_unknown_namespace_and_exits_before_the_snapshot_knows_it_asks_for_that_namespace()
    {
        var watch = Create();
        watch.Observe(Exec(30));
        watch.TakePending();
        // The sweep may have read the namespace while pid 30 lived, and the snapshot not yet list it as a holder.
        watch.Observe(Exit(30));
        var signal = watch.TakePending();
        Assert.NotNull(signal);
        Assert.Equal([Unknown], signal.Inodes);
    }

    [Fact]
    public async Task Without_the_process_connector_it_sweeps_periodically()
    {
        var watch = Create(openConnector: () => -93 /* EPROTONOSUPPORT */, fallback: TimeSpan.FromMilliseconds(20));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var signals = 0;
        await foreach (var signal in watch.WatchAsync(cts.Token))
        {
            Assert.Empty(signal.Inodes);
            Assert.Contains("no process connector", signal.Reason.Text);
            if (++signals == 3) break;
        }
        Assert.False(watch.ConnectorListening);
    }
}
