using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetViz.Core.Sources.Namespaces;

namespace NetViz.Core.Sources.Netlink;

/// <summary>
/// <see cref="INamespaceNetlinkSource"/>: one NETLINK_ROUTE multicast socket in every known namespace but the host's.
/// Each socket is created inside its namespace on the dedicated <see cref="NamespaceSocketThread"/> (setns, socket,
/// setns back) and stays there for its whole life; all of them are read by one <see cref="NetlinkListenerThread"/>.
/// Listeners follow <see cref="Track"/>: opened for namespaces that appear, closed for those that go. Listening sends
/// nothing. Note: an open socket holds a reference to its namespace, so a namespace NetViz listens to is freed by the
/// kernel only once the next refresh has retired it (tens of milliseconds after its last holder went).
/// </summary>
public sealed partial class NamespaceNetlinkListeners : INamespaceNetlinkSource, IDisposable
{
    public const int DefaultMaxListeners = 4096;

    // linux/rtnetlink.h enum rtnetlink_groups: links, neighbours (for vxlan FDB entries), IPv4/IPv6 addresses and
    // routes, netns ids.
    private static readonly int[] Groups = [1 /* LINK */, 3 /* NEIGH */, 5 /* IPV4_IFADDR */, 7 /* IPV4_ROUTE */, 9 /* IPV6_IFADDR */, 11 /* IPV6_ROUTE */, 28 /* NSID */];

    private readonly int _maxListeners;
    private readonly ILogger _logger;
    private readonly NetlinkListenerThread _reader;
    private readonly NamespaceSocketThread _entry = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<bool> _reconcileWake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _changesWake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _pendingGate = new();
    private readonly Dictionary<ulong, ChangeCause> _pending = [];
    private readonly ConcurrentQueue<ulong> _failed = new();
    private readonly Task _reconciler;

    // Owned by the reconciler loop.
    private readonly Dictionary<ulong, NetlinkListenerThread.Registration> _open = [];
    /// <summary>Namespaces that could not be entered, with the paths tried: retried only when the snapshot knows other paths.</summary>
    private readonly Dictionary<ulong, ImmutableArray<string>> _unopenable = [];
    private bool _capWarned;

    private HostNetworkView? _desired;
    private volatile ulong[] _listening = [];

    /// <param name="maxListeners">Sockets at most; namespaces beyond it are left to the periodic resync, with a warning.</param>
    /// <param name="logger">Where the cap warning goes.</param>
    public NamespaceNetlinkListeners(int maxListeners = DefaultMaxListeners, ILogger<NamespaceNetlinkListeners>? logger = null)
    {
        _maxListeners = Math.Max(0, maxListeners);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // No batching pause: route notifications are rare and the monitor coalesces them itself.
        _reader = new NetlinkListenerThread("NetViz netns listeners", TimeSpan.Zero);
        _reconciler = Task.Run(() => ReconcileLoopAsync(_stop.Token));
    }

    public int ListenerCount => _reader.Count;

    /// <summary>Inodes of the namespaces with a listener, as of the last adjustment to <see cref="Track"/>.</summary>
    public IReadOnlyCollection<ulong> ListeningTo => _listening;

    public void Track(HostNetworkView host)
    {
        Volatile.Write(ref _desired, host);
        _reconcileWake.Writer.TryWrite(true);
    }

