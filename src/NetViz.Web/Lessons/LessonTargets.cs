using System.Collections.Immutable;
using System.Globalization;
using NetViz.Core.Model;
using NetViz.Core.Text;
using NetViz.Web.Graph;

namespace NetViz.Web.Lessons;

/// <summary>What a lesson step shows on this host: the graph ids to focus and the real values for its commands.</summary>
/// <param name="Elements">Graph ids (nodes and edges) the step is about; empty when the host has no example.</param>
/// <param name="Values">Placeholder → value, already shell-quoted (<see cref="ShellQuote.Word"/>).</param>
public sealed record LessonTarget(ImmutableArray<string> Elements, ImmutableDictionary<string, string> Values)
{
    public bool Found => !Elements.IsEmpty;

    /// <summary>The command with every <c>{name}</c> it knows replaced; unknown ones stay as written, for the reader to fill.</summary>
    public string Fill(string template)
    {
        var text = template;
        foreach (var (name, value) in Values) text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
        return text;
    }
}

/// <summary>
/// Finds, on the live snapshot, the elements each lesson step is about. The lab's objects (netviz-lab-*) are
/// preferred when there, so the tour on <c>./lab.sh up</c> is the same every time; otherwise the first by name.
/// </summary>
public static class LessonTargets
{
    /// <summary>The <c>find:</c> values a lesson file may use.</summary>
    public static readonly ImmutableArray<string> Kinds = ["none", "host", "bridge", "veth", "netns", "route", "masquerade", "manual", "dnat"];

    private const string LabPrefix = "netviz-lab-";

