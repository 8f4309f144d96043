using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace NetViz.Core.Sources.Netlink;

/// <summary>What one or more rtnetlink replies said, accumulated message by message.</summary>
public sealed class NetlinkDump
{
    /// <summary>
    /// Items kept per kind for one namespace. The kernel still sends the rest (a dump cannot be cut short); it is
    /// drained and counted in <see cref="Omitted"/>. A host with a full BGP table has ~10^6 routes; a tenant with
    /// CAP_NET_ADMIN in its own namespace can make as many links and addresses as memory allows.
    /// </summary>
    public const int MaxLinks = 4096, MaxAddresses = 8192, MaxRoutes = 4096, MaxWarnings = 20;
    /// <summary>FDB entries kept per namespace (flannel keeps one per node of the cluster).</summary>
    public const int MaxFdbRemotes = 4096;

    public List<LinkInfo> Links { get; } = [];
    public List<AddressInfo> Addresses { get; } = [];
    public List<RouteInfo> Routes { get; } = [];
    /// <summary>Bridge FDB entries that name a remote tunnel endpoint (RTM_NEWNEIGH, AF_BRIDGE, with NDA_DST).</summary>
    public List<FdbRemote> FdbRemotes { get; } = [];
    /// <summary>Messages that could not be parsed (skipped), and dump anomalies.</summary>
    public List<string> Warnings { get; } = [];
    /// <summary>NLMSG_DONE was seen.</summary>
    public bool Done { get; internal set; }
    /// <summary>Positive errno of an NLMSG_ERROR (or a negative NLMSG_DONE status), 0 when none.</summary>
    public int Error { get; internal set; }
    /// <summary>The kernel flagged the dump NLM_F_DUMP_INTR: the table changed while it was being dumped.</summary>
    public bool Interrupted { get; internal set; }

    /// <summary>Links, addresses and routes beyond the Max* limits, and warnings beyond <see cref="MaxWarnings"/>: dropped, counted.</summary>
    public (int Links, int Addresses, int Routes, int Warnings) Omitted { get; internal set; }

    /// <summary>FDB remotes beyond <see cref="MaxFdbRemotes"/>: dropped, counted.</summary>
    public int OmittedFdbRemotes { get; internal set; }

    /// <summary>Adds a warning unless <see cref="MaxWarnings"/> are already listed (then only counts it).</summary>
    public void Warn(string warning)
    {
        if (Warnings.Count < MaxWarnings) Warnings.Add(warning);
        else Omitted = Omitted with { Warnings = Omitted.Warnings + 1 };
    }

    /// <summary>One warning line per kind that hit its limit ("routes: 12000 beyond the first 4096 not shown").</summary>
    public IEnumerable<string> OmissionWarnings()
    {
        if (Omitted.Links > 0) yield return $"{Omitted.Links} links beyond the first {MaxLinks} not shown";
        if (Omitted.Addresses > 0) yield return $"{Omitted.Addresses} addresses beyond the first {MaxAddresses} not shown";
        if (Omitted.Routes > 0) yield return $"{Omitted.Routes} routes beyond the first {MaxRoutes} not shown";
        if (OmittedFdbRemotes > 0) yield return $"{OmittedFdbRemotes} vxlan forwarding entries beyond the first {MaxFdbRemotes} not shown";
        if (Omitted.Warnings > 0) yield return $"… and {Omitted.Warnings} more netlink warnings";
    }

    /// <summary>The last datagram parsed ended the request: NLMSG_DONE or NLMSG_ERROR.</summary>
    public bool Finished => Done || Error != 0;
}

/// <summary>
/// Pure decoder from raw rtnetlink reply bytes (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE) to the source records.
/// Never throws on malformed input: a message it cannot decode is skipped and reported in <see cref="NetlinkDump.Warnings"/>.
/// </summary>
public static class NetlinkParser
{
    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLMSG_OVERRUN = 4;
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_DELROUTE = 25;
    public const ushort RTM_NEWNEIGH = 28;
    public const ushort RTM_DELNEIGH = 29;
    public const ushort RTM_NEWNSID = 88;
    private const ushort NLM_F_DUMP_INTR = 0x10;

