using System.Text.Json;
using NetViz.Core.Model;
using NetViz.Web.Commands;
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
        index.OfKind(NodeKinds.Container)
            .Select(c => Container(index, c))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

    private static ContainerRow Container(TopologyIndex index, TopologyNode node)
    {
        var p = node.Props;
        var mode = p.Str("networkMode") ?? "";
        var netns = index.Node(p.Str("netns")) ?? index.Node(node.Parent);
        string? sharesWith = null;
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            var target = mode["container:".Length..];
            sharesWith = index.OfKind(NodeKinds.Container)
                .FirstOrDefault(c => c.Id != node.Id && (c.Props.Str("id")?.StartsWith(target, StringComparison.Ordinal) == true || c.Props.Str("name") == target))
                ?.Props.Str("name") ?? target;
        }
        var addresses = p.Objects("networks")
            .Select(n => new ContainerAddress(
                n.Str("name") ?? "?",
                index.NetworkFor(n.Str("networkId"), n.Str("name"))?.Id,
                n.Str("ipAddress") is { Length: > 0 } ip ? (n.Long("prefixLength") is > 0 ? $"{ip}/{n.Long("prefixLength")}" : ip) : "-"))
            .ToList();
        var ports = p.Objects("ports").Select(Port).ToList();
        return new ContainerRow(node.Id, p.Str("name") ?? node.Label, p.Str("image") ?? "", p.Str("state") ?? "", mode,
            netns?.Id, netns?.Label ?? "-", sharesWith, p.Long("pid"), addresses, ports);
    }

    /// <summary>"127.0.0.1:8080→80/tcp", as docker ps prints a published port; "80/tcp" when only exposed.</summary>
    public static string Port(JsonElement port)
    {
        var inner = $"{port.Str("containerPort")}/{port.Str("protocol") ?? "tcp"}";
        if (port.Str("hostPort") is not { Length: > 0 } hostPort) return inner;
        var hostIp = port.Str("hostIp") is { Length: > 0 } ip ? ip : "0.0.0.0";
        return $"{hostIp}:{hostPort}→{inner}";
    }

    public static IReadOnlyList<NetworkRow> Networks(TopologyIndex index)
    {
        var containers = Containers(index);
        return index.OfKind(NodeKinds.Network)
            .Select(n =>
            {
                var p = n.Props;
                var attached = containers
                    .SelectMany(c => c.Addresses.Where(a => a.NetworkNodeId == n.Id).Select(a => new ContainerAddress(c.Name, c.NodeId, a.Address)))
                    .ToList();
                return new NetworkRow(n.Id, p.Str("name") ?? n.Label, p.Str("driver") ?? "", p.Str("bridgeName"), p.Str("bridge"),
                    p.Strings("subnets"), p.Strings("gateways"), p.Bool("internal") == true, attached);
            })
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>NAT rules grouped by chain (PREROUTING, OUTPUT, POSTROUTING, then the others), in rule order.</summary>
    public static IReadOnlyList<IGrouping<string, NatRuleRow>> NatRulesByChain(TopologyIndex index)
    {
        string[] builtin = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
        return index.OfKind(NodeKinds.NatRule)
            .Select(NatRule)
            .OrderBy(r => Array.IndexOf(builtin, r.Chain) is var i && i >= 0 ? i : builtin.Length)
            .ThenBy(r => r.Chain, StringComparer.Ordinal)
            .ThenBy(r => r.Num)
            .GroupBy(r => r.Chain)
            .ToList();
    }

    private static NatRuleRow NatRule(TopologyNode node)
    {
        var p = node.Props;
        var text = CommandHints.RuleText(p.Str("rule")) ?? "";
        var rule = IptablesRule.Parse(text);
        string Either(string? fromProps, bool negated, string? parsed, string fallback) =>
            fromProps is { Length: > 0 } v ? (negated ? "!" : "") + v : parsed ?? fallback;

        var extra = new List<string>();
        if (rule.Get("--dport") is { } dport) extra.Add($"{rule.Get("-p") ?? p.Str("protocol")} dpt:{dport}");
        if (rule.Get("--dst-type") is { } dstType) extra.Add($"ADDRTYPE match dst-type {dstType}");
        var to = rule.Get("--to-destination") ?? (p.Str("toIp") is { } toIp ? toIp + (p.Str("toPort") is { } toPort ? ":" + toPort : "") : null);
        if (to is not null) extra.Add("to:" + to);

        return new NatRuleRow(
            node.Id,
            p.Str("chain") ?? rule.Chain ?? "?",
            p.Long("position") ?? 0,
            p.Long("packets") ?? 0,
            p.Long("bytes") ?? 0,
            p.Str("target") ?? rule.Get("-j") ?? "",
            p.Str("protocol") ?? rule.Get("-p") ?? "all",
            Either(p.Str("inInterface"), p.Bool("inInterfaceNegated") == true, rule.Get("-i"), "*"),
            Either(p.Str("outInterface"), p.Bool("outInterfaceNegated") == true, rule.Get("-o"), "*"),
            Either(p.Str("source"), p.Bool("sourceNegated") == true, rule.Get("-s"), "0.0.0.0/0"),
            Either(p.Str("destination"), p.Bool("destinationNegated") == true, rule.Get("-d"), "0.0.0.0/0"),
            string.Join(' ', extra),
            text,
            p.Bool("reachable") != false);
    }
}

/// <summary>The options of one iptables-save rule line ("-A DOCKER -d 127.0.0.1/32 ! -i docker0 ..."), "!" kept on the value.</summary>
public sealed class IptablesRule
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public string? Chain { get; private set; }

    public string? Get(string option) => _options.GetValueOrDefault(option);

    public static IptablesRule Parse(string text)
    {
        var rule = new IptablesRule();
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var negate = false;
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token == "!") { negate = true; continue; }
            if (token.StartsWith('-') && i + 1 < tokens.Length && !tokens[i + 1].StartsWith('-'))
            {
                var value = tokens[++i];
                if (value == "!") { negate = true; if (i + 1 < tokens.Length) value = tokens[++i]; }
                if (token == "-A") rule.Chain = value;
                else rule._options.TryAdd(token, (negate ? "!" : "") + value);
            }
            negate = false;
        }
        return rule;
    }
}
