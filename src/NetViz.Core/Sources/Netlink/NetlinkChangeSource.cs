using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace NetViz.Core.Sources.Netlink;

/// <summary>
/// <see cref="INetlinkChangeSource"/>: a NETLINK_ROUTE socket in the host namespace subscribed to link, neighbour,
/// address and route multicast groups. Joining a group only listens; nothing is ever sent on this socket.
/// </summary>
public sealed class NetlinkChangeSource : INetlinkChangeSource
{
    // linux/rtnetlink.h enum rtnetlink_groups
    private const int RTNLGRP_LINK = 1, RTNLGRP_NEIGH = 3, RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV4_ROUTE = 7, RTNLGRP_IPV6_IFADDR = 9, RTNLGRP_IPV6_ROUTE = 11;
    private const int SOL_NETLINK = 270, NETLINK_ADD_MEMBERSHIP = 1;

    /// <summary>
    /// Yields one <see cref="NetlinkChange"/> per RTM_NEW/DEL LINK/ADDR/ROUTE message and per vxlan FDB entry's
    /// RTM_NEW/DELNEIGH (a datagram may carry several).
    /// When the kernel dropped notifications because we read too slowly (ENOBUFS), yields one change with
    /// MessageType <see cref="NetlinkParser.NLMSG_OVERRUN"/> (4): the caller should re-read everything.
    /// Cancellation closes the socket and ends the enumeration without an exception.
    /// </summary>
    public async IAsyncEnumerable<NetlinkChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Created on the calling (pool) thread, which is in the process's namespace: NetViz never setns() a pool thread.
        using var netlink = NetlinkSocket.Open();
        var socket = netlink.Socket;
        socket.ReceiveTimeout = 0;
        var bindError = LibC.BindNetlinkAutoPort((int)socket.Handle);
        if (bindError != 0) throw new SocketException(bindError);
        // A burst of 100 container starts is thousands of messages; a larger queue makes overruns unlikely.
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        // NEIGH: for the bridge FDB entries that are a vxlan's remote tunnel endpoints (the rest of it is dropped in Collect).
        foreach (var group in (int[])[RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE])
            socket.SetRawSocketOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, BitConverter.GetBytes(group));

        using var closeOnCancel = cancellationToken.Register(static s => ((Socket)s!).Dispose(), socket);
        var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
        var changes = new List<NetlinkChange>();
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                yield break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
                received = -1;
            }
            if (received < 0)
            {
                yield return new NetlinkChange(NetlinkParser.NLMSG_OVERRUN);
                continue;
            }
            Collect(buffer.AsSpan(0, received), changes);
            foreach (var change in changes)
            {
                if (cancellationToken.IsCancellationRequested) yield break;
                yield return change;
            }
            changes.Clear();
        }
    }

    private static void Collect(ReadOnlySpan<byte> datagram, List<NetlinkChange> into)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            // The link a RTM_NEWLINK describes goes with it: one that shows nothing new is not worth re-reading the
            // host namespace for (at 300 namespaces that read is ~14 ms; a bridge announces each port ~15 s after a
            // container starts).
            if (message.Type == NetlinkParser.RTM_NEWLINK)
                into.Add(new NetlinkChange(message.Type) { Link = NetlinkParser.TryParseLink(message.Payload, out var link, out _) ? link : null });
            else if (message.Type is NetlinkParser.RTM_DELLINK or NetlinkParser.RTM_NEWADDR or NetlinkParser.RTM_DELADDR
                or NetlinkParser.RTM_NEWROUTE or NetlinkParser.RTM_DELROUTE || NetlinkParser.IsTunnelEndpointChange(message))
                into.Add(new NetlinkChange(message.Type));
        }
    }
}
