using System.Collections.Immutable;

namespace NetViz.Core.Sources;

/// <summary>What netlink and /proc say about every network namespace on the host.</summary>
public sealed record HostNetworkView
{
    public required bool Ok { get; init; }
    public required string? Error { get; init; }
    /// <summary>Inode of the namespace NetViz runs in (<c>/proc/self/ns/net</c>).</summary>
    public required ulong HostInode { get; init; }
    public required ImmutableArray<NetworkNamespaceView> Namespaces { get; init; }
    /// <summary>Things that could not be read (permissions, vanished namespaces), for the user.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
}

/// <summary>One network namespace, identified by the inode of its nsfs file.</summary>
public sealed record NetworkNamespaceView
{
    public required ulong Inode { get; init; }
    public required bool IsHost { get; init; }
    /// <summary>The <c>ip netns</c> name when it is bind-mounted under /var/run/netns, else null.</summary>
    public string? Name { get; init; }
    /// <summary>nsfs paths through which it was found (/var/run/netns/x, /var/run/docker/netns/y, /proc/PID/ns/net).</summary>
    public ImmutableArray<string> Paths { get; init; } = [];
    /// <summary>Pids whose /proc/PID/ns/net is this namespace (sorted, possibly truncated).</summary>
    public ImmutableArray<int> Pids { get; init; } = [];
    /// <summary>The process holding it (the lowest of <see cref="Pids"/>) with its command, or null.</summary>
    public Model.NetnsHolder? Holder { get; init; }
    public required ImmutableArray<LinkInfo> Links { get; init; }
    public required ImmutableArray<AddressInfo> Addresses { get; init; }
    public required ImmutableArray<RouteInfo> Routes { get; init; }
    /// <summary>
    /// This namespace's netns ids (RTM_GETNSID, as assigned by the kernel in this namespace) resolved to
    /// the inode of the namespace they denote. IFLA_LINK_NETNSID is relative to the namespace that reports it.
    /// </summary>
    public ImmutableDictionary<int, ulong> NsIdToInode { get; init; } = ImmutableDictionary<int, ulong>.Empty;
}

/// <summary>One link (RTM_NEWLINK) as the kernel reports it.</summary>
public sealed record LinkInfo
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    /// <summary>
    /// Our kind: IFLA_INFO_KIND when present (veth, bridge, macvlan, vxlan, tun, bond, ...),
    /// "loopback" for ARPHRD_LOOPBACK, "device" for a physical NIC with no info kind.
    /// </summary>
    public required string Type { get; init; }
    public string? Mac { get; init; }
    public int Mtu { get; init; }
    /// <summary>IFF_UP: administratively up.</summary>
    public bool Up { get; init; }
    /// <summary>IFLA_OPERSTATE as text (up, down, unknown, lowerlayerdown, ...).</summary>
    public string? OperState { get; init; }
    public uint Flags { get; init; }
    /// <summary>IFLA_LINK: peer (veth) or lower device (macvlan, vlan) ifindex, in the namespace given by <see cref="LinkNetnsId"/> or this one.</summary>
    public int? Link { get; init; }
    /// <summary>IFLA_LINK_NETNSID: the netns id, relative to the reporting namespace, where <see cref="Link"/> lives.</summary>
    public int? LinkNetnsId { get; init; }
    /// <summary>IFLA_MASTER: the bridge/bond this link is a port of.</summary>
    public int? Master { get; init; }
    public LinkCounters? Counters { get; init; }
    /// <summary>IFLA_INFO_DATA of a vxlan link, else null.</summary>
    public VxlanInfo? Vxlan { get; init; }
}

/// <param name="Id">IFLA_VXLAN_ID: the VNI.</param>
/// <param name="Port">IFLA_VXLAN_PORT: the UDP destination port (4789 for Docker's overlay).</param>
/// <param name="Link">IFLA_VXLAN_LINK: the underlay device's ifindex, when one was given.</param>
/// <param name="Local">IFLA_VXLAN_LOCAL: the underlay source address, when one was given.</param>
public sealed record VxlanInfo(int? Id, int? Port, int? Link, string? Local)
{
    /// <summary>IFLA_VXLAN_GROUP/GROUP6: a static <c>remote</c> (unicast) or a multicast <c>group</c>, when one was given.</summary>
    public string? Group { get; init; }

    /// <summary>
    /// The underlay addresses of the remote tunnel endpoints in the device's forwarding database (bridge FDB
    /// entries with NDA_DST: how Docker's overlay, flannel.1 and vxlan.calico keep their peers), distinct, sorted.
    /// </summary>
    public Model.EquatableArray<string> FdbRemotes { get; init; } = [];
}

public sealed record LinkCounters(ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes, ulong RxDropped, ulong TxDropped, ulong RxErrors, ulong TxErrors);

public sealed record AddressInfo
{
    public required int Index { get; init; }
    /// <summary>4 or 6.</summary>
    public required int Family { get; init; }
    public required string Address { get; init; }
    public required int PrefixLength { get; init; }
    /// <summary>host, link, global, ...</summary>
    public string? Scope { get; init; }
    /// <summary>The peer of a point-to-point address (IFA_ADDRESS when it differs from IFA_LOCAL), else null.</summary>
    public string? Peer { get; init; }
    public string Cidr => $"{Address}/{PrefixLength}";
}

public sealed record RouteInfo
{
    /// <summary>4 or 6.</summary>
    public required int Family { get; init; }
    /// <summary>CIDR, or "default" for 0.0.0.0/0 and ::/0.</summary>
    public required string Destination { get; init; }
    public string? Gateway { get; init; }
    public int? OutIndex { get; init; }
    /// <summary>Routing table number (254 main, 255 local).</summary>
    public int Table { get; init; }
    public string? Protocol { get; init; }
    public string? Scope { get; init; }
    /// <summary>unicast, local, broadcast, ...</summary>
    public string? Type { get; init; }
    public int? Metric { get; init; }
    public string? PreferredSource { get; init; }
}

/// <summary>A bridge FDB entry of a vxlan device that names a remote tunnel endpoint (NDA_DST).</summary>
/// <param name="Index">The vxlan device's ifindex.</param>
/// <param name="Address">The remote endpoint's underlay address.</param>
public sealed record FdbRemote(int Index, string Address);