    // linux/if_link.h
    private const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5, IFLA_MASTER = 10,
        IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18, IFLA_STATS64 = 23, IFLA_LINK_NETNSID = 37, IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    // linux/if_link.h, IFLA_VXLAN_*: the VNI (u32), the lower device (u32), the local address, the UDP port (be16).
    private const ushort IFLA_VXLAN_ID = 1, IFLA_VXLAN_LINK = 3, IFLA_VXLAN_LOCAL = 4, IFLA_VXLAN_PORT = 15;
    // IFLA_VXLAN_GROUP(6): the static remote or multicast group (vxlan_fill_info puts `remote` there too).
    private const ushort IFLA_VXLAN_GROUP = 2, IFLA_VXLAN_GROUP6 = 16;
    // linux/neighbour.h: NDA_DST; AF_BRIDGE (7) is the family of FDB entries.
    private const ushort NDA_DST = 1;
    private const byte AF_BRIDGE = 7;
    private const ushort ARPHRD_LOOPBACK = 772;
    private const uint IFF_UP = 0x1;
    // linux/if_addr.h
    private const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2;
    // linux/rtnetlink.h
    private const ushort RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7, RTA_MULTIPATH = 9, RTA_TABLE = 15;
    private const byte AF_INET = 2, AF_INET6 = 10;

    /// <summary>Decodes every message in <paramref name="messages"/> (one datagram or several back to back).</summary>
    public static NetlinkDump Parse(ReadOnlySpan<byte> messages)
    {
        var dump = new NetlinkDump();
        ParseInto(messages, dump);
        return dump;
    }

    /// <summary>Decodes every message in <paramref name="messages"/> into <paramref name="into"/>.</summary>
    public static void ParseInto(ReadOnlySpan<byte> messages, NetlinkDump into)
    {
        var reader = new NetlinkMessageReader(messages);
        while (reader.TryRead(out var message))
        {
            if ((message.Flags & NLM_F_DUMP_INTR) != 0) into.Interrupted = true;
            string? problem = null;
            switch (message.Type)
            {
                case RTM_NEWLINK:
                    if (into.Links.Count >= NetlinkDump.MaxLinks) into.Omitted = into.Omitted with { Links = into.Omitted.Links + 1 };
                    else if (TryParseLink(message.Payload, out var link, out problem)) into.Links.Add(link);
                    break;
                case RTM_NEWADDR:
                    if (into.Addresses.Count >= NetlinkDump.MaxAddresses) into.Omitted = into.Omitted with { Addresses = into.Omitted.Addresses + 1 };
                    else if (TryParseAddress(message.Payload, out var address, out problem) && address is not null) into.Addresses.Add(address);
                    break;
                case RTM_NEWROUTE:
                    if (into.Routes.Count >= NetlinkDump.MaxRoutes) into.Omitted = into.Omitted with { Routes = into.Omitted.Routes + 1 };
                    else if (TryParseRoute(message.Payload, out var route, out problem) && route is not null) into.Routes.Add(route);
                    break;
                case RTM_NEWNEIGH:
                    if (!TryParseFdbRemote(message.Payload, out var remote, out problem) || remote is null) break;
                    if (into.FdbRemotes.Count >= NetlinkDump.MaxFdbRemotes) into.OmittedFdbRemotes++;
                    else into.FdbRemotes.Add(remote);
                    break;
                case NLMSG_DONE:
                    into.Done = true;
                    // A dump that failed part-way ends with NLMSG_DONE carrying -errno.
                    if (message.Payload.Length >= 4 && MemoryMarshal.Read<int>(message.Payload) is < 0 and var status) into.Error = -status;
                    break;
                case NLMSG_ERROR:
                    // struct nlmsgerr: int error (-errno; 0 is an ACK), then the request's header.
                    into.Error = message.Payload.Length >= 4 ? -MemoryMarshal.Read<int>(message.Payload) : LibC.EINVAL;
                    if (into.Error == 0) into.Done = true;
                    break;
            }
            if (problem is not null) into.Warn($"netlink message type {message.Type} skipped: {problem}");
        }
        if (reader.Malformed) into.Warn("netlink reply truncated: the rest of the datagram was skipped");
    }

