using NetViz.Core.Model;
using NetViz.Core.Text;
using NetViz.Web.Graph;

namespace NetViz.Web.Commands;

/// <summary>A shell command a learner can type to see the same thing the dashboard shows.</summary>
/// <param name="Command">The command line, filled with real names, PIDs and addresses.</param>
/// <param name="Explanation">One line saying what it shows.</param>
/// <param name="ChangesHost">True when running it modifies the host (NetViz itself never does).</param>
public sealed record CommandHint(string Command, string Explanation, bool ChangesHost = false)
{
    /// <summary>Why the command gets no copy button (a name in it holds a control character), or null.</summary>
    public string? NotPasteableReason { get; } = ShellQuote.WhyNotPasteable(Command);
}

/// <summary>
/// The lesson's commands for a selected element, with values from the snapshot. Pure. Every value from the
/// snapshot goes through <see cref="ShellQuote.Word"/>: names are chosen by whoever creates the object (a tenant,
/// an unprivileged user in a user namespace), and these commands are pasted into root shells.
/// </summary>
public static class CommandHints
{
    public static IReadOnlyList<CommandHint> For(TopologySnapshot snapshot, string elementId) =>
        For(new TopologyIndex(snapshot), elementId);

    public static IReadOnlyList<CommandHint> For(TopologyIndex index, string elementId)
    {
        if (index.Node(elementId) is { } node)
        {
            return node.Kind switch
            {
                NodeKinds.Container => Container(index, node),
                NodeKinds.Netns => Netns(index, node),
                NodeKinds.Interface => Interface(index, node),
                NodeKinds.Network => Network(node),
                NodeKinds.NatRule => NatRule(node),
                NodeKinds.External => Host(),
                _ => [],
            };
        }
        if (index.Edge(elementId) is { } edge) return Edge(index, edge);
        return [];
    }

    private static IReadOnlyList<CommandHint> Container(TopologyIndex index, TopologyNode container)
    {
        var p = container.Props;
        var name = ShellQuote.Word(p.Str("name") ?? container.Label);
        var pid = p.Long("pid") is > 0 ? p.Long("pid")!.Value.ToString() : "<pid>";
        var hints = new List<CommandHint>
        {
            new($"docker inspect -f '{{{{.State.Pid}}}}' {name}", $"The PID of the container's main process ({pid}): the handle to its namespaces."),
            new($"ls -l /proc/{pid}/ns/net", "The network namespace of that process; the number in net:[...] is the namespace inode."),
            new($"nsenter --target {pid} --net ip addr", "The interfaces and addresses as the container sees them (eth0 is one end of a veth pair)."),
            new($"nsenter --target {pid} --net ip route", "The container's routing table: the default route goes via the bridge's address (docker0's 172.17.0.1 on the default network)."),
            new($"docker inspect {name}", "Everything Docker knows: NetworkSettings.Networks holds IP, gateway and MAC per network, SandboxKey the netns file."),
        };
        var mode = p.Str("networkMode");
        if (mode is "host")
            hints.Add(new("ip -br addr", "A --network host container has no netns of its own: it sees exactly the host's interfaces."));
        else if (mode?.StartsWith("container:", StringComparison.Ordinal) == true)
            hints.Add(new($"ls -l /proc/{pid}/ns/net /proc/$(docker inspect -f '{{{{.State.Pid}}}}' {ShellQuote.Word(Shared(index, mode))})/ns/net",
                "Both links point at the same inode: --network container:x joins x's network namespace."));
        if (p.Objects("ports").Count > 0)
            hints.Add(new($"docker port {name}", "The published ports; each is a DNAT rule in the nat table's DOCKER chain."));
        return hints;
    }

    private static string Shared(TopologyIndex index, string mode)
    {
        var target = mode["container:".Length..];
        return index.OfKind(NodeKinds.Container)
            .FirstOrDefault(c => c.Props.Str("id") is { } id && id.StartsWith(target, StringComparison.Ordinal) || c.Props.Str("name") == target)
            ?.Props.Str("name") ?? target;
    }

    private static IReadOnlyList<CommandHint> Netns(TopologyIndex index, TopologyNode netns)
    {
        if (index.IsHostNetns(netns)) return Host();
        var p = netns.Props;
        if (p.Str("name") is { } netnsName)
        {
            var name = ShellQuote.Word(netnsName);
            return
            [
                new($"ip netns exec {name} ip link", $"The links inside the named namespace {netnsName} (ip netns list shows it)."),
                new($"ip -n {name} addr", "The same namespace's addresses, with ip's -n shortcut."),
                new($"ip -n {name} route", "Its routing table."),
            ];
        }
        var pid = index.PidIn(netns)?.ToString() ?? "<pid>";
        var containerName = index.ContainersIn(netns).Select(c => c.Props.Str("name")).FirstOrDefault(n => n is not null);
        var mountName = containerName ?? "netns-" + (p.Long("inode")?.ToString() ?? "x");
        var mountPoint = ShellQuote.Word("/var/run/netns/" + mountName);
        return
        [
            new($"ls -l /proc/{pid}/ns/net", $"The namespace of PID {pid}; the inode is {p.Long("inode")?.ToString() ?? "shown in net:[...]"}."),
            new($"nsenter --target {pid} --net ip addr", "Run the host's ip inside this namespace."),
            new("ip netns list", "Docker's namespaces are not listed: they live in /var/run/docker/netns, not /var/run/netns."),
            new($"mkdir -p /var/run/netns && touch {mountPoint} && mount --bind /proc/{pid}/ns/net {mountPoint}",
                "CHANGES THE HOST (creates a bind mount): makes the namespace visible to ip netns. Undo with umount and rm.", ChangesHost: true),
            new($"ip netns exec {ShellQuote.Word(mountName)} ip link", "After the bind mount: the namespace's links through ip netns."),
        ];
    }