    public async IAsyncEnumerable<NamespaceChangeBatch> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = _changesWake.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.TryRead(out _);
            ulong[] inodes;
            ChangeCause reason;
            lock (_pendingGate)
            {
                if (_pending.Count == 0) continue;
                inodes = [.. _pending.Keys];
                var first = _pending.First().Value;
                reason = first.AndMoreNamespaces(_pending.Count - 1);
                _pending.Clear();
            }
            yield return new NamespaceChangeBatch(inodes, reason);
        }
    }

    private void MarkStale(ulong inode, ChangeCause reason)
    {
        lock (_pendingGate) _pending.TryAdd(inode, reason);
        _changesWake.Writer.TryWrite(true);
    }

    private async Task ReconcileLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _reconcileWake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _reconcileWake.Reader.TryRead(out _);
                if (Interlocked.Exchange(ref _desired, null) is not { } host) continue;
                try
                {
                    await ReconcileAsync(host).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    LogReconcileFailed(_logger, e.Message);
                }
                _listening = [.. _open.Keys];
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReconcileAsync(HostNetworkView host)
    {
        while (_failed.TryDequeue(out var failed))
            if (_open.Remove(failed, out var gone)) gone.Dispose();

        var wanted = new Dictionary<ulong, NetworkNamespaceView>();
        foreach (var ns in host.Namespaces)
            if (!ns.IsHost && ns.Inode != host.HostInode) wanted[ns.Inode] = ns;

        foreach (var inode in _open.Keys.Where(i => !wanted.ContainsKey(i)).ToList())
        {
            _open.Remove(inode, out var registration);
            registration!.Dispose();
        }
        foreach (var inode in _unopenable.Keys.Where(i => !wanted.ContainsKey(i)).ToList()) _unopenable.Remove(inode);

        var candidates = wanted.Values
            .Where(n => !_open.ContainsKey(n.Inode) && !(_unopenable.TryGetValue(n.Inode, out var tried) && tried.SequenceEqual(n.Paths)))
            .ToList();
        var room = _maxListeners - _open.Count;
        if (candidates.Count > room)
        {
            if (!_capWarned)
                LogCapReached(_logger, _maxListeners, candidates.Count - room);
            _capWarned = true;
            candidates = candidates.Take(Math.Max(0, room)).ToList();
        }
        else
        {
            _capWarned = false;
        }
        if (candidates.Count == 0) return;

        var targets = new List<(ulong Inode, int NamespaceFd)>(candidates.Count);
        foreach (var ns in candidates)
        {
            var fd = NetlinkHostNetworkSource.OpenNamespace(new DiscoveredNamespace(ns.Inode, ns.IsHost, ns.Name, ns.Paths, ns.Pids), out var failure);
            if (fd >= 0)
            {
                targets.Add((ns.Inode, fd));
                continue;
            }
            _unopenable[ns.Inode] = ns.Paths;
            // Its paths no longer lead to it: the pid it was found through moved on (`ip netns add` runs inside each
            // namespace it creates for a moment) or it vanished. A re-read finds its current paths, or drops it.
            if (failure?.Contains("permission denied", StringComparison.Ordinal) != true)
                MarkStale(ns.Inode, ChangeCause.Of("netns-listener-vanished", ns.Inode));
        }
        if (targets.Count == 0) return;

        int[] sockets;
        try
        {
            sockets = await _entry.OpenSocketsAsync([.. targets.Select(t => t.NamespaceFd)]).ConfigureAwait(false);
        }
        finally
        {
            foreach (var t in targets) LibC.Close(t.NamespaceFd);
        }
        for (var i = 0; i < targets.Count; i++)
        {
            var inode = targets[i].Inode;
            var socket = sockets[i];
            if (socket < 0)
            {
                _unopenable[inode] = wanted[inode].Paths;
                continue;
            }
            var error = LibC.JoinNetlinkGroups(socket, Groups);
            if (error != 0)
            {
                LibC.Close(socket);
                _unopenable[inode] = wanted[inode].Paths;
                LogJoinFailed(_logger, inode, LibC.ErrnoName(error));
                continue;
            }
            _open[inode] = _reader.Add(socket, new Listener(this, inode));
            // The namespace was read before this socket listened: a change in between would be lost, so read it once more.
            MarkStale(inode, ChangeCause.Of("netns-listener-opened", inode));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reconcileWake.Writer.TryComplete();
        try
        {
            _reconciler.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _reader.Dispose(); // closes every socket
        _entry.Dispose();
        _changesWake.Writer.TryComplete();
        _stop.Dispose();
    }

    private static string TypeName(ushort type) => type switch
    {
        NetlinkParser.RTM_NEWLINK => "RTM_NEWLINK",
        NetlinkParser.RTM_DELLINK => "RTM_DELLINK",
        NetlinkParser.RTM_NEWADDR => "RTM_NEWADDR",
        NetlinkParser.RTM_DELADDR => "RTM_DELADDR",
        NetlinkParser.RTM_NEWROUTE => "RTM_NEWROUTE",
        NetlinkParser.RTM_DELROUTE => "RTM_DELROUTE",
        NetlinkParser.RTM_NEWNEIGH => "RTM_NEWNEIGH (vxlan FDB)",
        NetlinkParser.RTM_DELNEIGH => "RTM_DELNEIGH (vxlan FDB)",
        NetlinkParser.RTM_NEWNSID => "RTM_NEWNSID",
        RTM_DELNSID => "RTM_DELNSID",
        _ => $"netlink message {type}",
    };

    private const ushort RTM_DELNSID = 89;

    /// <summary>The change a datagram announces, or null when it carries nothing we draw.</summary>
    internal static ushort? Relevant(ReadOnlySpan<byte> datagram)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            if (message.Type is NetlinkParser.RTM_NEWLINK or NetlinkParser.RTM_DELLINK or NetlinkParser.RTM_NEWADDR or NetlinkParser.RTM_DELADDR
                or NetlinkParser.RTM_NEWROUTE or NetlinkParser.RTM_DELROUTE or NetlinkParser.RTM_NEWNSID or RTM_DELNSID
                || NetlinkParser.IsTunnelEndpointChange(message))
                return message.Type;
        }
        return null;
    }

    private sealed class Listener(NamespaceNetlinkListeners owner, ulong inode) : INetlinkDatagramSink
    {
        public void OnDatagram(ReadOnlySpan<byte> datagram)
        {
            if (Relevant(datagram) is { } type) owner.MarkStale(inode, ChangeCause.Of("netns-netlink", TypeName(type), inode));
        }

        public void OnOverrun() => owner.MarkStale(inode, ChangeCause.Of("netns-netlink-overrun", inode));

        public void OnFailed(int errno)
        {
            owner._failed.Enqueue(inode);
            owner.MarkStale(inode, ChangeCause.Of("netns-listener-failed", LibC.ErrnoName(errno), inode));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Namespace listeners capped at {Max}: {Over} namespaces have no netlink listener and update only at the periodic resync (NetViz:MaxNamespaceListeners)")]
    private static partial void LogCapReached(ILogger logger, int max, int over);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not listen in netns {Inode}: joining the rtnetlink groups failed with {Error}")]
    private static partial void LogJoinFailed(ILogger logger, ulong inode, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Namespace listeners could not be updated: {Reason}")]
    private static partial void LogReconcileFailed(ILogger logger, string reason);
}
