using System.Collections.Immutable;
using System.Text.Json.Serialization;
using NetViz.Core.Sources;

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

    /// <summary>
    /// The host's filter table and chain policies, typed as the parser read them. Not in the JSON contract yet:
    /// the packet-path view will use them (and document them) first.
    /// </summary>
    [JsonIgnore] public PacketFilter Filter { get; init; } = PacketFilter.Empty;

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
    /// <summary>
    /// <c>/etc/machine-id</c> (32 lowercase hex digits), or null when unreadable: unlike the hostname it is unique per
    /// installation, so a hub can tell two hosts of the same name apart (docs/api.md).
    /// </summary>
    public string? MachineId { get; init; }
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
    /// <summary>Why the IPv6 rules (ip6tables-save) could not be read, or null; the IPv4 rules stand either way.</summary>
    public string? Ip6Error { get; init; }
}

public sealed record SourcesStatus
{
    public required DockerSourceStatus Docker { get; init; }
    public required SourceStatus Netlink { get; init; }
    public required NatSourceStatus Nat { get; init; }
}

/// <summary>The filter table of <c>iptables-save</c> (DOCKER-USER, DOCKER-ISOLATION-*, DOCKER-FORWARD, ...) and every chain's policy and counters.</summary>
public sealed record PacketFilter
{
    public static PacketFilter Empty { get; } = new();

    /// <summary>Rules of the filter table, in chain order.</summary>
    public EquatableArray<NatRule> Rules { get; init; } = [];
    /// <summary>Chains of the nat and filter tables with their policy and counters.</summary>
    public EquatableArray<ChainInfo> Chains { get; init; } = [];
    /// <summary>Rules of the ip6tables filter table (<see cref="NatRule.Family"/> 6), in chain order.</summary>
    public EquatableArray<NatRule> Ip6Rules { get; init; } = [];
    /// <summary>Chains of the ip6tables nat and filter tables.</summary>
    public EquatableArray<ChainInfo> Ip6Chains { get; init; } = [];
}
