using NetViz.Core.Model;
using NetViz.Web.Graph;

namespace NetViz.Web.Views;

/// <summary>A container's address on one Docker network.</summary>
public sealed record ContainerAddress(string Network, string? NetworkNodeId, string Address);

/// <summary>One row of the Containers page.</summary>
public sealed record ContainerRow(
    string NodeId, string Name, string Image, string State, string NetworkMode,
    string? NetnsNodeId, string NetnsLabel, string? SharesWith, long? Pid,
    IReadOnlyList<ContainerAddress> Addresses, IReadOnlyList<string> Ports);

/// <summary>One row of the Networks page.</summary>
public sealed record NetworkRow(
    string NodeId, string Name, string Driver, string? Bridge, string? BridgeNodeId,
    IReadOnlyList<string> Subnets, IReadOnlyList<string> Gateways, bool Internal,
    IReadOnlyList<ContainerAddress> Containers);

/// <summary>One row of the NAT page, in the columns of <c>iptables -t nat -L -v -n</c>.</summary>
public sealed record NatRuleRow(
    string NodeId, string Chain, long Num, long Packets, long Bytes, string Target, string Protocol,
    string In, string Out, string Source, string Destination, string Extra, string Rule, bool Reachable = true);

/// <summary>Projections of a snapshot into the table pages' rows. Pure.</summary>
public static class TopologyRows
{
    public static IReadOnlyList<ContainerRow> Containers(TopologyIndex index) =>
        index.OfKind<ContainerNode>()
            .Select(c => Container(index, c))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

    private static ContainerRow Container(TopologyIndex index, ContainerNode container)
    {
        var netns = index.NetnsOf(index.Node(container.Netns) ?? container);
        var addresses = container.Networks
            .Select(n => new ContainerAddress(n.Name, n.NetworkNode,
                n.IPAddress is { Length: > 0 } ip ? (n.PrefixLength > 0 ? $"{ip}/{n.PrefixLength}" : ip) : "-"))
            .ToList();
        return new ContainerRow(container.Id, container.Name, container.Image, container.State, container.NetworkMode,
            netns?.Id, netns?.Label ?? "-", container.SharesNetnsWith, container.Pid, addresses, [.. container.Ports.Select(Port)]);
    }

    /// <summary>"127.0.0.1:8080→80/tcp", as docker ps prints a published port; "80/tcp" when only exposed.</summary>
    public static string Port(PublishedPort port)
    {
        var inner = $"{port.ContainerPort}/{port.Protocol}";
        if (port.HostPort is not { } hostPort) return inner;
        var hostIp = port.HostIp is { Length: > 0 } ip ? ip : "0.0.0.0";
        return $"{hostIp}:{hostPort}→{inner}";
    }

    public static IReadOnlyList<NetworkRow> Networks(TopologyIndex index)
    {
        var containers = Containers(index);
        return index.OfKind<NetworkNode>()
            .Select(n =>
            {
                var attached = containers
                    .SelectMany(c => c.Addresses.Where(a => a.NetworkNodeId == n.Id).Select(a => new ContainerAddress(c.Name, c.NodeId, a.Address)))
                    .ToList();
                return new NetworkRow(n.Id, n.Name, n.Driver, n.BridgeName, n.Bridge, n.Subnets, n.Gateways, n.Internal, attached);
            })
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The host's NAT rules grouped by chain (PREROUTING, OUTPUT, POSTROUTING, then the others), in rule order: the
    /// page is the host's <c>iptables -t nat -L</c>; rules read inside other namespaces are not mixed into its chains.
    /// </summary>
    public static IReadOnlyList<IGrouping<string, NatRuleRow>> NatRulesByChain(TopologyIndex index)
    {
        string[] builtin = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
        return index.OfKind<NatRuleNode>()
            .Where(n => n.Netns is null)
            .Select(NatRule)
            .OrderBy(r => Array.IndexOf(builtin, r.Chain) is var i && i >= 0 ? i : builtin.Length)
            .ThenBy(r => r.Chain, StringComparer.Ordinal)
            .ThenBy(r => r.Num)
            .GroupBy(r => r.Chain)
            .ToList();
    }

    /// <summary>The columns of <c>iptables -t nat -L -v -n</c>, read off the parsed rule.</summary>
    private static NatRuleRow NatRule(NatRuleNode node)
    {
        var rule = node.Parsed;
        static string Match(string? value, bool negated, string any) => value is { Length: > 0 } v ? (negated ? "!" : "") + v : any;

        var extra = new List<string>();
        if (rule.DestinationPort is { } dport) extra.Add($"{rule.Protocol} dpt:{dport}");
        if (rule.DstType is { } dstType) extra.Add($"ADDRTYPE match dst-type {dstType}");
        if (rule.ToDestination is { } to) extra.Add("to:" + to);

        return new NatRuleRow(
            node.Id,
            rule.Chain,
            rule.Position,
            rule.Packets,
            rule.Bytes,
            rule.Target ?? "",
            rule.Protocol ?? "all",
            Match(rule.InInterface, rule.InInterfaceNegated, "*"),
            Match(rule.OutInterface, rule.OutInterfaceNegated, "*"),
            Match(rule.Source, rule.SourceNegated, "0.0.0.0/0"),
            Match(rule.Destination, rule.DestinationNegated, "0.0.0.0/0"),
            string.Join(' ', extra),
            rule.Rule,
            rule.Reachable);
    }
}
