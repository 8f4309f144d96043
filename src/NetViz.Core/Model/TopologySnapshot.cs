using System.Collections.Immutable;
using System.Text.Json;

namespace NetViz.Core.Model;

/// <summary>
/// One immutable, self-consistent picture of the host's container networking.
/// Everything the dashboard, the JSON API and the CLI show comes from one of these.
/// The JSON shape is the public contract documented in docs/api.md.
/// </summary>
public sealed record TopologySnapshot
{
    public required DateTimeOffset GeneratedAt { get; init; }
    public required HostInfo Host { get; init; }
    public required SourcesStatus Sources { get; init; }
    public required ImmutableArray<TopologyNode> Nodes { get; init; }
    public required ImmutableArray<TopologyEdge> Edges { get; init; }

    public static TopologySnapshot Empty { get; } = new()
    {
        GeneratedAt = DateTimeOffset.UnixEpoch,
        Host = new HostInfo { Hostname = Environment.MachineName, Netns = null },
        Sources = new SourcesStatus
        {
            Docker = new DockerSourceStatus { Ok = false, Endpoint = "", Version = null, Error = "not collected yet" },
            Netlink = new SourceStatus { Ok = false, Error = "not collected yet" },
            Nat = new NatSourceStatus { Ok = false, Backend = null, Error = "not collected yet" },
        },
        Nodes = [],
        Edges = [],
    };
}

public sealed record HostInfo
{
    public required string Hostname { get; init; }
    /// <summary>Id of the netns node NetViz itself runs in (<c>netns:&lt;inode&gt;</c>).</summary>
    public required string? Netns { get; init; }
    /// <summary>Human-readable warnings about what could not be read (e.g. not root).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
}

public record SourceStatus
{
    public required bool Ok { get; init; }
    public required string? Error { get; init; }
}

public sealed record DockerSourceStatus : SourceStatus
{
    public required string Endpoint { get; init; }
    public required string? Version { get; init; }
}

public sealed record NatSourceStatus : SourceStatus
{
    public required string? Backend { get; init; }
    /// <summary>Rules were read only in part (a limit cut the output, or most lines were unreadable): ok is false, error says why, the rules read are shown.</summary>
    public bool Degraded { get; init; }
}

public sealed record SourcesStatus
{
    public required DockerSourceStatus Docker { get; init; }
    public required SourceStatus Netlink { get; init; }
    public required NatSourceStatus Nat { get; init; }
}

/// <summary>A graph node. <see cref="Props"/> is an immutable JSON object so snapshots compare by value.</summary>
public sealed record TopologyNode
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Label { get; init; }
    public string? Parent { get; init; }
    public required JsonElement Props { get; init; }

    public bool ContentEquals(TopologyNode other) =>
        Id == other.Id && Kind == other.Kind && Label == other.Label && Parent == other.Parent
        && JsonElement.DeepEquals(Props, other.Props);
}

public sealed record TopologyEdge
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Source { get; init; }
    public required string Target { get; init; }
    public required JsonElement Props { get; init; }

    public bool ContentEquals(TopologyEdge other) =>
        Id == other.Id && Kind == other.Kind && Source == other.Source && Target == other.Target
        && JsonElement.DeepEquals(Props, other.Props);
}

/// <summary>Node kinds of the public contract.</summary>
public static class NodeKinds
{
    public const string Netns = "netns";
    public const string Interface = "interface";
    public const string Container = "container";
    public const string Network = "network";
    public const string NatRule = "nat-rule";
    public const string External = "external";
}

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
    /// <summary>A container attached to a Docker network (with its IP on that network).</summary>
    public const string Attachment = "attachment";
}
