using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Nat;

/// <summary>One rule of an nftables dump: its chain, handle, and the packets and bytes of its <c>counter</c> expression (null without one).</summary>
public sealed record NftRuleCounter(string Chain, ulong Handle, long? Packets, long? Bytes);

/// <summary>One chain of an nftables dump: a base chain (hooked) carries the policy counters iptables-save prints.</summary>
public sealed record NftChainCounter(string Name, bool BaseChain, long Packets, long Bytes);

/// <summary>The rules (in the kernel's list order: chain by chain, each in rule order) and chains of one table.</summary>
/// <param name="Family">2 (ip, iptables) or 10 (ip6, ip6tables).</param>
public sealed record NftTableCounters(int Family, string Table, ImmutableArray<NftRuleCounter> Rules, ImmutableArray<NftChainCounter> Chains);

/// <summary>Why a dump could not be used: the caller reads the rules with iptables-save instead.</summary>
public sealed class NftablesDumpException(string message) : Exception(message);

/// <summary>
/// Reads the packet and byte counters of nftables rules in process: NFT_MSG_GETRULE and NFT_MSG_GETCHAIN dumps over a
/// NETLINK_NETFILTER socket of NetViz's own (the host) namespace, where iptables-nft keeps iptables' tables. One dump is
/// tens of microseconds; <c>iptables-save -c</c> and <c>ip6tables-save -c</c> are two processes. Read-only: GET
/// requests only (a GETRULE_RESET, which would zero the counters, is never built). Bounded: at most
/// <see cref="MaxBytes"/> of replies and <see cref="MaxItems"/> rules or chains per dump, else it gives up.
/// </summary>
public static class NftablesCounterDump
{
    private const ushort NfnlSubsysNftables = 10;
    internal const ushort NftMsgNewChain = 3, NftMsgGetChain = 4, NftMsgNewRule = 6, NftMsgGetRule = 7;
    private const ushort NftaChainTable = 1, NftaChainName = 3, NftaChainHook = 4, NftaChainCounters = 8;
    private const ushort NftaRuleTable = 1, NftaRuleChain = 2, NftaRuleHandle = 3, NftaRuleExpressions = 4;
    private const ushort NftaListElem = 1, NftaExprName = 1, NftaExprData = 2;
    private const ushort NftaCounterBytes = 1, NftaCounterPackets = 2;
    private const ushort NlmFRequest = 0x1, NlmFDump = 0x300, NlmFDumpIntr = 0x10;
    private const ushort NlmsgError = 2, NlmsgDone = 3;

    /// <summary>Reply bytes read for one dump before giving up (a Docker host's nat and filter tables are a few KiB).</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>Rules or chains kept from one dump before giving up.</summary>
    public const int MaxItems = 20_000;

    private static uint _sequence;

    /// <summary>
    /// The rules and chains of <paramref name="table"/> in <paramref name="family"/>, read from the calling thread's
    /// namespace (a pool thread: the process's namespace). <paramref name="generation"/> is the rule-set generation the
    /// caller read just before: every reply carries the low 16 bits of the generation it was made in, so a change in
    /// between is noticed. Throws <see cref="NftablesDumpException"/> when the dump cannot be had or was not consistent.
    /// </summary>
    public static NftTableCounters Read(int family, string table, uint generation)
    {
        var fd = LibC.OpenNetlinkSocketFd(LibC.NETLINK_NETFILTER);
        if (fd < 0) throw new NftablesDumpException($"cannot open a NETLINK_NETFILTER socket: {LibC.ErrnoName(-fd)}");
        using var socket = new Socket(new SafeSocketHandle((IntPtr)fd, ownsHandle: true)) { ReceiveTimeout = 2000 };
        try
        {
            var rules = ImmutableArray.CreateBuilder<NftRuleCounter>();
            var ruleSequence = Interlocked.Increment(ref _sequence);
            socket.Send(RuleDumpRequest(family, table, ruleSequence));
            Receive(socket, reply => ParseRules(reply, ruleSequence, generation, table, rules));
            var chains = ImmutableArray.CreateBuilder<NftChainCounter>();
            var chainSequence = Interlocked.Increment(ref _sequence);
            socket.Send(ChainDumpRequest(family, chainSequence));
            Receive(socket, reply => ParseChains(reply, chainSequence, generation, table, chains));
            return new NftTableCounters(family, table, rules.ToImmutable(), chains.ToImmutable());
        }
        catch (SocketException e)
        {
            throw new NftablesDumpException($"nftables dump of {FamilyName(family)} {table} failed: {e.Message}");
        }
    }