    public static LessonTarget Find(TopologyIndex index, string kind)
    {
        var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var ids = new List<string>();
        switch (kind)
        {
            case "none":
                if (Pick(index.OfKind<ContainerNode>().Where(c => c.IsRunning && c.NetworkMode == "none")) is { } quiet)
                {
                    AddContainer(index, quiet, ids, values);
                    if (Netns(index, quiet) is { } ns)
                        ids.AddRange(index.Children(ns.Id).OfType<InterfaceNode>().Select(i => i.Id));
                }
                break;
            case "host":
                if (Pick(index.OfKind<ContainerNode>().Where(c => c.IsRunning && c.NetworkMode == "host")) is { } hosty)
                    AddContainer(index, hosty, ids, values);
                break;
            case "bridge":
                if (Docker0(index) is { } defaultBridge)
                {
                    ids.Add(defaultBridge.Id);
                    AddBridge(defaultBridge, values);
                    ids.AddRange(index.OfKind<NetworkNode>().Where(n => n.Bridge == defaultBridge.Id).Select(n => n.Id));
                }
                break;
            case "veth":
            case "netns":
            case "route":
                if (Bridged(index) is { } web && Netns(index, web) is { } webNs && Eth0(index, webNs) is { } eth0)
                {
                    AddContainer(index, web, ids, values);
                    var peer = index.Node(eth0.Peer) as InterfaceNode;
                    values["veth"] = ShellQuote.Word(eth0.Name);
                    if (peer is not null) values["veth-host"] = ShellQuote.Word(peer.Name);
                    var docker0 = Docker0(index);
                    if (docker0 is not null) AddBridge(docker0, values);
                    if (webNs.DefaultGateway is { } gw) values["gateway"] = ShellQuote.Word(gw);
                    if (eth0.Addresses.FirstOrDefault(a => a.Family == 4) is { } ip) values["ip"] = ShellQuote.Word(ip.Address);
                    ids.Remove(web.Id);
                    switch (kind)
                    {
                        case "veth":
                            ids.Clear();
                            ids.Add(eth0.Id);
                            if (peer is not null) ids.Add(peer.Id);
                            ids.AddRange(index.Snapshot.Edges.Where(e => e is VethEdge && (e.Source == eth0.Id || e.Target == eth0.Id)).Select(e => e.Id));
                            break;
                        case "netns":
                            ids.Clear();
                            ids.Add(webNs.Id);
                            ids.Add(web.Id);
                            break;
                        default:
                            ids.Clear();
                            ids.Add(eth0.Id);
                            if (docker0 is not null) ids.Add(docker0.Id);
                            ids.AddRange(index.Snapshot.Edges.OfType<RouteEdge>().Where(e => e.Source == eth0.Id).Select(e => e.Id));
                            break;
                    }
                }
                break;
            case "masquerade":
                if (Docker0(index) is { } bridge)
                {
                    var subnets = bridge.Addresses.Where(a => a.Family == 4).Select(a => Subnet(a)).ToHashSet(StringComparer.Ordinal);
                    var masquerade = index.OfKind<NatRuleNode>().FirstOrDefault(r => r.Target == "MASQUERADE" && r.Source is { } s && subnets.Contains(s));
                    if (masquerade is not null)
                    {
                        ids.Add(masquerade.Id);
                        ids.Add(bridge.Id);
                        ids.AddRange(NatEdges(index, masquerade.Id));
                        AddBridge(bridge, values);
                        values["subnet"] = ShellQuote.Word(masquerade.Source!);
                    }
                }
                break;
            case "manual":
                // A namespace made with `ip netns add` (no container), cabled to a bridge made with `ip link add`.
                var manual = index.OfKind<NetnsNode>()
                    .Where(n => !index.IsHostNetns(n) && n.Name is { Length: > 0 } && !index.ContainersIn(n).Any())
                    .OrderBy(n => n.Name!.StartsWith(LabPrefix, StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n.Name, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (manual is not null)
                {
                    ids.Add(manual.Id);
                    values["netns-name"] = ShellQuote.Word(manual.Name!);
                    values["inode"] = manual.Inode.ToString(CultureInfo.InvariantCulture);
                    foreach (var inside in index.Children(manual.Id).OfType<InterfaceNode>().Where(i => i.Peer is not null))
                    {
                        if (index.Node(inside.Peer) is not InterfaceNode hostEnd) continue;
                        ids.Add(hostEnd.Id);
                        values["veth-host"] = ShellQuote.Word(hostEnd.Name);
                        if (index.Node(hostEnd.Master) is InterfaceNode hand)
                        {
                            ids.Add(hand.Id);
                            AddBridge(hand, values);
                            var subnets = hand.Addresses.Where(a => a.Family == 4).Select(a => Subnet(a)).ToHashSet(StringComparer.Ordinal);
                            foreach (var rule in index.OfKind<NatRuleNode>().Where(r => r.Target == "MASQUERADE" && r.Source is { } s && subnets.Contains(s)))
                            {
                                ids.Add(rule.Id);
                                values["subnet"] = ShellQuote.Word(rule.Source!);
                            }
                        }
                        break;
                    }
                }
                break;
            case "dnat":
                var dnats = index.OfKind<NatRuleNode>().Where(r => r.Target == "DNAT" && r.ToIp is not null).ToList();
                var owner = Pick(index.OfKind<ContainerNode>().Where(c => c.IsRunning && c.Networks.Any(n => dnats.Any(r => r.ToIp == n.IPAddress))));
                if (owner is not null)
                {
                    AddContainer(index, owner, ids, values);
                    var rule = dnats.First(r => owner.Networks.Any(n => n.IPAddress == r.ToIp));
                    ids.Add(rule.Id);
                    ids.AddRange(NatEdges(index, rule.Id));
                    values["host-ip"] = ShellQuote.Word(rule.HostIp ?? "0.0.0.0");
                    if (rule.HostPort is { } hp) values["host-port"] = hp.ToString(CultureInfo.InvariantCulture);
                    values["to"] = ShellQuote.Word($"{rule.ToIp}{(rule.ToPort is { } tp ? ":" + tp.ToString(CultureInfo.InvariantCulture) : "")}");
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a lesson target");
        }
        return new LessonTarget([.. ids.Distinct(StringComparer.Ordinal)], values.ToImmutable());
    }

    /// <summary>The lab's container when there is one, else the first by name.</summary>
    private static ContainerNode? Pick(IEnumerable<ContainerNode> candidates) =>
        candidates.OrderBy(c => c.Name.StartsWith(LabPrefix, StringComparison.Ordinal) ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>A running container on the default bridge with its own namespace; one with a published port first (the lab's web).</summary>
    private static ContainerNode? Bridged(TopologyIndex index) =>
        index.OfKind<ContainerNode>()
            .Where(c => c.IsRunning && c.NetworkMode is "bridge" or "default" && c.Netns is not null)
            .OrderBy(c => c.Name.StartsWith(LabPrefix, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(c => c.Ports.Any(p => p.HostPort is not null) ? 0 : 1)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault(c => Netns(index, c) is { } ns && Eth0(index, ns) is not null);

    private static NetnsNode? Netns(TopologyIndex index, ContainerNode container) => index.Node(container.Netns) as NetnsNode;

    private static InterfaceNode? Eth0(TopologyIndex index, NetnsNode ns) =>
        index.Children(ns.Id).OfType<InterfaceNode>().Where(i => i.Type == "veth" && i.Peer is not null)
            .OrderBy(i => i.Name == "eth0" ? 0 : 1).FirstOrDefault();

    private static InterfaceNode? Docker0(TopologyIndex index)
    {
        var network = index.OfKind<NetworkNode>().FirstOrDefault(n => n.Name == "bridge" && n.Bridge is not null);
        return index.Node(network?.Bridge) as InterfaceNode
            ?? index.OfKind<InterfaceNode>().FirstOrDefault(i => i.Name == "docker0" && i.Type == "bridge");
    }

    private static void AddContainer(TopologyIndex index, ContainerNode c, List<string> ids, ImmutableDictionary<string, string>.Builder values)
    {
        ids.Add(c.Id);
        values["container"] = ShellQuote.Word(c.Name);
        if (c.Pid > 0) values["pid"] = c.Pid.ToString(CultureInfo.InvariantCulture);
        if (Netns(index, c) is { } ns)
        {
            ids.Add(ns.Id);
            values["inode"] = ns.Inode.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static void AddBridge(InterfaceNode bridge, ImmutableDictionary<string, string>.Builder values)
    {
        values["bridge"] = ShellQuote.Word(bridge.Name);
        if (bridge.Addresses.FirstOrDefault(a => a.Family == 4) is { } a) values["bridge-ip"] = ShellQuote.Word(a.Address);
    }

    private static IEnumerable<string> NatEdges(TopologyIndex index, string ruleId) =>
        index.Snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == ruleId || e.Target == ruleId).Select(e => e.Id);

    /// <summary>The network an address is in, as iptables writes a source: 172.17.0.1/16 → 172.17.0.0/16.</summary>
    private static string Subnet(InterfaceAddress a)
    {
        if (!System.Net.IPAddress.TryParse(a.Address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return a.Cidr;
        var bytes = ip.GetAddressBytes();
        var mask = a.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - a.PrefixLength);
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) & mask;
        return $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}/{a.PrefixLength}";
    }
}