    /// <summary>Decodes the payload of an RTM_NEWLINK (ifinfomsg + attributes).</summary>
    public static bool TryParseLink(ReadOnlySpan<byte> payload, out LinkInfo link, out string? problem)
    {
        link = null!;
        // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
        if (payload.Length < 16)
        {
            problem = "ifinfomsg shorter than 16 bytes";
            return false;
        }
        var deviceType = MemoryMarshal.Read<ushort>(payload[2..]);
        var index = MemoryMarshal.Read<int>(payload[4..]);
        var flags = MemoryMarshal.Read<uint>(payload[8..]);
        string? name = null, mac = null, kind = null, operState = null;
        int mtu = 0;
        int? lower = null, linkNetnsId = null, master = null;
        LinkCounters? counters = null;
        VxlanInfo? vxlan = null;

        var attributes = new NetlinkAttributeReader(payload[16..]);
        while (attributes.TryRead(out var attribute))
        {
            var value = attribute.Value;
            switch (attribute.Type)
            {
                case IFLA_IFNAME: name = CString(value); break;
                case IFLA_ADDRESS: mac = value.IsEmpty ? null : FormatHardwareAddress(value); break;
                case IFLA_MTU when value.Length >= 4: mtu = MemoryMarshal.Read<int>(value); break;
                case IFLA_LINK when value.Length >= 4: lower = MemoryMarshal.Read<int>(value); break;
                case IFLA_MASTER when value.Length >= 4: master = MemoryMarshal.Read<int>(value); break;
                case IFLA_LINK_NETNSID when value.Length >= 4: linkNetnsId = MemoryMarshal.Read<int>(value); break;
                case IFLA_OPERSTATE when value.Length >= 1: operState = OperStateName(value[0]); break;
                case IFLA_STATS64 when value.Length >= 64:
                    // struct rtnl_link_stats64 { rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped, ... } (u64 each)
                    var s = MemoryMarshal.Cast<byte, ulong>(value[..64]);
                    counters = new LinkCounters(s[0], s[1], s[2], s[3], s[6], s[7], s[4], s[5]);
                    break;
                case IFLA_LINKINFO:
                    var nested = new NetlinkAttributeReader(value);
                    while (nested.TryRead(out var info))
                    {
                        if (info.Type == IFLA_INFO_KIND) kind = CString(info.Value);
                        // IFLA_INFO_KIND precedes IFLA_INFO_DATA (rtnl_link_info_fill).
                        else if (info.Type == IFLA_INFO_DATA && kind == "vxlan") vxlan = ParseVxlan(info.Value);
                    }
                    if (nested.Malformed)
                    {
                        problem = $"malformed IFLA_LINKINFO of ifindex {index}";
                        return false;
                    }
                    break;
            }
        }
        if (attributes.Malformed)
        {
            problem = $"malformed attribute in link ifindex {index}";
            return false;
        }
        if (name is null)
        {
            problem = $"link ifindex {index} has no IFLA_IFNAME";
            return false;
        }
        link = new LinkInfo
        {
            Index = index,
            Name = name,
            Type = kind ?? (deviceType == ARPHRD_LOOPBACK ? "loopback" : "device"),
            Mac = mac,
            Mtu = mtu,
            Up = (flags & IFF_UP) != 0,
            OperState = operState,
            Flags = flags,
            Link = lower,
            LinkNetnsId = linkNetnsId,
            Master = master,
            Counters = counters,
            Vxlan = vxlan,
        };
        problem = null;
        return true;
    }

    /// <summary>
    /// Decodes the payload of an RTM_NEWNEIGH: a bridge FDB entry (AF_BRIDGE) with NDA_DST is a remote tunnel
    /// endpoint of a vxlan device; anything else (ARP/NDP neighbours, plain bridge MACs) yields null.
    /// </summary>
    public static bool TryParseFdbRemote(ReadOnlySpan<byte> payload, out FdbRemote? remote, out string? problem)
    {
        remote = null;
        problem = null;
        // struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; }
        if (payload.Length < 12)
        {
            problem = "ndmsg shorter than 12 bytes";
            return false;
        }
        if (payload[0] != AF_BRIDGE) return true;
        var index = MemoryMarshal.Read<int>(payload[4..]);
        var attributes = new NetlinkAttributeReader(payload[12..]);
        while (attributes.TryRead(out var a))
            if (a.Type == NDA_DST && a.Value.Length is 4 or 16)
                remote = new FdbRemote(index, new IPAddress(a.Value).ToString());
        if (attributes.Malformed)
        {
            remote = null;
            problem = $"malformed attribute in FDB entry of ifindex {index}";
            return false;
        }
        return true;
    }

    /// <summary>
    /// A notification (RTNLGRP_NEIGH) that a vxlan's remote tunnel endpoints changed: an RTM_NEWNEIGH or RTM_DELNEIGH
    /// bridge FDB entry with NDA_DST (`bridge fdb append ... dst`, flannel's and Calico's per-peer entries, Docker's
    /// overlay peers). ARP/NDP neighbours and plain learned MACs, the group's usual traffic, are not.
    /// </summary>
    public static bool IsTunnelEndpointChange(in NetlinkMessage message) =>
        message.Type is RTM_NEWNEIGH or RTM_DELNEIGH && TryParseFdbRemote(message.Payload, out var remote, out _) && remote is not null;

