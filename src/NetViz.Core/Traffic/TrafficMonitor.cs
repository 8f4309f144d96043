using System.Collections.Immutable;
using System.Threading.Channels;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Traffic;

/// <summary>Reads link counters: a port, so the monitor's logic is tested with fakes.</summary>
public interface ITrafficCounterSource
{
    TrafficSample Read(DateTimeOffset at);
}

/// <summary>
/// The host namespace's link counters, by one RTM_GETSTATS dump of the 64-bit counters only. Every Docker veth has its host end
/// here, and a veth's two ends count the same frames (rx on one is tx on the other), so the host side alone gives
/// every container's cable, every bridge and every NIC.
/// </summary>
public sealed class NetlinkTrafficCounterSource : ITrafficCounterSource, IDisposable
{
    private readonly NetlinkSocket _socket = NetlinkSocket.Open();
    // /proc/self/ns/net reads as "net:[INODE]": the id the snapshot gives this namespace.
    private readonly ulong _inode = ulong.Parse(new FileInfo("/proc/self/ns/net").LinkTarget!.Trim('n', 'e', 't', ':', '[', ']'), System.Globalization.CultureInfo.InvariantCulture);
    private uint _sequence;

    public TrafficSample Read(DateTimeOffset at)
    {
        byte[] raw;
        lock (_socket) raw = _socket.DumpRaw(NetlinkRequest.DumpLinkStats(++_sequence));
        return new TrafficSample(at, _inode, Parse(raw));
    }

    private const ushort RTM_NEWSTATS = 92, IFLA_STATS_LINK_64 = 1;

    private static ulong U(ReadOnlySpan<byte> stats, int field) => BitConverter.ToUInt64(stats[(field * 8)..(field * 8 + 8)]);

    /// <summary>RTM_NEWSTATS replies: if_stats_msg (ifindex at 4) then IFLA_STATS_LINK_64 = struct rtnl_link_stats64.</summary>
    internal static ImmutableArray<LinkCounterReading> Parse(ReadOnlySpan<byte> raw)
    {
        var links = ImmutableArray.CreateBuilder<LinkCounterReading>();
        var reader = new NetlinkMessageReader(raw);
        while (reader.TryRead(out var message))
        {
            if (message.Type == NetlinkParser.NLMSG_ERROR && message.Payload.Length >= 4 && BitConverter.ToInt32(message.Payload) != 0)
                throw new System.Net.Sockets.SocketException(-BitConverter.ToInt32(message.Payload));
            if (message.Type != RTM_NEWSTATS || message.Payload.Length < 12 || links.Count >= NetlinkDump.MaxLinks) continue;
            var index = BitConverter.ToInt32(message.Payload[4..8]);
            var attributes = new NetlinkAttributeReader(message.Payload[12..]);
            while (attributes.TryRead(out var attribute))
            {
                if ((attribute.Type & 0x3fff) != IFLA_STATS_LINK_64 || attribute.Value.Length < 64) continue;
                var v = attribute.Value;
                // rtnl_link_stats64: rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped, ...
                links.Add(new LinkCounterReading(index, "", new LinkCounters(U(v, 0), U(v, 1), U(v, 2), U(v, 3), U(v, 6), U(v, 7), U(v, 4), U(v, 5))));
            }
        }
        return links.ToImmutable();
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>
/// Samples link counters about once a second while at least one subscriber watches, and not at all otherwise; each
/// subscriber gets the rates between consecutive samples on its own channel (the newest only, if it falls behind).
/// </summary>
public sealed class TrafficMonitor : IAsyncDisposable
{
    private readonly ITrafficCounterSource _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly List<Channel<TrafficRates>> _subscribers = [];
    private CancellationTokenSource? _running;
    private Task _loop = Task.CompletedTask;

    public TrafficMonitor(ITrafficCounterSource source, TimeProvider time, TimeSpan? interval = null)
    {
        _source = source;
        _time = time;
        _interval = interval ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>The last rates computed (empty before the second sample).</summary>
    public TrafficRates Latest { get; private set; } = TrafficRates.Empty;

    /// <summary>Whether the sampler is running (someone watches).</summary>
    public bool Sampling { get { lock (_gate) return _running is not null; } }

    /// <summary>Starts watching; dispose the subscription to stop. The first rates arrive after two samples.</summary>
    public TrafficSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<TrafficRates>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
            if (_running is null)
            {
                _running = new CancellationTokenSource();
                var token = _running.Token;
                _loop = Task.Run(() => RunAsync(token));
            }
        }
        return new TrafficSubscription(this, channel);
    }

    internal void Unsubscribe(Channel<TrafficRates> channel)
    {
        CancellationTokenSource? stop = null;
        lock (_gate)
        {
            _subscribers.Remove(channel);
            channel.Writer.TryComplete();
            if (_subscribers.Count == 0)
            {
                stop = _running;
                _running = null;
            }
        }
        stop?.Cancel();
    }

    private async Task RunAsync(CancellationToken token)
    {
        TrafficSample? previous = null;
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                TrafficSample sample;
                try { sample = _source.Read(_time.GetUtcNow()); }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException) { continue; }
                if (previous is not null)
                {
                    var rates = TrafficRates.Between(previous, sample);
                    Latest = rates;
                    lock (_gate) foreach (var s in _subscribers) s.Writer.TryWrite(rates);
                }
                previous = sample;
            }
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        CancellationTokenSource? stop;
        lock (_gate)
        {
            stop = _running;
            _running = null;
            foreach (var s in _subscribers) s.Writer.TryComplete();
            _subscribers.Clear();
        }
        stop?.Cancel();
        await _loop.ConfigureAwait(false);
        (_source as IDisposable)?.Dispose();
    }
}

/// <summary>One watcher of <see cref="TrafficMonitor"/>; disposing it stops the sampler when it was the last.</summary>
public sealed class TrafficSubscription(TrafficMonitor monitor, Channel<TrafficRates> channel) : IDisposable
{
    public ChannelReader<TrafficRates> Reader => channel.Reader;

    public void Dispose() => monitor.Unsubscribe(channel);
}
