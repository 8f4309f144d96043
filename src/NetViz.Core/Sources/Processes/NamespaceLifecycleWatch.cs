using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Processes;

/// <summary>
/// <see cref="INamespaceLifecycleSource"/> over the process connector. A namespace without a bind mount lives as long
/// as a process is in it, and no netlink message in any namespace says when one appears or dies. So:
/// <list type="bullet">
/// <item>an exec in a namespace not known (one readlink of /proc/PID/ns/net) asks for a re-discovery: that is how
/// <c>unshare --net CMD</c> and a container's first process show up;</item>
/// <item>the exit of a process known to hold a namespace (its pids in the snapshot, or a process seen exec'ing into an
/// unknown one) asks for that namespace to be re-read, which drops it if it is gone.</item>
/// </list>
/// Everything else (thousands of execs and exits a second during a build) costs a parse, a dictionary lookup and,
/// for execs, a readlink. Signals are throttled to one per <c>minInterval</c>. Without the connector (not root,
/// a container) it falls back to a re-discovery every <c>fallbackInterval</c>.
/// </summary>
public sealed partial class NamespaceLifecycleWatch : INamespaceLifecycleSource
{
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromMilliseconds(150);
    public static readonly TimeSpan DefaultFallbackInterval = TimeSpan.FromSeconds(2);

    /// <summary>Wake-ups of the reader during a storm: at most one per this (its socket queues the rest meanwhile).</summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);

    /// <summary>An unknown namespace is asked about once per this, even if many processes exec in it.</summary>
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(2);

    private const int MaxNewcomers = 4096;

    private readonly TimeSpan _minInterval;
    private readonly TimeSpan _fallbackInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<int, ulong?> _namespaceOfPid;
    private readonly Func<int> _openConnector;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();

    private volatile KnownNamespaces _known = KnownNamespaces.Empty;

    // Guarded by _gate: what to signal next, and what was seen of processes in namespaces not yet known.
    private readonly HashSet<ulong> _pendingInodes = [];
    private bool _pendingSweep;
    private ChangeCause? _pendingReason;
    private readonly Dictionary<ulong, long> _askedAt = [];
    private readonly Dictionary<int, ulong> _newcomers = [];

    public NamespaceLifecycleWatch(TimeSpan? minInterval = null, TimeSpan? fallbackInterval = null, TimeProvider? time = null,
        ILogger<NamespaceLifecycleWatch>? logger = null)
        : this(minInterval, fallbackInterval, time, logger, ReadNamespaceOfPid, ProcessConnector.Open)
    {
    }

    internal NamespaceLifecycleWatch(TimeSpan? minInterval, TimeSpan? fallbackInterval, TimeProvider? time, ILogger? logger,
        Func<int, ulong?> namespaceOfPid, Func<int> openConnector)
    {
        _minInterval = minInterval ?? DefaultMinInterval;
        _fallbackInterval = fallbackInterval is { } f && f > TimeSpan.Zero ? f : DefaultFallbackInterval;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _namespaceOfPid = namespaceOfPid;
        _openConnector = openConnector;
    }

    /// <summary>True while the process connector is delivering (false before WatchAsync runs, and in fallback mode).</summary>
    public bool ConnectorListening { get; private set; }

    /// <summary>Process events looked at so far (for the benchmark's cost figures).</summary>
    public long EventsSeen => Interlocked.Read(ref _eventsSeen);
    private long _eventsSeen;
    private int _connectorFailure;

    public void Track(HostNetworkView host)
    {
        var inodes = new HashSet<ulong>();
        var holders = new Dictionary<int, ulong>();
        foreach (var ns in host.Namespaces)
        {
            inodes.Add(ns.Inode);
            // The host namespace never dies with a process.
            if (ns.IsHost || ns.Inode == host.HostInode) continue;
            foreach (var pid in ns.Pids) holders[pid] = ns.Inode;
        }
        _known = new KnownNamespaces(inodes, holders);
    }

    public async IAsyncEnumerable<NamespaceLifecycleSignal> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fd = _openConnector();
        if (fd < 0)
        {
            ConnectorListening = false;
            LogConnectorUnavailable(_logger, LibC.ErrnoName(-fd), _fallbackInterval.TotalSeconds);
            while (true)
            {
                await Task.Delay(_fallbackInterval, _time, cancellationToken).ConfigureAwait(false);
                yield return new NamespaceLifecycleSignal([], ChangeCause.Of("process-sweep"));
            }
        }