    private static VxlanInfo ParseVxlan(ReadOnlySpan<byte> data)
    {
        int? id = null, port = null, link = null;
        string? local = null, group = null;
        var reader = new NetlinkAttributeReader(data);
        while (reader.TryRead(out var a))
        {
            switch (a.Type)
            {
                case IFLA_VXLAN_ID when a.Value.Length >= 4: id = (int)MemoryMarshal.Read<uint>(a.Value); break;
                case IFLA_VXLAN_LINK when a.Value.Length >= 4: link = MemoryMarshal.Read<int>(a.Value); break;
                case IFLA_VXLAN_LOCAL when a.Value.Length == 4: local = new IPAddress(a.Value).ToString(); break;
                case IFLA_VXLAN_PORT when a.Value.Length >= 2: port = (a.Value[0] << 8) | a.Value[1]; break; // network byte order
                case IFLA_VXLAN_GROUP when a.Value.Length == 4 && MemoryMarshal.Read<uint>(a.Value) != 0:
                case IFLA_VXLAN_GROUP6 when a.Value.Length == 16 && a.Value.IndexOfAnyExcept((byte)0) >= 0:
                    group = new IPAddress(a.Value).ToString();
                    break;
            }
        }
        return new VxlanInfo(id, port, link is 0 ? null : link, local == "0.0.0.0" ? null : local) { Group = group };
    }

