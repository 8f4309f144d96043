using System.Net;
using System.Text.Json.Serialization;
using NetViz.Core.Sources;

namespace NetViz.Core.Model;

/// <summary>Node kinds of the public contract.</summary>
public static class NodeKinds
{
    public const string Netns = "netns";
    public const string Interface = "interface";
    public const string Container = "container";
    public const string Network = "network";
    public const string NatRule = "nat-rule";
    public const string External = "external";
    /// <summary>Only in a hub's snapshot: one per agent, the parent of everything of that host.</summary>
    public const string Host = "host";
}

/// <summary>
/// A graph node: one record type per kind. The members every kind shares are the JSON envelope
/// (<c>id, kind, label, parent</c>); a kind's own public members are its JSON <c>props</c>, in declaration order
/// (docs/api.md). Members marked <see cref="JsonIgnoreAttribute"/> are for the dashboard only: facts derived from the
/// whole graph (<see cref="Correlation.DerivedFacts"/>) or parsed fields the contract does not carry.
/// Records compare by value (collections are <see cref="EquatableArray{T}"/>), so the differ sees real changes only.
/// </summary>
[JsonConverter(typeof(TopologyNodeJsonConverter))]
public abstract record TopologyNode
{
    private protected TopologyNode(string kind) => Kind = kind;

    [JsonIgnore] public string Kind { get; }
    [JsonIgnore] public required string Id { get; init; }
    [JsonIgnore] public required string Label { get; init; }
    /// <summary>The netns node it lives in, or null.</summary>
    [JsonIgnore] public string? Parent { get; init; }

    /// <summary>
    /// Derived: ids of the Docker network nodes this node belongs to (for the dashboard's network filter), sorted.
    /// </summary>
    [JsonIgnore] public EquatableArray<string> Membership { get; init; } = [];
}

/// <summary>A network namespace, identified by the inode of its nsfs file.</summary>
public sealed record NetnsNode() : TopologyNode(NodeKinds.Netns)
{
    public required ulong Inode { get; init; }
    /// <summary>The <c>ip netns</c> name, or null.</summary>
    public string? Name { get; init; }
    /// <summary>The namespace NetViz runs in.</summary>
    public bool IsHost { get; init; }
    public EquatableArray<string> Paths { get; init; } = [];
    public EquatableArray<int> Pids { get; init; } = [];
    /// <summary>The process holding it (the lowest PID in it) and its command line, bounded; null when only a bind mount holds it.</summary>
    public NetnsHolder? Holder { get; init; }
    /// <summary>Containers whose network namespace this is, by name (JSON: their node ids).</summary>
    [NodeReference] public EquatableArray<ContainerRef> Containers { get; init; } = [];
    /// <summary>The main routing table.</summary>
    public EquatableArray<Route> Routes { get; init; } = [];
    public string? DefaultGateway { get; init; }
    /// <summary>
    /// What Docker made it for, from its sandbox file's name: <c>overlay</c> (<c>1-&lt;network id&gt;</c>: an overlay
    /// network's br0 and vxlan0), <c>ingress-sandbox</c> (<c>ingress_sbox</c>), <c>load-balancer</c> (<c>lb_&lt;network id&gt;</c>);
    /// null for the rest.
    /// </summary>
    public string? DockerRole { get; init; }
    /// <summary>For an overlay or load-balancer namespace: the node id of its Docker network.</summary>
    [NodeReference] public string? Network { get; init; }

    /// <summary>Derived: it holds nothing but loopback interfaces (a <c>--network none</c> container's namespace).</summary>
    [JsonIgnore] public bool HasOnlyLoopback { get; init; }
}

/// <summary>A container named from a namespace; written to JSON as its node id.</summary>
[JsonConverter(typeof(ContainerRefJsonConverter))]
public sealed record ContainerRef(string Id, string Name);

/// <summary>One route of a namespace's main table.</summary>
public sealed record Route
{
    /// <summary>4 or 6.</summary>
    public required int Family { get; init; }
    /// <summary>CIDR, or <c>default</c>.</summary>
    public required string Destination { get; init; }
    public string? Gateway { get; init; }
    /// <summary>Name of the interface it leaves by.</summary>
    public string? Dev { get; init; }
    public int? Metric { get; init; }
    public string? Scope { get; init; }
    public string? Protocol { get; init; }
    public string? PreferredSource { get; init; }
}