    /// <summary>The raw reply bytes of a rule dump and a chain dump (NLMSG_DONE included): for recording fixtures.</summary>
    public static (byte[] Rules, byte[] Chains) ReadRaw(int family, string table, uint sequence)
    {
        var fd = LibC.OpenNetlinkSocketFd(LibC.NETLINK_NETFILTER);
        if (fd < 0) throw new NftablesDumpException($"cannot open a NETLINK_NETFILTER socket: {LibC.ErrnoName(-fd)}");
        using var socket = new Socket(new SafeSocketHandle((IntPtr)fd, ownsHandle: true)) { ReceiveTimeout = 2000 };
        socket.Send(RuleDumpRequest(family, table, sequence));
        var rules = ReceiveRaw(socket);
        socket.Send(ChainDumpRequest(family, sequence + 1));
        return (rules, ReceiveRaw(socket));
    }

    private static byte[] ReceiveRaw(Socket socket)
    {
        using var output = new MemoryStream();
        var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
        var finished = false;
        while (!finished)
        {
            var received = socket.Receive(buffer);
            output.Write(buffer, 0, received);
            var reader = new NetlinkMessageReader(buffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
                if (message.Type is NlmsgDone or NlmsgError) finished = true;
            if (reader.Malformed || output.Length > MaxBytes) throw new NftablesDumpException("truncated or oversized nftables reply");
        }
        return output.ToArray();
    }

    private delegate bool ReplyParser(ReadOnlySpan<byte> reply);

    /// <summary>Receives datagrams until the dump's NLMSG_DONE, handing each to <paramref name="parse"/> (true: done).</summary>
    private static void Receive(Socket socket, ReplyParser parse)
    {
        var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
        long total = 0;
        while (true)
        {
            var received = socket.Receive(buffer);
            total += received;
            if (total > MaxBytes) throw new NftablesDumpException($"nftables dump larger than {MaxBytes / (1024 * 1024)} MiB");
            if (parse(buffer.AsSpan(0, received))) return;
        }
    }

    /// <summary>nlmsghdr + nfgenmsg(family) + NFTA_RULE_TABLE: NFT_MSG_GETRULE, NLM_F_DUMP, of one table (the kernel filters).</summary>
    internal static byte[] RuleDumpRequest(int family, string table, uint sequence)
    {
        var name = Encoding.ASCII.GetBytes(table + "\0");
        var attribute = NetlinkRequest.Align4(4 + name.Length);
        var bytes = new byte[NetlinkRequest.HeaderLength + 4 + attribute];
        WriteHeader(bytes, NftMsgGetRule, family, sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), (ushort)(4 + name.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), NftaRuleTable);
        name.CopyTo(bytes.AsSpan(24));
        return bytes;
    }

    /// <summary>NFT_MSG_GETCHAIN, NLM_F_DUMP: every chain of the family (the kernel does not filter chain dumps by table).</summary>
    internal static byte[] ChainDumpRequest(int family, uint sequence)
    {
        var bytes = new byte[NetlinkRequest.HeaderLength + 4];
        WriteHeader(bytes, NftMsgGetChain, family, sequence);
        return bytes;
    }