        using var reader = new NetlinkListenerThread("NetViz process events", BatchWindow);
        using var registration = reader.Add(fd, new Sink(this), ProcessConnector.Unsubscribe);
        ConnectorListening = true;
        try
        {
            var lastSignal = long.MinValue;
            while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                if (lastSignal != long.MinValue)
                {
                    var since = _time.GetElapsedTime(lastSignal);
                    if (since < _minInterval) await Task.Delay(_minInterval - since, _time, cancellationToken).ConfigureAwait(false);
                }
                if (TakePending() is { } signal)
                {
                    lastSignal = _time.GetTimestamp();
                    yield return signal;
                }
                // The caller restarts the watch (with backoff) and so re-subscribes.
                if (Interlocked.Exchange(ref _connectorFailure, 0) is var errno and not 0)
                    throw new IOException($"process connector failed: {LibC.ErrnoName(errno)}");
            }
        }
        finally
        {
            ConnectorListening = false;
        }
    }

    internal NamespaceLifecycleSignal? TakePending()
    {
        lock (_gate)
        {
            if (_pendingInodes.Count == 0 && !_pendingSweep) return null;
            var signal = new NamespaceLifecycleSignal([.. _pendingInodes], _pendingReason ?? ChangeCause.Of("process-events"));
            _pendingInodes.Clear();
            _pendingSweep = false;
            _pendingReason = null;
            return signal;
        }
    }

    /// <summary>Decides what one process event means; called on the reader thread (and by unit tests).</summary>
    internal void Observe(ProcessEvent e)
    {
        Interlocked.Increment(ref _eventsSeen);
        var known = _known;
        if (e.Kind == ProcessEventKind.Exit)
        {
            // Threads exit too; only the thread group leader's exit ends the process.
            if (e.Pid != e.Tgid) return;
            if (known.Holders.TryGetValue(e.Pid, out var held))
            {
                Note(held, sweep: false, ChangeCause.Of("process-holder-exited", e.Pid, held));
                return;
            }
            ulong joined;
            lock (_gate)
            {
                if (!_newcomers.Remove(e.Pid, out joined)) return;
            }
            Note(joined, sweep: false, ChangeCause.Of("process-new-netns-exited", e.Pid, joined));
            return;
        }

        if (_namespaceOfPid(e.Tgid) is not { } inode || known.Inodes.Contains(inode)) return;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            // Its exit must be noticed even if the re-discovery runs before the snapshot learns it holds the namespace.
            if (_newcomers.Count >= MaxNewcomers) _newcomers.Clear();
            _newcomers[e.Tgid] = inode;
            if (_askedAt.TryGetValue(inode, out var asked) && _time.GetElapsedTime(asked, now) < AskAgainAfter) return;
            if (_askedAt.Count >= MaxNewcomers) _askedAt.Clear();
            _askedAt[inode] = now;
        }
        Note(inode, sweep: true, ChangeCause.Of("process-exec-unknown-netns", e.Tgid, inode));
    }

    /// <summary>The process connector overflowed: events were lost, so re-discover.</summary>
    internal void Overrun() => Note(0, sweep: true, ChangeCause.Of("process-connector-overrun"));

    private void Note(ulong inode, bool sweep, ChangeCause reason)
    {
        lock (_gate)
        {
            if (sweep) _pendingSweep = true;
            else _pendingInodes.Add(inode);
            _pendingReason ??= reason;
        }
        _wake.Writer.TryWrite(true);
    }

    private static ulong? ReadNamespaceOfPid(int pid)
    {
        Span<byte> path = stackalloc byte[40];
        var length = Encoding.ASCII.GetBytes("/proc/", path);
        pid.TryFormat(path[length..], out var written);
        length += written;
        "/ns/net\0"u8.CopyTo(path[length..]);
        return LibC.ReadNamespaceLinkInode(path, out _);
    }

    private sealed record KnownNamespaces(IReadOnlySet<ulong> Inodes, IReadOnlyDictionary<int, ulong> Holders)
    {
        public static KnownNamespaces Empty { get; } = new(new HashSet<ulong>(), new Dictionary<int, ulong>());
    }

    private sealed class Sink(NamespaceLifecycleWatch owner) : INetlinkDatagramSink
    {
        private readonly List<ProcessEvent> _events = [];

        public void OnDatagram(ReadOnlySpan<byte> datagram)
        {
            _events.Clear();
            ProcessConnector.Parse(datagram, _events);
            foreach (var e in _events) owner.Observe(e);
        }

        public void OnOverrun() => owner.Overrun();

        public void OnFailed(int errno)
        {
            Interlocked.Exchange(ref owner._connectorFailure, errno);
            owner.Note(0, sweep: true, ChangeCause.Of("process-connector-failed", LibC.ErrnoName(errno)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process connector unavailable ({Error}; it needs root in the initial namespaces): namespaces that come and go with processes are swept every {Seconds} s instead")]
    private static partial void LogConnectorUnavailable(ILogger logger, string error, double seconds);
}