/// <summary>A link (RTM_NEWLINK) in one namespace.</summary>
public sealed record InterfaceNode() : TopologyNode(NodeKinds.Interface)
{
    public required string Name { get; init; }
    public required int Ifindex { get; init; }
    /// <summary>veth, bridge, loopback, device (a NIC without a link kind), macvlan, vxlan, tun, bond, ...</summary>
    public required string Type { get; init; }
    public string? Mac { get; init; }
    public int Mtu { get; init; }
    /// <summary>IFF_UP.</summary>
    public bool Up { get; init; }
    public string? OperState { get; init; }
    /// <summary>IPv4 before IPv6, link-local last (JSON: CIDR strings).</summary>
    public EquatableArray<InterfaceAddress> Addresses { get; init; } = [];
    /// <summary>Node id of the bridge/bond it is a port of.</summary>
    [NodeReference] public string? Master { get; init; }
    /// <summary>Node id of the other end of its veth pair, verified from both sides.</summary>
    [NodeReference] public string? Peer { get; init; }
    /// <summary>Node id of its lower device (macvlan, vxlan, ...).</summary>
    [NodeReference] public string? Lower { get; init; }
    public ulong RxBytes { get; init; }
    public ulong TxBytes { get; init; }
    public ulong RxPackets { get; init; }
    public ulong TxPackets { get; init; }
    public required ulong NetnsInode { get; init; }
    /// <summary>vxlan: the VNI (IFLA_VXLAN_ID).</summary>
    public int? VxlanId { get; init; }
    /// <summary>vxlan: the UDP port (IFLA_VXLAN_PORT; 4789 for Docker's overlay).</summary>
    public int? VxlanPort { get; init; }
    /// <summary>vxlan: node id of the namespace its UDP socket lives in (IFLA_LINK_NETNSID; the host for Docker's vxlan0), else null.</summary>
    [NodeReference] public string? UnderlayNetns { get; init; }
    /// <summary>
    /// vxlan: the underlay addresses of its remote tunnel endpoints: the static <c>remote</c> (IFLA_VXLAN_GROUP,
    /// unicast) and the bridge FDB's NDA_DST entries, distinct, sorted, at most <see cref="MaxVxlanRemotes"/>.
    /// </summary>
    public EquatableArray<string> VxlanRemotes { get; init; } = [];
    /// <summary>vxlan: its multicast group (IFLA_VXLAN_GROUP, multicast), else null.</summary>
    public string? VxlanGroup { get; init; }
    /// <summary>vxlan: which overlay made it, recognised by its device data (<see cref="VxlanOverlays"/>), else null.</summary>
    public string? VxlanOverlay { get; init; }

    public const int MaxVxlanRemotes = 256;
    /// <summary>Point-to-point addresses as <c>ip addr</c> prints them: "10.1.1.1 peer 10.1.1.2/32" (the prefix is the peer's).</summary>
    public EquatableArray<string> PeerAddresses { get; init; } = [];

    /// <summary>Derived: it lives in the namespace NetViz runs in.</summary>
    [JsonIgnore] public bool InHostNamespace { get; init; }
}

/// <summary>An address on an interface; written to JSON as its CIDR.</summary>
[JsonConverter(typeof(InterfaceAddressJsonConverter))]
public sealed record InterfaceAddress
{
    public required string Address { get; init; }
    public required int PrefixLength { get; init; }
    /// <summary>4 or 6.</summary>
    public int Family { get; init; } = 4;
    /// <summary>host, link, global, ...</summary>
    public string? Scope { get; init; }

    /// <summary>The peer of a point-to-point address, else null (<see cref="Cidr"/> then carries the peer's prefix length).</summary>
    public string? Peer { get; init; }

    public string Cidr => $"{Address}/{PrefixLength}";

    /// <summary>As <c>ip addr</c> prints it: the CIDR, or "10.1.1.1 peer 10.1.1.2/32" for a point-to-point address.</summary>
    public string Display => Peer is { } p ? $"{Address} peer {p}/{PrefixLength}" : Cidr;

    /// <summary>IPv6 fe80::/10: on every veth, and says nothing a learner needs on a label.</summary>
    public bool IsIPv6LinkLocal => IPAddress.TryParse(Address, out var ip) && ip.IsIPv6LinkLocal;

    public override string ToString() => Cidr;
}