    /// <summary>Decodes the payload of an RTM_NEWADDR (ifaddrmsg + attributes). A family other than IPv4/IPv6 yields null.</summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> payload, out AddressInfo? address, out string? problem)
    {
        address = null;
        problem = null;
        // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
        if (payload.Length < 8)
        {
            problem = "ifaddrmsg shorter than 8 bytes";
            return false;
        }
        var family = payload[0];
        if (family is not (AF_INET or AF_INET6)) return true;
        var prefix = payload[1];
        var scope = payload[3];
        var index = MemoryMarshal.Read<int>(payload[4..]);
        ReadOnlySpan<byte> addressBytes = default, localBytes = default;
        var attributes = new NetlinkAttributeReader(payload[8..]);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type == IFA_ADDRESS) addressBytes = attribute.Value;
            else if (attribute.Type == IFA_LOCAL) localBytes = attribute.Value;
        }
        if (attributes.Malformed)
        {
            problem = $"malformed attribute in address of ifindex {index}";
            return false;
        }
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the same address, or on a point-to-point link
        // (`ip addr add 10.1.1.1 peer 10.1.1.2/32`) the peer's, and then the prefix is the peer's. IPv4 always sends
        // IFA_LOCAL; IPv6 sends it only alongside a peer, so without it IFA_ADDRESS is the interface's own.
        var chosen = !localBytes.IsEmpty ? localBytes : addressBytes;
        var expected = family == AF_INET ? 4 : 16;
        if (chosen.Length != expected)
        {
            problem = $"address of ifindex {index} has no {expected}-byte IFA_ADDRESS/IFA_LOCAL";
            return false;
        }
        var peer = !localBytes.IsEmpty && addressBytes.Length == expected && !addressBytes.SequenceEqual(localBytes)
            ? new IPAddress(addressBytes).ToString() : null;
        address = new AddressInfo
        {
            Index = index,
            Family = family == AF_INET ? 4 : 6,
            Address = new IPAddress(chosen).ToString(),
            PrefixLength = prefix,
            Scope = ScopeName(scope),
            Peer = peer,
        };
        return true;
    }

    /// <summary>Decodes the payload of an RTM_NEWROUTE (rtmsg + attributes). A family other than IPv4/IPv6 yields null.</summary>
    public static bool TryParseRoute(ReadOnlySpan<byte> payload, out RouteInfo? route, out string? problem)
    {
        route = null;
        problem = null;
        // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
        if (payload.Length < 12)
        {
            problem = "rtmsg shorter than 12 bytes";
            return false;
        }
        var family = payload[0];
        if (family is not (AF_INET or AF_INET6)) return true;
        var addressLength = family == AF_INET ? 4 : 16;
        var dstLength = payload[1];
        int table = payload[4];
        ReadOnlySpan<byte> dst = default, gateway = default, prefSrc = default;
        int? oif = null, metric = null;
        var attributes = new NetlinkAttributeReader(payload[12..]);
        while (attributes.TryRead(out var attribute))
        {
            var value = attribute.Value;
            switch (attribute.Type)
            {
                case RTA_DST: dst = value; break;
                case RTA_GATEWAY: gateway = value; break;
                case RTA_PREFSRC: prefSrc = value; break;
                case RTA_OIF when value.Length >= 4: oif = MemoryMarshal.Read<int>(value); break;
                case RTA_PRIORITY when value.Length >= 4: metric = MemoryMarshal.Read<int>(value); break;
                // rtm_table is 8 bits; tables above 255 exist only in RTA_TABLE.
                case RTA_TABLE when value.Length >= 4: table = MemoryMarshal.Read<int>(value); break;
                case RTA_MULTIPATH when oif is null && value.Length >= 8:
                    // First struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex; } then its own attributes.
                    var hopLength = MemoryMarshal.Read<ushort>(value);
                    oif = MemoryMarshal.Read<int>(value[4..]);
                    if (hopLength > 8 && hopLength <= value.Length)
                    {
                        var hop = new NetlinkAttributeReader(value[8..hopLength]);
                        while (hop.TryRead(out var hopAttribute))
                            if (hopAttribute.Type == RTA_GATEWAY) gateway = hopAttribute.Value;
                    }
                    break;
            }
        }
        if (attributes.Malformed)
        {
            problem = "malformed attribute in route";
            return false;
        }
        if ((!dst.IsEmpty && dst.Length != addressLength) || (!gateway.IsEmpty && gateway.Length != addressLength) || (!prefSrc.IsEmpty && prefSrc.Length != addressLength) || dstLength > addressLength * 8)
        {
            problem = "route address of the wrong length";
            return false;
        }
        string destination;
        if (dstLength == 0) destination = "default";
        else destination = $"{(dst.IsEmpty ? (family == AF_INET ? IPAddress.Any : IPAddress.IPv6Any) : new IPAddress(dst))}/{dstLength}";
        route = new RouteInfo
        {
            Family = family == AF_INET ? 4 : 6,
            Destination = destination,
            Gateway = gateway.IsEmpty ? null : new IPAddress(gateway).ToString(),
            OutIndex = oif,
            Table = table,
            Protocol = ProtocolName(payload[5]),
            Scope = ScopeName(payload[6]),
            Type = RouteTypeName(payload[7]),
            Metric = metric,
            PreferredSource = prefSrc.IsEmpty ? null : new IPAddress(prefSrc).ToString(),
        };
        return true;
    }

    /// <summary>Decodes an RTM_NEWNSID payload (rtgenmsg + NETNSA_NSID); -1 (NETNSA_NSID_NOT_ASSIGNED) when absent.</summary>
    public static int ParseNsId(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4) return -1;
        var attributes = new NetlinkAttributeReader(payload[4..]);
        while (attributes.TryRead(out var attribute))
            if (attribute.Type == 1 /* NETNSA_NSID */ && attribute.Value.Length >= 4) return MemoryMarshal.Read<int>(attribute.Value);
        return -1;
    }

    private static string CString(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }

    private static string FormatHardwareAddress(ReadOnlySpan<byte> value)
    {
        const string hex = "0123456789abcdef";
        Span<char> text = stackalloc char[value.Length * 3 - 1];
        for (var i = 0; i < value.Length; i++)
        {
            if (i > 0) text[i * 3 - 1] = ':';
            text[i * 3] = hex[value[i] >> 4];
            text[i * 3 + 1] = hex[value[i] & 0xf];
        }
        return new string(text);
    }

    // IF_OPER_* (RFC 2863), lower-cased.
    private static string OperStateName(byte state) => state switch
    {
        0 => "unknown",
        1 => "notpresent",
        2 => "down",
        3 => "lowerlayerdown",
        4 => "testing",
        5 => "dormant",
        6 => "up",
        _ => state.ToString(),
    };

    // rt_scope_t, named as iproute2 names them.
    private static string ScopeName(byte scope) => scope switch
    {
        0 => "global",
        200 => "site",
        253 => "link",
        254 => "host",
        255 => "nowhere",
        _ => scope.ToString(),
    };

    // RTPROT_*, named as iproute2's rt_protos names them.
    private static string ProtocolName(byte protocol) => protocol switch
    {
        0 => "unspec",
        1 => "redirect",
        2 => "kernel",
        3 => "boot",
        4 => "static",
        8 => "gated",
        9 => "ra",
        10 => "mrt",
        11 => "zebra",
        12 => "bird",
        16 => "dhcp",
        42 => "babel",
        186 => "bgp",
        187 => "isis",
        188 => "ospf",
        189 => "rip",
        _ => protocol.ToString(),
    };

    // RTN_*
    private static string RouteTypeName(byte type) => type switch
    {
        0 => "unspec",
        1 => "unicast",
        2 => "local",
        3 => "broadcast",
        4 => "anycast",
        5 => "multicast",
        6 => "blackhole",
        7 => "unreachable",
        8 => "prohibit",
        9 => "throw",
        10 => "nat",
        11 => "xresolve",
        _ => type.ToString(),
    };
}
