using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Nat;

/// <summary>
/// <see cref="INatChangeSource"/>: a NETLINK_NETFILTER socket in NetViz's own (the host) namespace joined to
/// NFNLGRP_NFTABLES, the group <c>nft monitor</c> listens to. Every committed nftables transaction, including each
/// <c>iptables</c> command of the iptables-nft backend Docker uses, arrives there as NFT_MSG_NEW/DEL* messages and a
/// closing NFT_MSG_NEWGEN; reading the rule set (iptables-save, nft list) sends none, so reading after a change does
/// not trigger another. Packet counters change without any message: they are refreshed on their own cadence.
/// A burst (Docker adds several rules for one published port, one iptables process each) is debounced into one change.
/// </summary>
public sealed class NftablesChangeSource : INatChangeSource
{
    private const int NFNLGRP_NFTABLES = 7; // linux/netfilter/nfnetlink.h

    public static readonly TimeSpan DefaultQuiet = TimeSpan.FromMilliseconds(40);
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromMilliseconds(200);

    private readonly TimeSpan _quiet;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;

    /// <param name="quiet">A burst ends after this long without a notification.</param>
    /// <param name="maxDelay">A change is reported at most this long after its first notification, even if the burst goes on.</param>
    /// <param name="time">Clock for the debounce.</param>
    public NftablesChangeSource(TimeSpan? quiet = null, TimeSpan? maxDelay = null, TimeProvider? time = null)
    {
        _quiet = quiet ?? DefaultQuiet;
        _maxDelay = maxDelay ?? DefaultMaxDelay;
        _time = time ?? TimeProvider.System;
    }

    public async IAsyncEnumerable<RulesetChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Created on the calling pool thread, which is in the process's namespace (NetViz never setns() a pool thread).
        var fd = LibC.OpenNetlinkSocketFd(LibC.NETLINK_NETFILTER);
        if (fd < 0) throw new IOException($"cannot open a NETLINK_NETFILTER socket: {LibC.ErrnoName(-fd)}");
        var error = LibC.JoinNetlinkGroups(fd, [NFNLGRP_NFTABLES]);
        if (error != 0)
        {
            LibC.Close(fd);
            throw new IOException($"cannot join NFNLGRP_NFTABLES: {LibC.ErrnoName(error)}");
        }
        var sink = new Sink();
        using var reader = new NetlinkListenerThread("NetViz nftables events", TimeSpan.Zero);
        using var registration = reader.Add(fd, sink);

        // A change between the caller's last read and this point would be lost: have it read once now.
        yield return new RulesetChange(0);
        while (await sink.Wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var first = _time.GetTimestamp();
            while (true)
            {
                sink.Wake.Reader.TryRead(out _);
                await Task.Delay(_quiet, _time, cancellationToken).ConfigureAwait(false);
                if (!sink.Wake.Reader.TryPeek(out _) || _time.GetElapsedTime(first) >= _maxDelay) break;
            }
            sink.Wake.Reader.TryRead(out _);
            var messages = Interlocked.Exchange(ref sink.Messages, 0);
            if (messages > 0) yield return new RulesetChange(messages);
            if (Volatile.Read(ref sink.Failure) is var errno and not 0)
                throw new IOException($"nftables notifications failed: {LibC.ErrnoName(errno)}");
        }
    }

    private sealed class Sink : INetlinkDatagramSink
    {
        public readonly Channel<bool> Wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        public int Messages;
        public int Failure;

        public void OnDatagram(ReadOnlySpan<byte> datagram)
        {
            var reader = new NetlinkMessageReader(datagram);
            var count = 0;
            while (reader.TryRead(out _)) count++;
            Interlocked.Add(ref Messages, Math.Max(1, count));
            Wake.Writer.TryWrite(true);
        }

        // Lost notifications still mean the rule set changed.
        public void OnOverrun() => OnDatagram([]);

        public void OnFailed(int errno)
        {
            Volatile.Write(ref Failure, errno);
            Interlocked.Increment(ref Messages);
            Wake.Writer.TryWrite(true);
        }
    }
}