/// <summary>A Docker container.</summary>
public sealed record ContainerNode() : TopologyNode(NodeKinds.Container)
{
    /// <summary>The full container id.</summary>
    [JsonPropertyName("id")] public required string ContainerId { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>State.Pid: 0 when not running.</summary>
    public int Pid { get; init; }
    public required string State { get; init; }
    /// <summary>HostConfig.NetworkMode: bridge, host, none, container:&lt;id&gt;, or a network name.</summary>
    public required string NetworkMode { get; init; }
    public string? SandboxKey { get; init; }
    /// <summary>Node id of its network namespace, or null.</summary>
    [NodeReference] public string? Netns { get; init; }
    /// <summary>Its attachments to Docker networks, by network name.</summary>
    public EquatableArray<NetworkAttachment> Networks { get; init; } = [];
    public EquatableArray<PublishedPort> Ports { get; init; } = [];

    [JsonIgnore] public bool IsRunning => State == "running";

    /// <summary>For <c>--network container:x</c>, x as written (an id or a name); else null.</summary>
    [JsonIgnore] public string? JoinedContainer =>
        NetworkMode.StartsWith("container:", StringComparison.Ordinal) ? NetworkMode["container:".Length..] : null;

    /// <summary>Derived: the name of the container whose namespace it joins (<see cref="JoinedContainer"/> resolved), else null.</summary>
    [JsonIgnore] public string? SharesNetnsWith { get; init; }
}

/// <summary>A container's attachment to one Docker network (NetworkSettings.Networks[name]).</summary>
public sealed record NetworkAttachment
{
    public required string Name { get; init; }
    /// <summary>The network's id as Docker reports it; "" when Docker gives none (a created, never started container).</summary>
    [JsonIgnore] public required string NetworkId { get; init; }
    /// <summary>JSON <c>networkId</c>: null rather than "" when Docker gives none, like every other unknown value.</summary>
    [JsonPropertyName("networkId")]
    public string? NetworkIdOrNull { get => string.IsNullOrEmpty(NetworkId) ? null : NetworkId; init => NetworkId = value ?? ""; }
    [JsonPropertyName("ipAddress")] public string? IPAddress { get; init; }
    public int PrefixLength { get; init; }
    public string? Gateway { get; init; }
    public string? MacAddress { get; init; }
    [JsonPropertyName("globalIPv6Address")] public string? GlobalIPv6Address { get; init; }
    /// <summary>Names the container answers to on this network's embedded DNS (<c>--network-alias</c>, and Docker's own).</summary>
    public EquatableArray<string> Aliases { get; init; } = [];

