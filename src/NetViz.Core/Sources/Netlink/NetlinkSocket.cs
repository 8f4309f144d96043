using System.Buffers;
using System.Net.Sockets;
using NetViz.Core.Model;

namespace NetViz.Core.Sources.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket bound (by the kernel) to the network namespace it was created in. It sends only
/// <see cref="NetlinkRequest"/>s, which can only be GET requests. Not thread-safe: one request at a time.
/// </summary>
public sealed class NetlinkSocket : IDisposable
{
    // Dump datagrams are at most ~32 KiB (the kernel's netlink dump skb); a larger buffer never truncates them.
    internal const int ReceiveBufferSize = 64 * 1024;
    private readonly Socket _socket;
    private uint _sequence;

    private NetlinkSocket(Socket socket)
    {
        _socket = socket;
        // A kernel that stops answering must not hang a collection forever.
        _socket.ReceiveTimeout = 5000;
    }

    internal Socket Socket => _socket;

    /// <summary>Opens a socket in the calling thread's network namespace. Throws <see cref="SocketException"/> on failure.</summary>
    public static NetlinkSocket Open()
    {
        var fd = LibC.OpenRouteSocketFd();
        if (fd < 0) throw new SocketException(-fd);
        return FromFd(fd);
    }

    /// <summary>Takes ownership of a NETLINK_ROUTE fd created elsewhere (in another namespace, by <see cref="NamespaceSocketThread"/>).</summary>
    internal static NetlinkSocket FromFd(int fd)
        // .NET cannot create AF_NETLINK sockets itself (16 is AppleTalk to it), but it can wrap one.
        => new(new Socket(new SafeSocketHandle((IntPtr)fd, ownsHandle: true)));

