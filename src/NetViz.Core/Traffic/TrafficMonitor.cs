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
/// The host namespace's link counters, by one RTM_GETLINK dump (about 0.1 ms). Every Docker veth has its host end
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
        var dump = new NetlinkDump();
        lock (_socket) _socket.Dump(NetlinkRequest.DumpLinks(++_sequence), dump);
        var links = ImmutableArray.CreateBuilder<LinkCounterReading>(dump.Links.Count);
        foreach (var link in dump.Links)
            if (link.Counters is { } counters) links.Add(new LinkCounterReading(link.Index, link.Name, counters));
        return new TrafficSample(at, _inode, links.ToImmutable());
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
