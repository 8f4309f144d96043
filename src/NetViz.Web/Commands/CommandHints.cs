using NetViz.Core.Model;
using NetViz.Core.Text;
using NetViz.Web.Graph;
using NetViz.Web.Localization;
using NetViz.Web.Views;
using System.Globalization;

namespace NetViz.Web.Commands;

/// <summary>A shell command a learner can type to see the same thing the dashboard shows.</summary>
/// <param name="Command">The command line, filled with real names, PIDs and addresses.</param>
/// <param name="Explanation">One line saying what it shows.</param>
/// <param name="ChangesHost">True when running it modifies the host (NetViz itself never does).</param>
/// <param name="NeedsPrevious">True when it works only after the command before it (which changes the host) has run.</param>
public sealed record CommandHint(string Command, string Explanation, bool ChangesHost = false, bool NeedsPrevious = false)
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
            return node switch
            {
                ContainerNode container => Container(index, container),
                NetnsNode netns => Netns(index, netns),
                InterfaceNode nic => Interface(index, nic),
                NetworkNode network => Network(network),
                NatRuleNode rule => NatRule(index, rule),
                ExternalNode => Host(),
                _ => [],
            };
        }
        if (index.Edge(elementId) is { } edge) return Edge(index, edge);
        return [];
    }

    private static IReadOnlyList<CommandHint> Container(TopologyIndex index, ContainerNode container)
    {
        var name = ShellQuote.Word(container.Name);
        var pid = container.Pid > 0 ? container.Pid.ToString(CultureInfo.InvariantCulture) : "<pid>";
        var netns = index.Node(container.Netns) as NetnsNode;
        var mode = ElementExplanations.ModeOf(index, container);
        var inode = netns is null ? "" : $" ({netns.Inode})";
        var interfaces = netns is null ? "" : string.Join(", ", index.Children(netns.Id).OfType<InterfaceNode>().OrderBy(i => i.Ifindex).Take(6).Select(i => i.Name));
        var hints = new List<CommandHint>
        {
            new($"docker inspect -f '{{{{.State.Pid}}}}' {name}", H("Pid", pid)),
            new($"ls -l /proc/{pid}/ns/net", H("NsLink", inode)),
            new($"nsenter --target {pid} --net ip addr", mode switch
            {
                NetworkingMode.None => H("AddrNone"),
                NetworkingMode.Host => H("AddrHost"),
                _ => H("Addr", interfaces),
            }),
            new($"nsenter --target {pid} --net ip route", ElementExplanations.RouteSentence(index, netns, mode == NetworkingMode.Host ? ElementExplanations.Say.HostsTable : null)),
            new($"docker inspect {name}", H("Inspect")),
        };
        if (container.SharesNetnsWith is { } shared)
            hints.Add(new($"ls -l /proc/{pid}/ns/net /proc/$(docker inspect -f '{{{{.State.Pid}}}}' {ShellQuote.Word(shared)})/ns/net",
                H("SameInode")));
        if (!container.Ports.IsEmpty)
            hints.Add(new($"docker port {name}", H("DockerPort")));
        return hints;
    }

    private static IReadOnlyList<CommandHint> Netns(TopologyIndex index, NetnsNode netns)
    {
        if (index.IsHostNetns(netns)) return Host();
        if (netns.Name is { } netnsName)
        {
            var name = ShellQuote.Word(netnsName);
            return
            [
                new($"ip netns exec {name} ip link", H("NamedLinks", netnsName)),
                new($"ip -n {name} addr", H("NamedAddr")),
                new($"ip -n {name} route", H("NamedRoute")),
            ];
        }
        var pid = index.PidIn(netns)?.ToString() ?? "<pid>";
        var containerName = index.ContainersIn(netns).Select(c => c.Name).FirstOrDefault();
        var mountName = containerName ?? "netns-" + netns.Inode;
        var mountPoint = ShellQuote.Word("/var/run/netns/" + mountName);
        IEnumerable<CommandHint> holder = netns.Holder is { } held
            ? [new($"ps -o pid=,args= -p {held.Pid.ToString(CultureInfo.InvariantCulture)}", H("Holder", held.Pid.ToString(CultureInfo.InvariantCulture), held.Command))]
            : [];
        return
        [
            .. holder,
            new($"ls -l /proc/{pid}/ns/net", H("NsOfPid", pid, netns.Inode.ToString(CultureInfo.InvariantCulture))),
            new($"nsenter --target {pid} --net ip addr", H("Nsenter")),
            new("ip netns list", H("NetnsList")),
            new($"mkdir -p /var/run/netns && touch {mountPoint} && mount --bind /proc/{pid}/ns/net {mountPoint}",
                H("BindMount"), ChangesHost: true),
            new($"ip netns exec {ShellQuote.Word(mountName)} ip link", H("AfterMount"), NeedsPrevious: true),
        ];
    }

    private static IReadOnlyList<CommandHint> Interface(TopologyIndex index, InterfaceNode nic)
    {
        var shownName = nic.Name;
        var name = ShellQuote.Word(shownName);
        var type = nic.Type;
        var netns = index.NetnsOf(nic);
        var prefix = InNetns(index, netns);
        var hints = new List<CommandHint>();
        if (type == "bridge")
        {
            hints.Add(new($"{prefix}ip link show type bridge", H("AllBridges")));
            // Not `bridge link show master X`: iproute2 6.1 (Debian 12) ignores master there and lists every bridge's ports.
            hints.Add(new($"{prefix}ip link show master {name}", H("BridgePorts", shownName)));
            hints.Add(new($"{prefix}ip addr show {name}", H("BridgeAddr", shownName)));
            return hints;
        }
        hints.Add(new($"{prefix}ip -d link show {name}", H("LinkDetails", shownName, type ?? "?")));
        hints.Add(new($"{prefix}ip addr show {name}", H("Addresses")));
        if (type == "veth")
            hints.Add(new($"{prefix}ethtool -S {name}", H("Ethtool")));
        if (index.Node(nic.Master) is InterfaceNode bridge)
            hints.Add(new($"{prefix}bridge link show dev {name}", H("PortOf", shownName, bridge.Name)));
        return hints;
    }

    /// <summary>The prefix that runs a command in an interface's namespace: nothing on the host, ip netns exec or nsenter elsewhere.</summary>
    private static string InNetns(TopologyIndex index, NetnsNode? netns)
    {
        if (netns is null || index.IsHostNetns(netns)) return "";
        if (netns.Name is { } name) return $"ip netns exec {ShellQuote.Word(name)} ";
        return $"nsenter --target {index.PidIn(netns)?.ToString() ?? "<pid>"} --net ";
    }

    private static IReadOnlyList<CommandHint> Network(NetworkNode network)
    {
        var name = network.Name;
        var hints = new List<CommandHint>
        {
            new($"docker network inspect {ShellQuote.Word(name)}", H("NetworkInspect")),
        };
        if (network.BridgeName is { } bridge)
        {
            hints.Add(new($"ip addr show {ShellQuote.Word(bridge)}", H("NetworkBridge", name)));
            hints.Add(new($"ip link show master {ShellQuote.Word(bridge)}", H("NetworkPorts")));
        }
        return hints;
    }

    private static IReadOnlyList<CommandHint> NatRule(TopologyIndex index, NatRuleNode rule)
    {
        var chain = rule.Chain;
        var target = rule.Target;
        var tool = rule.Family == 6 ? "ip6tables" : "iptables";
        if (rule.Netns is { } netnsId && index.Node(netnsId) is NetnsNode netns && !index.IsHostNetns(netns))
            return NamespaceNatRule(index, rule, netns, tool);
        var hints = new List<CommandHint>
        {
            new($"{tool} -t nat -L {ShellQuote.Word(chain)} -v -n --line-numbers", H("Chain", chain, rule.Position.ToString(CultureInfo.InvariantCulture))),
        };
        if (rule.Rule is { Length: > 0 } text)
            hints.Add(new($"{tool}-save -t nat | grep -F -- {ShellQuote.Quoted(text)}", H("Save")));
        if (target == "MASQUERADE")
            hints.Add(new("iptables -t nat -L POSTROUTING -v -n",
                H("Masquerade", rule.Source ?? H("TheSubnet"))));
        else if (target == "DNAT")
        {
            hints.Add(new("iptables -t nat -L DOCKER -v -n",
                H("Dnat", rule.HostIp ?? "0.0.0.0", rule.HostPort?.ToString(CultureInfo.InvariantCulture) ?? "", rule.ToIp ?? "", rule.ToPort?.ToString(CultureInfo.InvariantCulture) ?? "")));
            if (rule.HostPort is { } port)
                hints.Add(new($"ss -ltnp 'sport = :{port.ToString(CultureInfo.InvariantCulture)}'",
                    H("Proxy")));
        }
        return hints;
    }

    /// <summary>
    /// A rule of another namespace's rule set (Docker's embedded DNS in each user-network container, ingress_sbox):
    /// shown where it lives. The host's iptables entered into that namespace reads it, as NetViz's reader does.
    /// </summary>
    private static IReadOnlyList<CommandHint> NamespaceNatRule(TopologyIndex index, NatRuleNode rule, NetnsNode netns, string tool)
    {
        var prefix = NetnsByPath(index, netns);
        var where = index.ContainersIn(netns).Select(c => c.Name).FirstOrDefault() is { } container
            ? H("ContainerNs", container) : H("Ns", netns.Name ?? netns.Inode.ToString(CultureInfo.InvariantCulture));
        var hints = new List<CommandHint>
        {
            new($"{prefix}{tool} -t nat -L {ShellQuote.Word(rule.Chain)} -v -n --line-numbers",
                H("NsChain", rule.Chain, where, rule.Position.ToString(CultureInfo.InvariantCulture))),
        };
        if (rule.Rule is { Length: > 0 } text)
            hints.Add(new($"{prefix}{tool}-save -t nat | grep -F -- {ShellQuote.Quoted(text)}", H("NsSave", tool)));
        if (rule.Chain.StartsWith("DOCKER_", StringComparison.Ordinal) && rule.ToIp == "127.0.0.11")
            hints.Add(new($"{prefix}ss -lntup", H("Dns", rule.ToPort?.ToString(CultureInfo.InvariantCulture) ?? "<port>")));
        return hints;
    }

    /// <summary>
    /// The prefix that runs a command in a namespace by a path that outlives a shell session: <c>ip netns exec</c> for a
    /// named one, else <c>nsenter --net=</c> its file (Docker's sandbox file before a /proc/PID one), else its PID.
    /// </summary>
    private static string NetnsByPath(TopologyIndex index, NetnsNode netns)
    {
        if (netns.Name is { } name) return $"ip netns exec {ShellQuote.Word(name)} ";
        var path = netns.Paths.FirstOrDefault(p => !p.StartsWith("/proc/", StringComparison.Ordinal)) ?? netns.Paths.FirstOrDefault();
        if (path is not null) return $"nsenter --net={ShellQuote.Word(path)} ";
        return InNetns(index, netns);
    }

    private static IReadOnlyList<CommandHint> Host() =>
    [
        new("ip route", H("HostRoute")),
        new("ip -br link", H("HostLinks")),
        new("ip -br addr", H("HostAddrs")),
    ];

    private static IReadOnlyList<CommandHint> Edge(TopologyIndex index, TopologyEdge edge)
    {
        var source = index.Node(edge.Source);
        var target = index.Node(edge.Target);
        if (source is null || target is null) return [];
        return edge switch
        {
            VethEdge or BridgePortEdge or LowerEdge when (IsHostSide(index, source) ? source : target) is InterfaceNode nic => Interface(index, nic),
            NatEdge => (source as NatRuleNode ?? target as NatRuleNode) is { } rule ? NatRule(index, rule) : [],
            NetworkBridgeEdge when source is NetworkNode network => Network(network),
            RouteEdge => Host(),
            _ => [],
        };
    }

    private static bool IsHostSide(TopologyIndex index, TopologyNode nic) => index.IsHostNetns(index.NetnsOf(nic));

    /// <summary>What a command shows, in the page's language ("Hint.*" of strings.py); the command itself is never translated.</summary>
    private static string H(string key, params object[] args) => SharedWords.Get("Hint." + key, args);

}