    /// <summary>Derived: the node id of that Docker network, when it is in the snapshot.</summary>
    [JsonIgnore] public string? NetworkNode { get; init; }
}

/// <summary>A published (or only exposed) port: HostIp:HostPort on the host to ContainerPort/Protocol in the container.</summary>
public sealed record PublishedPort
{
    public required int ContainerPort { get; init; }
    public required string Protocol { get; init; }
    public string? HostIp { get; init; }
    public int? HostPort { get; init; }
    /// <summary>The docker-proxy process for this binding (Docker's userland proxy), or null when none runs.</summary>
    public int? ProxyPid { get; init; }
    /// <summary>That process owns a socket listening on the host port (read from /proc/PID/net/tcp[6] and its fds).</summary>
    public bool ProxyListening { get; init; }
}

/// <summary>A Docker network.</summary>
public sealed record NetworkNode() : TopologyNode(NodeKinds.Network)
{
    /// <summary>The full network id.</summary>
    [JsonPropertyName("id")] public required string NetworkId { get; init; }
    public required string Name { get; init; }
    public required string Driver { get; init; }
    public string Scope { get; init; } = "local";
    public EquatableArray<string> Subnets { get; init; } = [];
    public EquatableArray<string> Gateways { get; init; } = [];
    public bool Internal { get; init; }
    [JsonPropertyName("enableIPv6")] public bool EnableIPv6 { get; init; }
    /// <summary>Node id of the Linux bridge that implements it, when that bridge exists.</summary>
    [NodeReference] public string? Bridge { get; init; }
    public string? BridgeName { get; init; }
    /// <summary>macvlan/ipvlan: node id of the host interface named by its <c>parent</c> option, when that interface exists.</summary>
    [NodeReference] public string? ParentInterface { get; init; }
    /// <summary>macvlan/ipvlan: the <c>parent</c> option (the host NIC its endpoints sit on), else null.</summary>
    public string? ParentInterfaceName { get; init; }
    /// <summary>Node ids of the containers attached to it.</summary>
    [NodeReference] public EquatableArray<string> Containers { get; init; } = [];
    /// <summary>Overlay: node id of the namespace holding its br0 and vxlan0.</summary>
    [NodeReference] public string? Netns { get; init; }
    /// <summary>
    /// Members as <c>docker network inspect</c> lists them (read for overlay networks and docker_gwbridge): containers and
    /// swarm's sandboxes (<c>ingress-sbox</c>, <c>lb-&lt;net&gt;</c>).
    /// </summary>
    public EquatableArray<NetworkMember> Endpoints { get; init; } = [];
}

/// <summary>A member of a Docker network: a container, or a sandbox that is not one.</summary>
public sealed record NetworkMember
{
    public required string Name { get; init; }
    /// <summary>Container node id, when the member is a container in the snapshot.</summary>
    [NodeReference] public string? Container { get; init; }
    /// <summary>Netns node id of a sandbox member (ingress_sbox, lb_*), when it is known.</summary>
    [NodeReference] public string? Netns { get; init; }
    [JsonPropertyName("ipv4Address")] public string? IPv4Address { get; init; }
    [JsonPropertyName("ipv6Address")] public string? IPv6Address { get; init; }
    public string? MacAddress { get; init; }
}

/// <summary>What a NAT rule rewrites.</summary>
public enum NatTranslation
{
    /// <summary>Nothing: RETURN, a jump to DOCKER, ...</summary>
    None,
    /// <summary>The source (MASQUERADE, SNAT).</summary>
    Source,
    /// <summary>The destination (DNAT, REDIRECT).</summary>
    Destination,
}

/// <summary>
/// One rule of the nat table. <see cref="Parsed"/> is the rule as <see cref="Sources.Nat.IptablesSaveParser"/> read it
/// (the only parse of iptables-save); the other members are read from it.
/// </summary>
public sealed record NatRuleNode() : TopologyNode(NodeKinds.NatRule)
{
    [JsonIgnore] public required NatRule Parsed { get; init; }

    public string Table => Parsed.Table;
    public string Chain => Parsed.Chain;
    public int Position => Parsed.Position;
    public string? Target => Parsed.Target;
    /// <summary>The rule as iptables-save prints it, without counters.</summary>
    public string Rule => Parsed.Rule;
    public long Packets => Parsed.Packets;
    public long Bytes => Parsed.Bytes;
    public bool Translating => Translation != NatTranslation.None;
    public string? Protocol => Parsed.Protocol;
    public string? Source => Parsed.Source;
    public bool SourceNegated => Parsed.SourceNegated;
    public string? Destination => Parsed.Destination;
    public bool DestinationNegated => Parsed.DestinationNegated;
    public string? InInterface => Parsed.InInterface;
    public bool InInterfaceNegated => Parsed.InInterfaceNegated;
    public string? OutInterface => Parsed.OutInterface;
    public bool OutInterfaceNegated => Parsed.OutInterfaceNegated;
    /// <summary>DNAT: the host address it answers on (<c>-d</c> without <c>/32</c>), null for any.</summary>
    public string? HostIp => IsDnat ? HostAddress(Parsed.Destination, Parsed.DestinationNegated) : null;
    /// <summary>DNAT: the host port (<c>--dport</c>) when it is one number.</summary>
    public int? HostPort => IsDnat && int.TryParse(Parsed.DestinationPort, out var port) ? port : null;
    public string? ToIp => Parsed.ToIp;
    public int? ToPort => Parsed.ToPort;
    public string? ToSource => Parsed.ToSource;
    public string? Comment => Parsed.Comment;
    /// <summary>False for a rule in a chain nothing jumps to: listed, never matched, not drawn as a gate.</summary>
    public bool Reachable => Parsed.Reachable;
    /// <summary>4 (iptables, nftables ip) or 6 (ip6tables, nftables ip6).</summary>
    public int Family => Parsed.Family;
    /// <summary>
    /// Node id of the namespace whose rule set holds it, or null for the host's: from the parsed rule's inode, unless
    /// given (a hub gives the agent's id with its host prefix).
    /// </summary>
    [NodeReference] public string? Netns { get => _netns ?? (Parsed.NetnsInode is { } ino ? NodeId.Netns(ino) : null); init => _netns = value; }
    private readonly string? _netns;

