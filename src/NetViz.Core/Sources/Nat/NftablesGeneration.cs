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
    private const ushort NfnlSubsysNftables = 10, NftMsgGetGen = 16, NftMsgNewGen = 15, NftaGenId = 1, NftMsgNewTable = 0, NftMsgGetTable = 1;
    private const ushort NlmFRequest = 0x1, NlmFDump = 0x300;
    private readonly NamespaceSocketThread _entry = new();
    private uint _sequence;

    /// <summary>The generation of the namespace at <paramref name="netnsPath"/>, or null when it cannot be had (gone, no nf_tables, refused).</summary>
    public Task<uint?> ReadAsync(string netnsPath, CancellationToken cancellationToken) =>
        AskAsync(netnsPath, socket =>
        {
            var sequence = Interlocked.Increment(ref _sequence);
            socket.Send(Request(sequence));
            var reply = new byte[4096];
            return Parse(reply.AsSpan(0, socket.Receive(reply)), sequence);
        }, cancellationToken);

    /// <summary>Most datagrams read of one table dump (a namespace with more tables than that is said to have some).</summary>
    private const int MaxDumpDatagrams = 64;

    /// <summary>
    /// Whether the namespace at <paramref name="netnsPath"/> holds any nftables table (NFT_MSG_GETTABLE dump, every
    /// family), or null when that cannot be had. iptables-nft keeps its rules in such tables (ip nat, ip6 filter, ...),
    /// created on its first write: a namespace without one has no rule for iptables-save to print, which is known here
    /// without entering it with a process (a fresh <c>ip netns add</c>, a container on Docker's default bridge).
    /// </summary>
    public Task<bool?> HasTablesAsync(string netnsPath, CancellationToken cancellationToken) =>
        AskAsync(netnsPath, socket =>
        {
            var sequence = Interlocked.Increment(ref _sequence);
            socket.Send(TablesRequest(sequence));
            var reply = new byte[16 * 1024];
            for (var i = 0; i < MaxDumpDatagrams; i++)
            {
                switch (ParseTables(reply.AsSpan(0, socket.Receive(reply)), sequence))
                {
                    case TablesAnswer.Some: return true;
                    case TablesAnswer.None: return false;
                    case TablesAnswer.Refused: return (bool?)null;
                }
            }
            return true; // tables enough to fill the datagrams read: there are some
        }, cancellationToken);

    /// <summary>A netlink question asked of the namespace at <paramref name="netnsPath"/>; null when it cannot be asked.</summary>
    private async Task<T?> AskAsync<T>(string netnsPath, Func<Socket, T?> ask, CancellationToken cancellationToken) where T : struct
    {
        var namespaceFd = LibC.Open(netnsPath, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (namespaceFd < 0) return null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var socketFd = (await _entry.OpenSocketsAsync([namespaceFd], LibC.NETLINK_NETFILTER).ConfigureAwait(false))[0];
            if (socketFd < 0) return null;
            using var socket = new Socket(new SafeSocketHandle((IntPtr)socketFd, ownsHandle: true)) { ReceiveTimeout = 2000 };
            return ask(socket);
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

    /// <summary>nlmsghdr + nfgenmsg (family AF_UNSPEC: every family): an NFT_MSG_GETTABLE dump.</summary>
    internal static byte[] TablesRequest(uint sequence)
    {
        var bytes = Request(sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)((NfnlSubsysNftables << 8) | NftMsgGetTable));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), NlmFRequest | NlmFDump);
        return bytes;
    }

    internal enum TablesAnswer { GoesOn, Some, None, Refused }

    /// <summary>
    /// One datagram of the answer to <see cref="TablesRequest"/>: <see cref="TablesAnswer.Some"/> at the first table,
    /// <see cref="TablesAnswer.None"/> at the end of a dump that had none, <see cref="TablesAnswer.Refused"/> at an error
    /// (not known: the caller enters the namespace as before), else it goes on.
    /// </summary>
    internal static TablesAnswer ParseTables(ReadOnlySpan<byte> reply, uint sequence)
    {
        var messages = new NetlinkMessageReader(reply);
        while (messages.TryRead(out var message))
        {
            if (message.Sequence != sequence) continue;
            if (message.Type == ((NfnlSubsysNftables << 8) | NftMsgNewTable)) return TablesAnswer.Some;
            if (message.Type == NetlinkParser.NLMSG_DONE) return TablesAnswer.None;
            if (message.Type == NetlinkParser.NLMSG_ERROR) return TablesAnswer.Refused;
        }
        return TablesAnswer.GoesOn;
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