    /// <summary>Dumps links, addresses and IPv4+IPv6 routes of this socket's namespace into <paramref name="into"/>.</summary>
    public void DumpAll(NetlinkDump into)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        try
        {
            Dump(NetlinkRequest.DumpLinks(++_sequence), into, buffer);
            DumpVxlanRemotes(into, buffer);
            Dump(NetlinkRequest.DumpAddresses(++_sequence), into, buffer);
            Dump(NetlinkRequest.DumpRoutes(2, ++_sequence), into, buffer);
            try
            {
                Dump(NetlinkRequest.DumpRoutes(10, ++_sequence), into, buffer);
            }
            catch (SocketException e) when (e.ErrorCode == 97 /* EAFNOSUPPORT: IPv6 disabled */)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Vxlan devices whose forwarding database is read per namespace; the rest are named in a warning.</summary>
    public const int MaxVxlanDevices = 64;

    /// <summary>
    /// Reads each vxlan device's remote tunnel endpoints from its bridge FDB (one filtered dump per device) and
    /// attaches them to its <see cref="LinkInfo.Vxlan"/>. A device whose dump fails keeps its static data, with a warning.
    /// </summary>
    private void DumpVxlanRemotes(NetlinkDump into, byte[] buffer)
    {
        var vxlans = into.Links.Select((link, i) => (link, i)).Where(x => x.link.Vxlan is not null).ToList();
        if (vxlans.Count > MaxVxlanDevices) into.Warn($"forwarding entries of {vxlans.Count - MaxVxlanDevices} vxlan devices beyond the first {MaxVxlanDevices} not read");
        foreach (var (link, i) in vxlans.Take(MaxVxlanDevices))
        {
            var fdb = new NetlinkDump();
            try
            {
                Dump(NetlinkRequest.DumpBridgeFdb(link.Index, ++_sequence), fdb, buffer);
            }
            catch (SocketException e)
            {
                into.Warn($"forwarding entries of vxlan {link.Name} not read: {e.Message}");
                continue;
            }
            if (fdb.OmittedFdbRemotes > 0) into.Warn($"{link.Name}: {fdb.OmittedFdbRemotes} forwarding entries beyond the first {NetlinkDump.MaxFdbRemotes} not read");
            // The filter is the kernel's; keep only what names this device in case an older kernel ignored it.
            var remotes = fdb.FdbRemotes.Where(r => r.Index == link.Index).Select(r => r.Address).Distinct().Order(StringComparer.Ordinal);
            into.Links[i] = link with { Vxlan = link.Vxlan! with { FdbRemotes = remotes.ToEquatableArray() } };
        }
    }

    /// <summary>Sends one dump request and parses every reply datagram until NLMSG_DONE. Throws <see cref="SocketException"/> on an error reply.</summary>
    public void Dump(NetlinkRequest request, NetlinkDump into) => Dump(request, into, new byte[ReceiveBufferSize]);

    private void Dump(NetlinkRequest request, NetlinkDump into, byte[] buffer)
    {
        into.Done = false;
        into.Error = 0;
        _socket.Send(request.Bytes);
        while (!into.Finished)
        {
            var received = _socket.Receive(buffer);
            NetlinkParser.ParseInto(buffer.AsSpan(0, received), into);
        }
        if (into.Error != 0) throw new SocketException(into.Error);
    }

    /// <summary>
    /// The raw reply bytes of one dump (every datagram back to back, NLMSG_DONE included): for recording fixtures.
    /// </summary>
    public byte[] DumpRaw(NetlinkRequest request)
    {
        var buffer = new byte[ReceiveBufferSize];
        using var output = new MemoryStream();
        _socket.Send(request.Bytes);
        var finished = false;
        while (!finished)
        {
            var received = _socket.Receive(buffer);
            output.Write(buffer, 0, received);
            var reader = new NetlinkMessageReader(buffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
                if (message.Type is NetlinkParser.NLMSG_DONE or NetlinkParser.NLMSG_ERROR) finished = true;
            if (reader.Malformed) throw new InvalidDataException("truncated netlink reply");
        }
        return output.ToArray();
    }

    /// <summary>
    /// For each namespace fd, the netns id this socket's namespace has assigned to it (RTM_GETNSID, NETNSA_FD),
    /// or -1 when none is assigned or the fd is not a namespace. Requests go out in batches in one datagram;
    /// each gets exactly one reply (RTM_NEWNSID or NLMSG_ERROR) carrying its sequence number.
    /// </summary>
    public int[] GetNsIds(ReadOnlySpan<int> namespaceFds)
    {
        const int batch = 64; // replies are queued in our receive buffer until read: keep a batch well below it
        var ids = new int[namespaceFds.Length];
        Array.Fill(ids, -1);
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        var send = new byte[batch * 28];
        try
        {
            for (var start = 0; start < namespaceFds.Length; start += batch)
            {
                var count = Math.Min(batch, namespaceFds.Length - start);
                var firstSequence = _sequence + 1;
                var length = 0;
                for (var i = 0; i < count; i++)
                {
                    var request = NetlinkRequest.GetNsIdOfFd(namespaceFds[start + i], ++_sequence);
                    request.Bytes.CopyTo(send.AsSpan(length));
                    length += request.Bytes.Length;
                }
                _socket.Send(send.AsSpan(0, length));
                var answered = 0;
                while (answered < count)
                {
                    var received = _socket.Receive(buffer);
                    var reader = new NetlinkMessageReader(buffer.AsSpan(0, received));
                    while (reader.TryRead(out var message))
                    {
                        var slot = (long)message.Sequence - firstSequence;
                        if (slot < 0 || slot >= count) continue;
                        if (message.Type == NetlinkParser.RTM_NEWNSID) ids[start + slot] = NetlinkParser.ParseNsId(message.Payload);
                        if (message.Type is NetlinkParser.RTM_NEWNSID or NetlinkParser.NLMSG_ERROR) answered++;
                    }
                    if (reader.Malformed) throw new InvalidDataException("truncated RTM_GETNSID reply");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return ids;
    }

    public void Dispose() => _socket.Dispose();
}
