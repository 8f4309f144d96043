using System.Buffers.Binary;
using System.Net.Sockets;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Nat;

/// <summary>
/// The nftables rule-set generation of a network namespace (NFT_MSG_GETGEN on NETLINK_NETFILTER): a number the kernel
/// bumps with every committed change to any table of that namespace, iptables-nft's included. Asking for it costs a
/// setns and one netlink round trip in process (tens of microseconds) where reading the rules costs an
/// <c>nsenter ... iptables-save</c> process (milliseconds): so a namespace's rules are read again only when its
/// generation moved. Read-only: a GET request. The legacy iptables backend bumps no generation; callers ask only on
/// the nftables backends.
/// </summary>
public sealed class NftablesGeneration : IDisposable
{
    private const ushort NfnlSubsysNftables = 10, NftMsgGetGen = 16, NftMsgNewGen = 15, NftaGenId = 1;
    private const ushort NlmFRequest = 0x1;
    private readonly NamespaceSocketThread _entry = new();
    private uint _sequence;

    /// <summary>The generation of the namespace at <paramref name="netnsPath"/>, or null when it cannot be had (gone, no nf_tables, refused).</summary>
    public async Task<uint?> ReadAsync(string netnsPath, CancellationToken cancellationToken)
    {
        var namespaceFd = LibC.Open(netnsPath, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (namespaceFd < 0) return null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var socketFd = (await _entry.OpenSocketsAsync([namespaceFd], LibC.NETLINK_NETFILTER).ConfigureAwait(false))[0];
            if (socketFd < 0) return null;
            using var socket = new Socket(new SafeSocketHandle((IntPtr)socketFd, ownsHandle: true)) { ReceiveTimeout = 2000 };
            var sequence = Interlocked.Increment(ref _sequence);
            socket.Send(Request(sequence));
            var reply = new byte[4096];
            var length = socket.Receive(reply);
            return Parse(reply.AsSpan(0, length), sequence);
        }
        catch (SocketException)
        {
            return null;
        }
        finally
        {
            LibC.Close(namespaceFd);
        }
    }

    /// <summary>
    /// The generation of the calling thread's namespace (a pool thread: NetViz's own, the host's), with no setns and no
    /// thread: the socket is made where the caller already is. Null when it cannot be had.
    /// </summary>
    public static uint? ReadCurrent()
    {
        var socketFd = LibC.OpenNetlinkSocketFd(LibC.NETLINK_NETFILTER);
        if (socketFd < 0) return null;
        try
        {
            using var socket = new Socket(new SafeSocketHandle((IntPtr)socketFd, ownsHandle: true)) { ReceiveTimeout = 2000 };
            var sequence = Interlocked.Increment(ref _currentSequence);
            socket.Send(Request(sequence));
            var reply = new byte[4096];
            return Parse(reply.AsSpan(0, socket.Receive(reply)), sequence);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static uint _currentSequence;

    /// <summary>nlmsghdr + nfgenmsg (family AF_UNSPEC, version NFNETLINK_V0, res_id 0): NFT_MSG_GETGEN.</summary>
    internal static byte[] Request(uint sequence)
    {
        var bytes = new byte[NetlinkRequest.HeaderLength + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)((NfnlSubsysNftables << 8) | NftMsgGetGen));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), NlmFRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
        return bytes;
    }

    /// <summary>NFTA_GEN_ID of the NFT_MSG_NEWGEN answer to <paramref name="sequence"/> (a big-endian u32), or null.</summary>
    internal static uint? Parse(ReadOnlySpan<byte> reply, uint sequence)
    {
        var messages = new NetlinkMessageReader(reply);
        while (messages.TryRead(out var message))
        {
            if (message.Sequence != sequence || message.Type != ((NfnlSubsysNftables << 8) | NftMsgNewGen) || message.Payload.Length < 4) continue;
            var attributes = new NetlinkAttributeReader(message.Payload[4..]);
            while (attributes.TryRead(out var attribute))
                if ((attribute.Type & 0x3fff) == NftaGenId && attribute.Value.Length >= 4)
                    return BinaryPrimitives.ReadUInt32BigEndian(attribute.Value);
        }
        return null;
    }

    public void Dispose() => _entry.Dispose();
}
