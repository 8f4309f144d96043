using System.Collections.Immutable;

namespace NetViz.Core.Sources;

/// <summary>The host namespace's packet-filter rules as <c>iptables-save -c</c> prints them, parsed.</summary>
public sealed record NatView
{
    /// <summary>False when the rules could not be read, or were read only in part (<see cref="Degraded"/>).</summary>
    public required bool Ok { get; init; }
    /// <summary>
    /// Rules were read but are not the whole rule set: the output was cut at a limit, or most of its lines could not
    /// be parsed. <see cref="Ok"/> is false, <see cref="Error"/> says why, and the rules read are still listed.
    /// </summary>
    public bool Degraded { get; init; }
    /// <summary>
    /// Detected, not configured: iptables-nft or iptables-legacy (what iptables-save reports; iptables-legacy also when
    /// iptables-nft says legacy tables hold the rules), or nftables when Docker's own <c>docker-bridges</c> tables exist.
    /// </summary>
    public string? Backend { get; init; }
    public string? Error { get; init; }
    /// <summary>Rules of the nat table, in chain order.</summary>
    public ImmutableArray<NatRule> Rules { get; init; } = [];
    /// <summary>Rules of the filter table (DOCKER, DOCKER-USER, DOCKER-ISOLATION-*, DOCKER-FORWARD, ...).</summary>
    public ImmutableArray<NatRule> FilterRules { get; init; } = [];
    /// <summary>Chains with their policy and counters, per table ("nat/POSTROUTING").</summary>
    public ImmutableArray<ChainInfo> Chains { get; init; } = [];
    /// <summary>Lines that could not be parsed, with their line number: the first few, then "… and N more".</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
    /// <summary>Rules of the IPv6 nat table (<c>ip6tables-save</c>, or Docker's <c>ip6 docker-bridges</c> nftables table), <see cref="NatRule.Family"/> 6.</summary>
    public ImmutableArray<NatRule> Ip6Rules { get; init; } = [];
    /// <summary>Rules of the IPv6 filter table, <see cref="NatRule.Family"/> 6.</summary>
    public ImmutableArray<NatRule> Ip6FilterRules { get; init; } = [];
    /// <summary>Chains of the IPv6 nat and filter tables (<see cref="ChainInfo.Family"/> 6).</summary>
    public ImmutableArray<ChainInfo> Ip6Chains { get; init; } = [];
    /// <summary>Why the IPv6 rules could not be read (no ip6tables-save, refused, ...), or null. Does not make <see cref="Ok"/> false.</summary>
    public string? Ip6Error { get; init; }
    /// <summary>
    /// Rules read inside namespaces other than the host's (Docker's embedded DNS rules in each user-network container),
    /// each with <see cref="NatRule.NetnsInode"/> set. Not part of <see cref="Rules"/>: those are the host's.
    /// </summary>
    public ImmutableArray<NatRule> NamespaceRules { get; init; } = [];
}

public sealed record ChainInfo(string Table, string Name, string? Policy, long Packets, long Bytes)
{
    /// <summary>4 (iptables) or 6 (ip6tables).</summary>
    public int Family { get; init; } = 4;
}

/// <summary>One rule (an <c>-A</c> line) of an iptables table.</summary>
public sealed record NatRule
{
    public required string Table { get; init; }
    public required string Chain { get; init; }
    /// <summary>1-based position within its chain (as <c>iptables -L --line-numbers</c>).</summary>
    public required int Position { get; init; }
    /// <summary>The -j target (MASQUERADE, DNAT, RETURN, DOCKER, ACCEPT, ...), or null for a rule with none.</summary>
    public string? Target { get; init; }
    /// <summary>The rule as iptables-save prints it, without the counters: "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE".</summary>
    public required string Rule { get; init; }
    public long Packets { get; init; }
    public long Bytes { get; init; }
    public string? Protocol { get; init; }
    /// <summary>-s, as written (may be negated: see <see cref="SourceNegated"/>).</summary>
    public string? Source { get; init; }
    public bool SourceNegated { get; init; }
    public string? Destination { get; init; }
    public bool DestinationNegated { get; init; }
    public string? InInterface { get; init; }
    public bool InInterfaceNegated { get; init; }
    public string? OutInterface { get; init; }
    public bool OutInterfaceNegated { get; init; }
    /// <summary>--dport (single port or range "8000:8010").</summary>
    public string? DestinationPort { get; init; }
    /// <summary>--to-destination of DNAT, as written ("172.17.0.3:80").</summary>
    public string? ToDestination { get; init; }
    public string? ToIp { get; init; }
    public int? ToPort { get; init; }
    /// <summary>--to-source of SNAT.</summary>
    public string? ToSource { get; init; }
    /// <summary>-m addrtype --dst-type (LOCAL for Docker's PREROUTING/OUTPUT jumps).</summary>
    public string? DstType { get; init; }
    public string? Comment { get; init; }
    /// <summary>False for a rule in a user chain that no reachable chain jumps to: kept by iptables, never matched.</summary>
    public bool Reachable { get; init; } = true;
    /// <summary>4 for iptables (ip family), 6 for ip6tables (ip6 family).</summary>
    public int Family { get; init; } = 4;
    /// <summary>The namespace whose rule set this is, or null for the host's.</summary>
    public ulong? NetnsInode { get; init; }
}
