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
        // Most diffs are a counter tick: look up only the updated nodes' old versions (one pass, small table), and index
        // whole snapshots only when a step needs names from them.
        var updatedIds = diff.UpdatedNodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var previous = updatedIds.Count == 0 ? [] : before.Nodes.Where(n => updatedIds.Contains(n.Id)).ToDictionary(n => n.Id, StringComparer.Ordinal);
        var oldIndex = new Lazy<Dictionary<string, TopologyNode>>(() => before.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal));
        var nowIndex = new Lazy<Dictionary<string, TopologyNode>>(() => after.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal));
        var oldEdges = new Lazy<Dictionary<string, TopologyEdge>>(() => before.Edges.ToDictionary(e => e.Id, StringComparer.Ordinal));
        var steps = new List<(int Rank, TimelineStep Step)>();
        void Add(int rank, string kind, string text, string[] args, params string[] elements) =>
            steps.Add((rank, new TimelineStep(kind, Bounded.Text(text, 600), [.. args.Select(a => Bounded.Text(a))], [.. elements.Distinct(StringComparer.Ordinal)])));

        string NetnsText(ulong inode, Lazy<Dictionary<string, TopologyNode>> index)
        {
            if (index.Value.TryGetValue(NodeId.Netns(inode), out var n) && n is NetnsNode ns)
            {
                if (ns.IsHost) return "the host namespace";
                if (ns.Containers.Count > 0) return $"network namespace {inode} ({string.Join(", ", ns.Containers.Select(c => c.Name))})";
                if (ns.Name is { } name) return $"network namespace {inode} ({name})";
            }
            return $"network namespace {inode}";
        }
        bool InHost(InterfaceNode i, Lazy<Dictionary<string, TopologyNode>> index) =>
            i.InHostNamespace || (index.Value.TryGetValue(NodeId.Netns(i.NetnsInode), out var n) && n is NetnsNode { IsHost: true });
        string IfName(string id, Lazy<Dictionary<string, TopologyNode>> index) => index.Value.TryGetValue(id, out var n) ? n.Label : id;

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
                    Add(1, StepKinds.NetnsCreated, $"{NetnsText(ns.Inode, nowIndex)} created", [Inode(ns.Inode), Names(ns)], ns.Id);
                    AddRoutes(ns, [], ns.Routes);
                    break;
                case InterfaceNode i:
                    if (InHost(i, nowIndex))
                        Add(2, StepKinds.LinkCreated, $"{i.Type} {i.Name} created in the host namespace", [i.Type, i.Name], i.Id);
                    else
                        Add(3, StepKinds.LinkInNetns, $"{i.Type} {i.Name} placed in {NetnsText(i.NetnsInode, nowIndex)}", [i.Type, i.Name, Inode(i.NetnsInode)], i.Id, NodeId.Netns(i.NetnsInode));
                    AddAddresses(i, [], i.Addresses, nowIndex);
                    if (i.Up && i.Type != "loopback") Add(6, StepKinds.LinkUp, $"{i.Name} is up", [i.Name], i.Id);
                    break;
                case NatRuleNode rule:
                    Add(9, StepKinds.NatAdded, $"NAT rule added: {rule.Describe()}", [rule.Describe(), rule.Chain], [rule.Id, .. NatEdges(rule.Id, after)]);
                    break;
            }
        }

        foreach (var node in diff.UpdatedNodes)
        {
            if (!previous.TryGetValue(node.Id, out var was0)) continue;
            switch (node, was0)
            {
                case (ContainerNode c, ContainerNode was) when c.State != was.State:
                    if (c.IsRunning) Add(10, StepKinds.ContainerStarted, $"container {c.Name} started", [c.Name], c.Id);
                    else Add(10, StepKinds.ContainerStopped, $"container {c.Name} is {c.State}", [c.Name, c.State], c.Id);
                    break;
                case (NetnsNode ns, NetnsNode was):
                    AddRoutes(ns, was.Routes, ns.Routes);
                    break;
                case (InterfaceNode i, InterfaceNode was):
                    AddAddresses(i, was.Addresses, i.Addresses, nowIndex);
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
                    Add(4, StepKinds.VethPaired, $"veth pair {IfName(edge.Source, nowIndex)} ↔ {IfName(edge.Target, nowIndex)}",
                        [IfName(edge.Source, nowIndex), IfName(edge.Target, nowIndex)], edge.Id, edge.Source, edge.Target);
                    break;
                case PortEdge port:
                    Add(5, StepKinds.Enslaved, $"{IfName(edge.Source, nowIndex)} enslaved to {port.MasterType} {port.Master}",
                        [IfName(edge.Source, nowIndex), port.MasterType, port.Master], edge.Id, edge.Source, edge.Target);
                    break;
            }
        }

        foreach (var id in diff.RemovedEdges)
        {
            // A port released from its bridge while it lives on; a removed link says it all otherwise.
            if (oldEdges.Value.TryGetValue(id, out var gone) && gone is PortEdge port && nowIndex.Value.ContainsKey(port.Source))
                Add(5, StepKinds.Released, $"{IfName(port.Source, nowIndex)} released from {port.MasterType} {port.Master}",
                    [IfName(port.Source, nowIndex), port.MasterType, port.Master], port.Source, port.Target);
        }

        foreach (var id in diff.RemovedNodes)
        {
            if (!oldIndex.Value.TryGetValue(id, out var node)) continue;
            switch (node)
            {
                case NatRuleNode rule:
                    Add(11, StepKinds.NatRemoved, $"NAT rule removed: {rule.Describe()}", [rule.Describe(), rule.Chain]);
                    break;
                case InterfaceNode i:
                    Add(12, StepKinds.LinkRemoved, $"{i.Type} {i.Name} removed from {NetnsText(i.NetnsInode, oldIndex)}", [i.Type, i.Name, Inode(i.NetnsInode)]);
                    break;
                case NetnsNode ns:
                    Add(13, StepKinds.NetnsRemoved, $"{NetnsText(ns.Inode, oldIndex)} gone", [Inode(ns.Inode), Names(ns)]);
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

        void AddAddresses(InterfaceNode i, EquatableArray<InterfaceAddress> was, EquatableArray<InterfaceAddress> isNow, Lazy<Dictionary<string, TopologyNode>> nodes)
        {
            // fe80:: appears on every veth the moment it is up: noise for a learner.
            foreach (var a in isNow.Where(a => !a.IsIPv6LinkLocal && !was.Contains(a)))
                Add(7, StepKinds.AddressAdded, $"{a.Cidr} assigned to {i.Name}{Where(i, nodes)}", [a.Cidr, i.Name], i.Id);
            foreach (var a in was.Where(a => !a.IsIPv6LinkLocal && !isNow.Contains(a)))
                Add(7, StepKinds.AddressRemoved, $"{a.Cidr} removed from {i.Name}{Where(i, nodes)}", [a.Cidr, i.Name], i.Id);
        }

        string Where(InterfaceNode i, Lazy<Dictionary<string, TopologyNode>> nodes) => InHost(i, nodes) ? "" : $" in {NetnsText(i.NetnsInode, nodes)}";

        void AddRoutes(NetnsNode ns, EquatableArray<Route> was, EquatableArray<Route> isNow)
        {
            // fe80::/64 comes with every link that is up, like its fe80:: address: noise.
            foreach (var r in isNow.Where(r => !was.Contains(r) && !r.Destination.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase)))
                Add(8, StepKinds.RouteAdded, $"route {RouteText(r)} added in {NetnsText(ns.Inode, nowIndex)}", [RouteText(r), Inode(ns.Inode)], [ns.Id, .. RouteElements(ns, r)]);
            foreach (var r in was.Where(r => !isNow.Contains(r) && !r.Destination.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase)))
                Add(8, StepKinds.RouteRemoved, $"route {RouteText(r)} removed from {NetnsText(ns.Inode, nowIndex)}", [RouteText(r), Inode(ns.Inode)], ns.Id);
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
