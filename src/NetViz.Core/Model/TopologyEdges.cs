using System.Text.Json.Serialization;

namespace NetViz.Core.Model;

/// <summary>Edge kinds of the public contract.</summary>
public static class EdgeKinds
{
    /// <summary>The two ends of a veth pair.</summary>
    public const string Veth = "veth";
    /// <summary>A port enslaved to a bridge (IFLA_MASTER).</summary>
    public const string BridgePort = "bridge-port";
    /// <summary>A NAT rule to the interface or container it applies to.</summary>
    public const string Nat = "nat";
    /// <summary>A port enslaved to a master that is not a bridge (bond, team, vrf).</summary>
    public const string Master = "master";
    /// <summary>macvlan/vlan/vxlan/ipvlan to its lower (parent) device.</summary>
    public const string Lower = "lower";
    /// <summary>Default route: from the interface it leaves by to the outside world.</summary>
    public const string Route = "route";
    /// <summary>A Docker network to the bridge interface that implements it.</summary>
    public const string NetworkBridge = "network-bridge";
    /// <summary>A vxlan to where its UDP packets go: the underlay device, else the namespace its socket lives in.</summary>
    public const string Underlay = "underlay";
    /// <summary>Hub only: a vxlan on one host to the interface of another host that owns one of its remote endpoints.</summary>
    public const string Tunnel = "tunnel";
}

/// <summary>The <c>role</c> of a <see cref="NatEdge"/> (docs/api.md).</summary>
public static class NatRoles
{
    /// <summary>MASQUERADE/SNAT → the bridge whose subnet is its <c>-s</c>, or the interface owning a <c>/32</c> source.</summary>
    public const string Masquerade = "masquerade";
    /// <summary>MASQUERADE/SNAT without a source → its <c>-o</c> interface.</summary>
    public const string MasqueradeOut = "masquerade-out";
    /// <summary>MASQUERADE → the outside world, for traffic leaving by any other interface (<c>! -o docker0</c>).</summary>
    public const string Egress = "egress";
    /// <summary>DNAT → the interface owning its <c>--to-destination</c>.</summary>
    public const string DnatTo = "dnat-to";
    /// <summary>DNAT → the container owning its <c>--to-destination</c>; always beside a <see cref="DnatTo"/> edge.</summary>
    public const string DnatToContainer = "dnat-to-container";
    /// <summary>The host interface owning a DNAT rule's <c>-d</c> address → the rule.</summary>
    public const string DnatFrom = "dnat-from";
}

/// <summary>
/// A graph edge: one record type per kind. <c>id, kind, source, target</c> are the JSON envelope, a kind's own
/// public members its <c>props</c> (see <see cref="TopologyNode"/>).
/// </summary>
[JsonConverter(typeof(TopologyEdgeJsonConverter))]
public abstract record TopologyEdge
{
    private protected TopologyEdge(string kind) => Kind = kind;

    [JsonIgnore] public string Kind { get; }
    [JsonIgnore] public required string Id { get; init; }
    [JsonIgnore] public required string Source { get; init; }
    [JsonIgnore] public required string Target { get; init; }

    /// <summary>Derived: the Docker networks both ends belong to, so the network filter dims a cable with the boxes it joins.</summary>
    [JsonIgnore] public EquatableArray<string> Membership { get; init; } = [];
}

/// <summary>The two ends of a veth pair, in ordinal order.</summary>
public sealed record VethEdge() : TopologyEdge(EdgeKinds.Veth);

/// <summary>A port to the master it is enslaved to (IFLA_MASTER).</summary>
public abstract record PortEdge : TopologyEdge
{
    private protected PortEdge(string kind) : base(kind) { }

    /// <summary>The master's name.</summary>
    public required string Master { get; init; }
    /// <summary>The master's link kind (bridge, bond, ...).</summary>
    public required string MasterType { get; init; }
}

/// <summary>A port to its bridge.</summary>
public sealed record BridgePortEdge() : PortEdge(EdgeKinds.BridgePort);

/// <summary>A port to a master that is not a bridge (bond, team, vrf).</summary>
public sealed record MasterEdge() : PortEdge(EdgeKinds.Master);

/// <summary>An upper device (macvlan, vxlan, ...) to its lower device.</summary>
public sealed record LowerEdge() : TopologyEdge(EdgeKinds.Lower)
{
    /// <summary>The upper device's link kind.</summary>
    public required string Type { get; init; }
}

/// <summary>A namespace's default route, from the interface it leaves by to its gateway side.</summary>
public sealed record RouteEdge() : TopologyEdge(EdgeKinds.Route)
{
    public string Destination { get; init; } = "default";
    public string? Gateway { get; init; }
    public int Family { get; init; } = 4;
}

/// <summary>A vxlan to its underlay: IFLA_VXLAN_LINK's device, else the namespace IFLA_LINK_NETNSID names (Docker's vxlan0: the host).</summary>
public sealed record UnderlayEdge() : TopologyEdge(EdgeKinds.Underlay)
{
    public int? VxlanId { get; init; }
    public int? VxlanPort { get; init; }
}

/// <summary>
/// Hub only: a cable between two hosts. A vxlan (source) tunnels to an underlay address (one of its
/// <see cref="InterfaceNode.VxlanRemotes"/>) that exactly one other host owns, on that host's interface (target).
/// </summary>
public sealed record TunnelEdge() : TopologyEdge(EdgeKinds.Tunnel)
{
    /// <summary>The remote endpoint's underlay address.</summary>
    public required string Remote { get; init; }
    public required string SourceHost { get; init; }
    public required string TargetHost { get; init; }
    public int? VxlanId { get; init; }
    public int? VxlanPort { get; init; }
    /// <summary>The vxlan's <see cref="InterfaceNode.VxlanOverlay"/>.</summary>
    public string? Overlay { get; init; }
}

/// <summary>A Docker network to the bridge that implements it.</summary>
public sealed record NetworkBridgeEdge() : TopologyEdge(EdgeKinds.NetworkBridge)
{
    public string? BridgeName { get; init; }
}

/// <summary>A NAT rule and what it applies to; <see cref="Role"/> says how (<see cref="NatRoles"/>).</summary>
public sealed record NatEdge() : TopologyEdge(EdgeKinds.Nat)
{
    public required string Role { get; init; }

    /// <summary>Derived: what the rule at either end rewrites, so every arrow of a rule can have its colour.</summary>
    [JsonIgnore] public NatTranslation Translation { get; init; }

    /// <summary>Derived: the namespace of the rule at either end when it belongs to another namespace's rule set, else null.</summary>
    [JsonIgnore] public string? RuleNetns { get; init; }
}
