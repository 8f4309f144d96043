using System.Collections.Immutable;
using System.Globalization;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Text;

namespace NetViz.Core.Timeline;

/// <summary>
/// Says what a diff did, in the order the lesson explains it: a container, its namespace, the veth made in the host
/// and moved into the namespace, enslaved to the bridge, the address, the routes, then the NAT rules. Counters that
/// tick (bytes, packets) are not changes a learner asks about: a diff of nothing else gives no steps.
/// </summary>
public static class ChangeNarrator
{
    /// <summary>Steps kept per diff; a larger change (the first look at 300 namespaces) ends with one "and N more".</summary>
    public const int MaxStepsPerDiff = 200;

    public static ImmutableArray<TimelineStep> Describe(TopologySnapshot before, TopologySnapshot after, TopologyDiff diff)
    {
        var old = before.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var now = after.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var steps = new List<(int Rank, TimelineStep Step)>();
        void Add(int rank, string kind, string text, string[] args, params string[] elements) =>
            steps.Add((rank, new TimelineStep(kind, Bounded.Text(text, 600), [.. args.Select(a => Bounded.Text(a))], [.. elements.Distinct(StringComparer.Ordinal)])));

        string NetnsText(ulong inode, IReadOnlyDictionary<string, TopologyNode> nodes)
        {
            if (nodes.TryGetValue(NodeId.Netns(inode), out var n) && n is NetnsNode ns)
            {
                if (ns.IsHost) return "the host namespace";
                if (ns.Containers.Count > 0) return $"network namespace {inode} ({string.Join(", ", ns.Containers.Select(c => c.Name))})";
                if (ns.Name is { } name) return $"network namespace {inode} ({name})";
            }
            return $"network namespace {inode}";
        }
        bool InHost(InterfaceNode i, IReadOnlyDictionary<string, TopologyNode> nodes) =>
            i.InHostNamespace || (nodes.TryGetValue(NodeId.Netns(i.NetnsInode), out var n) && n is NetnsNode { IsHost: true });
        string IfName(string id, IReadOnlyDictionary<string, TopologyNode> nodes) => nodes.TryGetValue(id, out var n) ? n.Label : id;

        foreach (var node in diff.AddedNodes)
        {
            switch (node)
            {
                case ContainerNode c:
                    Add(0, StepKinds.ContainerCreated, $"container {c.Name} ({c.Image}) created, {c.State}, network mode {c.NetworkMode}",
                        [c.Name, c.Image, c.State, c.NetworkMode], c.Id);
                    break;
                case NetworkNode net:
                    Add(0, StepKinds.NetworkCreated, $"Docker network {net.Name} created ({net.Driver}{(net.Subnets.Count > 0 ? ", " + string.Join(", ", net.Subnets) : "")})",
                        [net.Name, net.Driver, string.Join(", ", net.Subnets)], net.Id);
                    break;
                case NetnsNode ns:
                    Add(1, StepKinds.NetnsCreated, $"{NetnsText(ns.Inode, now)} created", [Inode(ns.Inode), Names(ns)], ns.Id);
                    AddRoutes(ns, [], ns.Routes);
                    break;
                case InterfaceNode i:
                    if (InHost(i, now))
                        Add(2, StepKinds.LinkCreated, $"{i.Type} {i.Name} created in the host namespace", [i.Type, i.Name], i.Id);
                    else
                        Add(3, StepKinds.LinkInNetns, $"{i.Type} {i.Name} placed in {NetnsText(i.NetnsInode, now)}", [i.Type, i.Name, Inode(i.NetnsInode)], i.Id, NodeId.Netns(i.NetnsInode));
                    AddAddresses(i, [], i.Addresses, now);
                    if (i.Up && i.Type != "loopback") Add(6, StepKinds.LinkUp, $"{i.Name} is up", [i.Name], i.Id);
                    break;
                case NatRuleNode rule:
                    Add(9, StepKinds.NatAdded, $"NAT rule added: {rule.Describe()}", [rule.Describe(), rule.Chain], [rule.Id, .. NatEdges(rule.Id, after)]);
                    break;
            }
        }

        foreach (var node in diff.UpdatedNodes)
        {
            if (!old.TryGetValue(node.Id, out var previous)) continue;
            switch (node, previous)
            {
                case (ContainerNode c, ContainerNode was) when c.State != was.State:
                    if (c.IsRunning) Add(10, StepKinds.ContainerStarted, $"container {c.Name} started", [c.Name], c.Id);
                    else Add(10, StepKinds.ContainerStopped, $"container {c.Name} is {c.State}", [c.Name, c.State], c.Id);
                    break;
                case (NetnsNode ns, NetnsNode was):
                    AddRoutes(ns, was.Routes, ns.Routes);
                    break;
                case (InterfaceNode i, InterfaceNode was):
                    AddAddresses(i, was.Addresses, i.Addresses, now);
                    if (i.Up != was.Up)
                        Add(6, i.Up ? StepKinds.LinkUp : StepKinds.LinkDown, $"{i.Name} is {(i.Up ? "up" : "down")}", [i.Name], i.Id);
                    break;
            }
        }

        foreach (var edge in diff.AddedEdges)
        {
            switch (edge)
            {
                case VethEdge:
                    Add(4, StepKinds.VethPaired, $"veth pair {IfName(edge.Source, now)} ↔ {IfName(edge.Target, now)}",
                        [IfName(edge.Source, now), IfName(edge.Target, now)], edge.Id, edge.Source, edge.Target);
                    break;
                case PortEdge port:
                    Add(5, StepKinds.Enslaved, $"{IfName(edge.Source, now)} enslaved to {port.MasterType} {port.Master}",
                        [IfName(edge.Source, now), port.MasterType, port.Master], edge.Id, edge.Source, edge.Target);
                    break;
            }
        }

        foreach (var id in diff.RemovedEdges)
        {
            // A port released from its bridge while it lives on; a removed link says it all otherwise.
            if (before.Edges.FirstOrDefault(e => e.Id == id) is PortEdge port && now.ContainsKey(port.Source))
                Add(5, StepKinds.Released, $"{IfName(port.Source, now)} released from {port.MasterType} {port.Master}",
                    [IfName(port.Source, now), port.MasterType, port.Master], port.Source, port.Target);
        }

        foreach (var id in diff.RemovedNodes)
        {
            if (!old.TryGetValue(id, out var node)) continue;
            switch (node)
            {
                case NatRuleNode rule:
                    Add(11, StepKinds.NatRemoved, $"NAT rule removed: {rule.Describe()}", [rule.Describe(), rule.Chain]);
                    break;
                case InterfaceNode i:
                    Add(12, StepKinds.LinkRemoved, $"{i.Type} {i.Name} removed from {NetnsText(i.NetnsInode, old)}", [i.Type, i.Name, Inode(i.NetnsInode)]);
                    break;
                case NetnsNode ns:
                    Add(13, StepKinds.NetnsRemoved, $"{NetnsText(ns.Inode, old)} gone", [Inode(ns.Inode), Names(ns)]);
                    break;
                case ContainerNode c:
                    Add(14, StepKinds.ContainerRemoved, $"container {c.Name} removed", [c.Name]);
                    break;
                case NetworkNode net:
                    Add(14, StepKinds.NetworkRemoved, $"Docker network {net.Name} removed", [net.Name]);
                    break;
            }
        }

        var ordered = steps.OrderBy(s => s.Rank).Select(s => s.Step).ToList(); // OrderBy is stable: diff order within a rank
        if (ordered.Count <= MaxStepsPerDiff) return [.. ordered];
        var more = (ordered.Count - MaxStepsPerDiff + 1).ToString(CultureInfo.InvariantCulture);
        return [.. ordered.Take(MaxStepsPerDiff - 1), new TimelineStep(StepKinds.More, $"… and {more} more changes", [more], [])];

        void AddAddresses(InterfaceNode i, EquatableArray<InterfaceAddress> was, EquatableArray<InterfaceAddress> isNow, IReadOnlyDictionary<string, TopologyNode> nodes)
        {
            // fe80:: appears on every veth the moment it is up: noise for a learner.
            foreach (var a in isNow.Where(a => !a.IsIPv6LinkLocal && !was.Contains(a)))
                Add(7, StepKinds.AddressAdded, $"{a.Cidr} assigned to {i.Name}{Where(i, nodes)}", [a.Cidr, i.Name], i.Id);
            foreach (var a in was.Where(a => !a.IsIPv6LinkLocal && !isNow.Contains(a)))
                Add(7, StepKinds.AddressRemoved, $"{a.Cidr} removed from {i.Name}{Where(i, nodes)}", [a.Cidr, i.Name], i.Id);
        }

        string Where(InterfaceNode i, IReadOnlyDictionary<string, TopologyNode> nodes) => InHost(i, nodes) ? "" : $" in {NetnsText(i.NetnsInode, nodes)}";

        void AddRoutes(NetnsNode ns, EquatableArray<Route> was, EquatableArray<Route> isNow)
        {
            // fe80::/64 comes with every link that is up, like its fe80:: address: noise.
            foreach (var r in isNow.Where(r => !was.Contains(r) && !r.Destination.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase)))
                Add(8, StepKinds.RouteAdded, $"route {RouteText(r)} added in {NetnsText(ns.Inode, now)}", [RouteText(r), Inode(ns.Inode)], [ns.Id, .. RouteElements(ns, r)]);
            foreach (var r in was.Where(r => !isNow.Contains(r) && !r.Destination.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase)))
                Add(8, StepKinds.RouteRemoved, $"route {RouteText(r)} removed from {NetnsText(ns.Inode, now)}", [RouteText(r), Inode(ns.Inode)], ns.Id);
        }

        IEnumerable<string> RouteElements(NetnsNode ns, Route r)
        {
            if (r.Dev is null) yield break;
            var dev = after.Nodes.OfType<InterfaceNode>().FirstOrDefault(i => i.NetnsInode == ns.Inode && i.Name == r.Dev);
            if (dev is null) yield break;
            yield return dev.Id;
            if (r.Destination == "default")
                foreach (var e in after.Edges.OfType<RouteEdge>().Where(e => e.Source == dev.Id)) yield return e.Id;
        }
    }

    private static string RouteText(Route r) =>
        r.Destination + (r.Gateway is { } g ? " via " + g : "") + (r.Dev is { } d ? " dev " + d : "");

    private static string Inode(ulong inode) => inode.ToString(CultureInfo.InvariantCulture);

    private static string Names(NetnsNode ns) => ns.Containers.Count > 0 ? string.Join(", ", ns.Containers.Select(c => c.Name)) : ns.Name ?? "";

    private static IEnumerable<string> NatEdges(string ruleId, TopologySnapshot after) =>
        after.Edges.OfType<NatEdge>().Where(e => e.Source == ruleId || e.Target == ruleId).Select(e => e.Id);
}