    private static IReadOnlyList<CommandHint> Interface(TopologyIndex index, TopologyNode nic)
    {
        var p = nic.Props;
        var shownName = p.Str("name") ?? nic.Label;
        var name = ShellQuote.Word(shownName);
        var type = p.Str("type");
        var netns = index.NetnsOf(nic);
        var prefix = InNetns(index, netns);
        var hints = new List<CommandHint>();
        if (type == "bridge")
        {
            hints.Add(new($"{prefix}ip link show type bridge", "All Linux bridges (docker0 is one)."));
            hints.Add(new($"{prefix}bridge link show master {name}", $"The ports enslaved to {shownName}: the host ends of the containers' veth pairs."));
            hints.Add(new($"{prefix}ip addr show {name}", $"{shownName}'s address is the containers' default gateway."));
            return hints;
        }
        hints.Add(new($"{prefix}ip -d link show {name}", $"Details of {shownName}: type ({type ?? "?"}), master bridge, and for a veth the peer's index (@ifN)."));
        hints.Add(new($"{prefix}ip addr show {name}", "Its addresses."));
        if (type == "veth")
            hints.Add(new($"{prefix}ethtool -S {name}", "peer_ifindex: the ifindex of the other end of the veth pair (possibly in another namespace)."));
        if (p.Str("master") is { } master && index.Node(master) is { } bridge)
            hints.Add(new($"{prefix}bridge link show dev {name}", $"{shownName} is a port of {bridge.Props.Str("name") ?? bridge.Label}."));
        return hints;
    }

    /// <summary>The prefix that runs a command in an interface's namespace: nothing on the host, ip netns exec or nsenter elsewhere.</summary>
    private static string InNetns(TopologyIndex index, TopologyNode? netns)
    {
        if (netns is null || index.IsHostNetns(netns)) return "";
        if (netns.Props.Str("name") is { } name) return $"ip netns exec {ShellQuote.Word(name)} ";
        return $"nsenter --target {index.PidIn(netns)?.ToString() ?? "<pid>"} --net ";
    }

    private static IReadOnlyList<CommandHint> Network(TopologyNode network)
    {
        var p = network.Props;
        var name = p.Str("name") ?? network.Label;
        var hints = new List<CommandHint>
        {
            new($"docker network inspect {ShellQuote.Word(name)}", "Subnet, gateway, and the containers attached with their IPs and MACs."),
        };
        if (p.Str("bridgeName") is { } bridge)
        {
            hints.Add(new($"ip addr show {ShellQuote.Word(bridge)}", $"The bridge that implements {name}; its address is the gateway."));
            hints.Add(new($"bridge link show master {ShellQuote.Word(bridge)}", "The veth ports of the attached containers."));
        }
        return hints;
    }

    private static IReadOnlyList<CommandHint> NatRule(TopologyNode rule)
    {
        var p = rule.Props;
        var chain = p.Str("chain") ?? "POSTROUTING";
        var target = p.Str("target");
        var hints = new List<CommandHint>
        {
            new($"iptables -t nat -L {ShellQuote.Word(chain)} -v -n --line-numbers", $"The {chain} chain with packet/byte counters; this rule is number {p.Long("position")?.ToString() ?? "?"}."),
        };
        if (RuleText(p.Str("rule")) is { Length: > 0 } text)
            hints.Add(new($"iptables-save -t nat | grep -F -- {ShellQuote.Quoted(text)}", "The rule exactly as iptables-save prints it."));
        if (target == "MASQUERADE")
            hints.Add(new("iptables -t nat -L POSTROUTING -v -n",
                $"MASQUERADE rewrites the source of packets from {p.Str("source") ?? "the subnet"} leaving by another interface to the host's address."));
        else if (target == "DNAT")
            hints.Add(new("iptables -t nat -L DOCKER -v -n",
                $"DNAT: traffic to {p.Str("hostIp") ?? "0.0.0.0"}:{p.Str("hostPort")} is sent to {p.Str("toIp")}:{p.Str("toPort")} (a published port)."));
        return hints;
    }

    private static IReadOnlyList<CommandHint> Host() =>
    [
        new("ip route", "The host's routing table: the default route is the way to the outside world."),
        new("ip -br link", "All of the host's links, one per line (veth ends appear as vethXXXX@ifN)."),
        new("ip -br addr", "The host's addresses, including each bridge's gateway address."),
    ];

    private static IReadOnlyList<CommandHint> Edge(TopologyIndex index, TopologyEdge edge)
    {
        var source = index.Node(edge.Source);
        var target = index.Node(edge.Target);
        if (source is null || target is null) return [];
        return edge.Kind switch
        {
            EdgeKinds.Veth or EdgeKinds.BridgePort or EdgeKinds.Lower => Interface(index, IsHostSide(index, source) ? source : target),
            EdgeKinds.Nat => NatRule(index.Node(edge.Source) is { Kind: NodeKinds.NatRule } rule ? rule : target),
            EdgeKinds.NetworkBridge => Network(source),
            EdgeKinds.Route => Host(),
            _ => [],
        };
    }

    private static bool IsHostSide(TopologyIndex index, TopologyNode nic) => index.IsHostNetns(index.NetnsOf(nic));

    /// <summary>An iptables-save line without its "[packets:bytes] " counter prefix (iptables-save -c).</summary>
    public static string? RuleText(string? rule)
    {
        if (rule is null) return null;
        rule = rule.Trim();
        if (rule.StartsWith('[') && rule.IndexOf("] ", StringComparison.Ordinal) is > 0 and var end) rule = rule[(end + 2)..];
        return rule;
    }
}
