namespace NetViz.Core.Sources.Netlink;

/// <summary>
/// The only netlink message types NetViz ever sends: rtnetlink GET requests (RTM_GETLINK 18, RTM_GETADDR 22,
/// RTM_GETROUTE 26, RTM_GETNEIGH 30, RTM_GETNSID 90, RTM_GETSTATS 94). There is deliberately no member for any RTM_NEW*/RTM_DEL*/RTM_SET* type:
/// NetViz is read-only, and <see cref="NetlinkRequest"/> refuses any value not declared here.
/// </summary>
public enum NetlinkGetRequestType : ushort
{
    GetLink = 18,
    GetAddress = 22,
    GetRoute = 26,
    GetNeighbour = 30,
    GetNsId = 90,
    GetStats = 94,
}

/// <summary>
/// One encoded rtnetlink request. Can only be built by the factory methods below, each of which produces a
/// GET (dump or single get) message; <see cref="NetlinkSocket"/> sends nothing but these.
/// </summary>
public sealed class NetlinkRequest
{
    // linux/netlink.h
    internal const ushort NLM_F_REQUEST = 0x1;
    internal const ushort NLM_F_ROOT = 0x100;
    internal const ushort NLM_F_MATCH = 0x200;
    internal const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    internal const int HeaderLength = 16;

    private readonly byte[] _bytes;

    private NetlinkRequest(byte[] bytes) => _bytes = bytes;

    public NetlinkGetRequestType Type => (NetlinkGetRequestType)BitConverter.ToUInt16(_bytes, 4);
    public ushort Flags => BitConverter.ToUInt16(_bytes, 6);
    public uint Sequence => BitConverter.ToUInt32(_bytes, 8);

    /// <summary>The encoded message (nlmsghdr + family header + attributes), in host byte order.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>RTM_GETLINK dump of every link (ifinfomsg, family AF_UNSPEC).</summary>
    public static NetlinkRequest DumpLinks(uint sequence) => Build(NetlinkGetRequestType.GetLink, NLM_F_REQUEST | NLM_F_DUMP, sequence, 16, 0, null);

    /// <summary>RTM_GETADDR dump of every address of both families (ifaddrmsg, family AF_UNSPEC).</summary>
    public static NetlinkRequest DumpAddresses(uint sequence) => Build(NetlinkGetRequestType.GetAddress, NLM_F_REQUEST | NLM_F_DUMP, sequence, 8, 0, null);

    /// <summary>RTM_GETROUTE dump of every table (rtm_table 0) for one family: 2 (AF_INET) or 10 (AF_INET6).</summary>
    public static NetlinkRequest DumpRoutes(int family, uint sequence)
    {
        if (family is not (2 or 10)) throw new ArgumentOutOfRangeException(nameof(family), family, "AF_INET (2) or AF_INET6 (10)");
        return Build(NetlinkGetRequestType.GetRoute, NLM_F_REQUEST | NLM_F_DUMP, sequence, 12, (byte)family, null);
    }

    /// <summary>
    /// RTM_GETNEIGH dump of one device's bridge forwarding database (family AF_BRIDGE), as <c>bridge fdb show dev X</c>
    /// asks for it: an ifinfomsg whose ifi_index names the device, which rtnl_fdb_dump (valid_fdb_dump_legacy) reads as
    /// the port filter, so the kernel walks that device's entries only, never every bridge's MAC table.
    /// </summary>
    public static NetlinkRequest DumpBridgeFdb(int ifindex, uint sequence)
    {
        var request = Build(NetlinkGetRequestType.GetNeighbour, NLM_F_REQUEST | NLM_F_DUMP, sequence, 16, 7 /* AF_BRIDGE */, null);
        BitConverter.TryWriteBytes(request._bytes.AsSpan(HeaderLength + 4, 4), ifindex);
        return request;
    }

    /// <summary>
    /// RTM_GETNSID with NETNSA_FD: "which id does the namespace this socket lives in use for the namespace behind fd?".
    /// Only reads an id (peernet2id); it never allocates one (that would be RTM_NEWNSID).
    /// </summary>
    public static NetlinkRequest GetNsIdOfFd(int namespaceFd, uint sequence)
        => Build(NetlinkGetRequestType.GetNsId, NLM_F_REQUEST, sequence, 4 /* rtgenmsg, padded */, 0, (NETNSA_FD, (uint)namespaceFd));

    internal const ushort NETNSA_FD = 3;

    /// <summary>
    /// RTM_GETSTATS dump of every link's 64-bit counters and nothing else (if_stats_msg with filter_mask
    /// IFLA_STATS_LINK_64): a few dozen bytes per link, where a link dump carries kilobytes of configuration.
    /// </summary>
    public static NetlinkRequest DumpLinkStats(uint sequence)
    {
        var request = Build(NetlinkGetRequestType.GetStats, NLM_F_REQUEST | NLM_F_DUMP, sequence, 12, 0, null);
        // struct if_stats_msg { u8 family; u8 pad1; u16 pad2; u32 ifindex; u32 filter_mask; }: IFLA_STATS_LINK_64 = 1, as bit 1 << (1 - 1).
        BitConverter.TryWriteBytes(request._bytes.AsSpan(HeaderLength + 8, 4), 1u);
        return request;
    }

    /// <summary>The one encoder. Rejects any type that is not a declared GET type, whatever integer was cast to the enum.</summary>
    internal static NetlinkRequest Build(NetlinkGetRequestType type, ushort flags, uint sequence, int familyHeaderLength, byte family, (ushort Type, uint Value)? u32Attribute)
    {
        if (!Enum.IsDefined(type)) throw new ArgumentOutOfRangeException(nameof(type), (ushort)type, "only rtnetlink GET requests may be sent");
        // On a GET, 0x100/0x200 mean ROOT/MATCH (a dump); ACK, ECHO and the NEW-only bits are never needed.
        if ((flags & NLM_F_REQUEST) == 0 || (flags & ~(NLM_F_REQUEST | NLM_F_DUMP)) != 0)
            throw new ArgumentOutOfRangeException(nameof(flags), flags, "only NLM_F_REQUEST and NLM_F_DUMP");

        var length = HeaderLength + Align4(familyHeaderLength) + (u32Attribute is null ? 0 : 8);
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        BitConverter.TryWriteBytes(span[0..4], (uint)length);
        BitConverter.TryWriteBytes(span[4..6], (ushort)type);
        BitConverter.TryWriteBytes(span[6..8], flags);
        BitConverter.TryWriteBytes(span[8..12], sequence);
        // nlmsg_pid 0: the kernel fills in our autobound port id.
        span[HeaderLength] = family;
        if (u32Attribute is { } attribute)
        {
            var at = HeaderLength + Align4(familyHeaderLength);
            BitConverter.TryWriteBytes(span[at..(at + 2)], (ushort)8);
            BitConverter.TryWriteBytes(span[(at + 2)..(at + 4)], attribute.Type);
            BitConverter.TryWriteBytes(span[(at + 4)..(at + 8)], attribute.Value);
        }
        return new NetlinkRequest(bytes);
    }

    internal static int Align4(int length) => (length + 3) & ~3;
}