    private static void WriteHeader(byte[] bytes, ushort message, int family, uint sequence)
    {
        if (family is not (2 or 10)) throw new ArgumentOutOfRangeException(nameof(family), family, "ip (2) or ip6 (10)");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)((NfnlSubsysNftables << 8) | message));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
        bytes[NetlinkRequest.HeaderLength] = (byte)family; // nfgenmsg: family, version NFNETLINK_V0, res_id 0
    }

    /// <summary>
    /// Adds the rules of <paramref name="table"/> in one reply datagram to <paramref name="into"/>; true at NLMSG_DONE.
    /// Throws on an error reply, an interrupted or inconsistent dump (another generation), a malformed message or the cap.
    /// </summary>
    internal static bool ParseRules(ReadOnlySpan<byte> reply, uint sequence, uint generation, string table, ImmutableArray<NftRuleCounter>.Builder into)
    {
        var messages = new NetlinkMessageReader(reply);
        while (messages.TryRead(out var message))
        {
            if (message.Sequence != sequence) continue;
            if (Finished(message)) return true;
            if (message.Type != ((NfnlSubsysNftables << 8) | NftMsgNewRule)) continue;
            var attributes = Attributes(message, generation);
            string? ruleTable = null, chain = null;
            ulong handle = 0;
            long? packets = null, bytes = null;
            while (attributes.TryRead(out var attribute))
            {
                switch (attribute.Type)
                {
                    case NftaRuleTable: ruleTable = Text(attribute.Value); break;
                    case NftaRuleChain: chain = Text(attribute.Value); break;
                    case NftaRuleHandle when attribute.Value.Length >= 8: handle = BinaryPrimitives.ReadUInt64BigEndian(attribute.Value); break;
                    case NftaRuleExpressions: (packets, bytes) = Counter(attribute.Value); break;
                }
            }
            if (attributes.Malformed || chain is null) throw new NftablesDumpException("malformed NFT_MSG_NEWRULE");
            if (ruleTable != table) continue;
            if (into.Count >= MaxItems) throw new NftablesDumpException($"more than {MaxItems} rules in {table}");
            into.Add(new NftRuleCounter(chain, handle, packets, bytes));
        }
        if (messages.Malformed) throw new NftablesDumpException("truncated nftables reply");
        return false;
    }

    /// <summary>Adds the chains of <paramref name="table"/> in one reply datagram to <paramref name="into"/>; true at NLMSG_DONE.</summary>
    internal static bool ParseChains(ReadOnlySpan<byte> reply, uint sequence, uint generation, string table, ImmutableArray<NftChainCounter>.Builder into)
    {
        var messages = new NetlinkMessageReader(reply);
        while (messages.TryRead(out var message))
        {
            if (message.Sequence != sequence) continue;
            if (Finished(message)) return true;
            if (message.Type != ((NfnlSubsysNftables << 8) | NftMsgNewChain)) continue;
            var attributes = Attributes(message, generation);
            string? chainTable = null, name = null;
            var hooked = false;
            long packets = 0, bytes = 0;
            while (attributes.TryRead(out var attribute))
            {
                switch (attribute.Type)
                {
                    case NftaChainTable: chainTable = Text(attribute.Value); break;
                    case NftaChainName: name = Text(attribute.Value); break;
                    case NftaChainHook: hooked = true; break;
                    case NftaChainCounters: (packets, bytes) = CounterValues(attribute.Value) is ({ } p, { } b) ? (p, b) : (0, 0); break;
                }
            }
            if (attributes.Malformed || name is null) throw new NftablesDumpException("malformed NFT_MSG_NEWCHAIN");
            if (chainTable != table) continue;
            if (into.Count >= MaxItems) throw new NftablesDumpException($"more than {MaxItems} chains in {table}");
            into.Add(new NftChainCounter(name, hooked, packets, bytes));
        }
        if (messages.Malformed) throw new NftablesDumpException("truncated nftables reply");
        return false;
    }

    private static bool Finished(NetlinkMessage message)
    {
        if (message.Type == NlmsgDone) return true;
        if (message.Type == NlmsgError)
        {
            var errno = message.Payload.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(message.Payload) : 0;
            if (errno == 0) return true;
            throw new NftablesDumpException($"nftables dump refused: {LibC.ErrnoName(errno)}");
        }
        // The kernel's sign that the list changed while it was being dumped.
        if ((message.Flags & NlmFDumpIntr) != 0) throw new NftablesDumpException("the rule set changed during the dump");
        return false;
    }

    /// <summary>The attributes after the nfgenmsg, whose res_id (big-endian) is the low 16 bits of the generation the reply was made in.</summary>
    private static NetlinkAttributeReader Attributes(NetlinkMessage message, uint generation)
    {
        if (message.Payload.Length < 4) throw new NftablesDumpException("short nftables message");
        if (BinaryPrimitives.ReadUInt16BigEndian(message.Payload[2..]) != (ushort)generation)
            throw new NftablesDumpException("the rule set changed since its generation was read");
        return new NetlinkAttributeReader(message.Payload[4..]);
    }

    /// <summary>The packets and bytes of the rule's <c>counter</c> expression (NFTA_LIST_ELEM → NFTA_EXPR_NAME "counter" + NFTA_EXPR_DATA), if any.</summary>
    private static (long? Packets, long? Bytes) Counter(ReadOnlySpan<byte> expressions)
    {
        var list = new NetlinkAttributeReader(expressions);
        while (list.TryRead(out var element))
        {
            if (element.Type != NftaListElem) continue;
            var expression = new NetlinkAttributeReader(element.Value);
            var isCounter = false;
            ReadOnlySpan<byte> data = default;
            while (expression.TryRead(out var part))
            {
                if (part.Type == NftaExprName) isCounter = Text(part.Value) == "counter";
                else if (part.Type == NftaExprData) data = part.Value;
            }
            if (isCounter) return CounterValues(data);
        }
        if (list.Malformed) throw new NftablesDumpException("malformed rule expressions");
        return (null, null);
    }

    /// <summary>NFTA_COUNTER_PACKETS and NFTA_COUNTER_BYTES (big-endian u64) of a counter's data.</summary>
    private static (long? Packets, long? Bytes) CounterValues(ReadOnlySpan<byte> data)
    {
        long? packets = null, bytes = null;
        var values = new NetlinkAttributeReader(data);
        while (values.TryRead(out var value))
        {
            if (value.Value.Length < 8) continue;
            var number = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(value.Value), long.MaxValue);
            if (value.Type == NftaCounterPackets) packets = number;
            else if (value.Type == NftaCounterBytes) bytes = number;
        }
        return (packets, bytes);
    }

    /// <summary>A NUL-terminated attribute string (table and chain names are at most 256 bytes in the kernel).</summary>
    private static string Text(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        var text = end < 0 ? value : value[..end];
        return Encoding.UTF8.GetString(text[..Math.Min(text.Length, 256)]);
    }

    internal static string FamilyName(int family) => family == 10 ? "ip6" : "ip";
}