    /// <summary>Derived: for a published port's DNAT, the docker-proxy listening on the same port (it carries the host's own 127.0.0.1 traffic), else null.</summary>
    [JsonIgnore] public int? ProxyPid { get; init; }

    [JsonIgnore] public NatTranslation Translation => Parsed.Target switch
    {
        "MASQUERADE" or "SNAT" => NatTranslation.Source,
        "DNAT" or "REDIRECT" => NatTranslation.Destination,
        _ => NatTranslation.None,
    };

    private bool IsDnat => Parsed.Target == "DNAT";

    private string AnyNetwork => Parsed.Family == 6 ? "::/0" : "0.0.0.0/0";
    private string AnyAddress => Parsed.Family == 6 ? "::" : "0.0.0.0";

    /// <summary>An IPv6 address before a port is written in brackets, as ip6tables writes --to-destination.</summary>
    private static string Bracketed(string address) => address.Contains(':') ? $"[{address}]" : address;

    private static string? HostAddress(string? cidr, bool negated)
    {
        if (cidr is null || negated) return null;
        var slash = cidr.IndexOf('/');
        return slash < 0 ? cidr : cidr.EndsWith("/32", StringComparison.Ordinal) || cidr.EndsWith("/128", StringComparison.Ordinal) ? cidr[..slash] : cidr;
    }

    /// <summary>
    /// What the rule does, as the lesson reads it: "MASQUERADE 172.17.0.0/16 → !docker0",
    /// "DNAT tcp 127.0.0.1:8080 → 172.17.0.2:80". <paramref name="lineBreak"/> goes where a two-line label breaks.
    /// </summary>
    public string Describe(string lineBreak = " ")
    {
        var r = Parsed;
        return r.Target switch
        {
            "MASQUERADE" => $"MASQUERADE{lineBreak}{r.Source ?? AnyNetwork} → {(r.OutInterface is { } o ? (r.OutInterfaceNegated ? "!" : "") + o : "*")}",
            "DNAT" => $"DNAT {(r.Protocol is { } p ? p + " " : "")}{Bracketed(HostIp ?? AnyAddress)}:{HostPort?.ToString() ?? r.DestinationPort ?? "*"}{lineBreak}→ {(r.ToIp is { } ip ? (r.ToPort is { } port ? Bracketed(ip) + ":" + port : ip) : r.ToDestination)}",
            "SNAT" => $"SNAT{lineBreak}{r.Source ?? AnyNetwork} → {r.ToSource ?? "?"}",
            null => $"{r.Chain} #{r.Position}",
            var target => $"{target} ({r.Chain} #{r.Position})",
        };
    }
}

/// <summary>The world beyond the host's default route.</summary>
public sealed record ExternalNode() : TopologyNode(NodeKinds.External)
{
    /// <summary>Node id of the interface the default route leaves by.</summary>
    [NodeReference] public string? Via { get; init; }
    public string? ViaName { get; init; }
    public string? Gateway { get; init; }
}

/// <summary>
/// A host a hub shows (docs/api.md, "Several hosts"): the box around everything its agent reports. When the agent
/// stops answering, what it last reported stays, under a host whose <see cref="Status"/> says so, with why and since when.
/// </summary>
public sealed record HostNode() : TopologyNode(NodeKinds.Host)
{
    /// <summary>The name configured for the agent: the prefix of this host's ids.</summary>
    public required string Name { get; init; }
    /// <summary>The agent's base URL.</summary>
    public required string Url { get; init; }
    /// <summary>What the agent reports (<c>host.hostname</c>, <c>host.machineId</c>), null before its first snapshot.</summary>
    public string? Hostname { get; init; }
    public string? MachineId { get; init; }
    /// <summary><see cref="HostStatuses"/>: connecting, ok, unreachable.</summary>
    public required string Status { get; init; }
    /// <summary>Why it is unreachable (connection refused, HTTP 401, silent for 45 s, ...), else null.</summary>
    public string? Reason { get; init; }
    /// <summary>When the agent last sent anything (an event or its keep-alive), null if never.</summary>
    public DateTimeOffset? LastSeen { get; init; }
}

public static class HostStatuses
{
    public const string Connecting = "connecting";
    public const string Ok = "ok";
    public const string Unreachable = "unreachable";
}
