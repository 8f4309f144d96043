using System.Net;
using NetViz.Core.Model;

namespace NetViz.Core.Correlation;

/// <summary>
/// Facts that follow from the whole graph rather than from one source: which Docker networks each node and edge
/// belongs to, whether a namespace holds only loopback, whether an interface is the host's, which network node an
/// attachment names, whose namespace a <c>container:x</c> container joins, what the rule at the end of a NAT edge
/// rewrites. Computed once here so every subscriber reads them off the typed nodes. Pure and idempotent: it reads
/// only the sources' facts and recomputes every derived member.
/// </summary>
public static class DerivedFacts
{
    public static TopologySnapshot Complete(TopologySnapshot snapshot)
    {
        var graph = new Graph(snapshot);
        var membership = graph.NetworkMembership();
        EquatableArray<string> MembershipOf(string id) =>
            membership.TryGetValue(id, out var set) ? set.ToEquatableArray() : [];

        var nodes = snapshot.Nodes.Select(node => (node switch
        {
            NetnsNode netns => netns with
            {
                HasOnlyLoopback = graph.Children(netns.Id).OfType<InterfaceNode>().All(i => i.Type == "loopback"),
            },
            InterfaceNode nic => nic with { InHostNamespace = graph.IsHostNetns(graph.NetnsOf(nic)) },
            ContainerNode container => container with
            {
                SharesNetnsWith = graph.SharedWith(container),
                Networks = container.Networks.Select(a => a with { NetworkNode = graph.NetworkFor(a.NetworkId, a.Name)?.Id }).ToEquatableArray(),
            },
            NatRuleNode { Target: "DNAT", HostPort: { } hostPort } rule => rule with
            {
                ProxyPid = graph.Containers.SelectMany(c => c.Ports)
                    .FirstOrDefault(p => p.HostPort == hostPort && p.ProxyListening && p.ProxyPid is not null
                        && string.Equals(p.Protocol, rule.Protocol ?? "tcp", StringComparison.OrdinalIgnoreCase))?.ProxyPid,
            },
            _ => node,
        }) with { Membership = MembershipOf(node.Id) });

        var edges = snapshot.Edges.Select(edge => (edge switch
        {
            NatEdge nat when (graph.Node(nat.Source) as NatRuleNode ?? graph.Node(nat.Target) as NatRuleNode) is var rule => nat with
            {
                Translation = rule?.Translation ?? NatTranslation.None,
                RuleNetns = rule?.Netns,
            },
            _ => edge,
        }) with
        {
            Membership = membership.TryGetValue(edge.Source, out var from) && membership.TryGetValue(edge.Target, out var to)
                ? from.Intersect(to, StringComparer.Ordinal).ToEquatableArray()
                : [],
        });

        return snapshot with { Nodes = [.. nodes], Edges = [.. edges] };
    }

    private sealed class Graph(TopologySnapshot snapshot)
    {
        private readonly Dictionary<string, TopologyNode> _nodes = snapshot.Nodes.DistinctBy(n => n.Id).ToDictionary(n => n.Id, StringComparer.Ordinal);
        private readonly ILookup<string, TopologyNode> _children = snapshot.Nodes.Where(n => n.Parent is not null).ToLookup(n => n.Parent!, StringComparer.Ordinal);
        private readonly List<NetworkNode> _networks = [.. snapshot.Nodes.OfType<NetworkNode>()];
        private readonly List<ContainerNode> _containers = [.. snapshot.Nodes.OfType<ContainerNode>()];

        public IReadOnlyList<ContainerNode> Containers => _containers;

        public TopologyNode? Node(string? id) => id is not null && _nodes.TryGetValue(id, out var node) ? node : null;

        public IEnumerable<TopologyNode> Children(string id) => _children[id];

        public NetnsNode? NetnsOf(TopologyNode node) => node as NetnsNode ?? Node(node.Parent) as NetnsNode;

        public bool IsHostNetns(NetnsNode? netns) => netns is not null && (netns.IsHost || netns.Id == snapshot.Host.Netns);

        /// <summary>The Docker network node an attachment names, by id, else by name.</summary>
        public NetworkNode? NetworkFor(string networkId, string networkName) =>
            Node(NodeId.Network(networkId)) as NetworkNode ?? _networks.FirstOrDefault(n => n.Name == networkName);

        /// <summary><c>--network container:x</c>: x is a full or short id, or a name; the name of that container, else x itself.</summary>
        public string? SharedWith(ContainerNode container) =>
            container.JoinedContainer is not { } target ? null
            : _containers.FirstOrDefault(c => c.Id != container.Id
                && (c.ContainerId.StartsWith(target, StringComparison.Ordinal) || c.Name == target))?.Name ?? target;

        /// <summary>Docker network nodes one of whose subnets holds this address (a DNAT destination, a MASQUERADE source).</summary>
        private IEnumerable<NetworkNode> NetworksContaining(string? address)
        {
            if (address is null) yield break;
            var slash = address.IndexOf('/');
            if (!IPAddress.TryParse(slash < 0 ? address : address[..slash], out var ip)) yield break;
            foreach (var network in _networks)
                if (network.Subnets.Any(s => IPNetwork.TryParse(s, out var subnet) && subnet.Contains(ip)))
                    yield return network;
        }

        /// <summary>
        /// The Docker networks each node belongs to: a network's bridge and its ports; a container's networks and,
        /// through MAC/IP, the interface in its netns that carries each; veth peers of those; the netns holding them;
        /// NAT rules whose source or destination falls in a network's subnet.
        /// </summary>
        public Dictionary<string, SortedSet<string>> NetworkMembership()
        {
            var result = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            void Add(string? id, string network)
            {
                if (id is null) return;
                if (!result.TryGetValue(id, out var set)) result[id] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(network);
            }

            var interfaces = snapshot.Nodes.OfType<InterfaceNode>().ToList();
            foreach (var network in _networks)
            {
                Add(network.Id, network.Id);
                if (network.Bridge is not { } bridge) continue;
                Add(bridge, network.Id);
                foreach (var port in interfaces.Where(i => i.Master == bridge))
                {
                    Add(port.Id, network.Id);
                    Add(port.Peer, network.Id);
                }
            }

            foreach (var container in _containers)
            {
                var netns = Node(container.Netns) as NetnsNode ?? Node(container.Parent) as NetnsNode;
                foreach (var attachment in container.Networks)
                {
                    if (NetworkFor(attachment.NetworkId, attachment.Name) is not { } network) continue;
                    Add(container.Id, network.Id);
                    // A host-mode container's "host" network has no interface of its own to mark.
                    if (netns is null || IsHostNetns(netns)) continue;
                    Add(netns.Id, network.Id);
                    foreach (var nic in Children(netns.Id).OfType<InterfaceNode>())
                    {
                        var macMatches = attachment.MacAddress is { Length: > 0 } mac && string.Equals(nic.Mac, mac, StringComparison.OrdinalIgnoreCase);
                        var ipMatches = attachment.IPAddress is { Length: > 0 } ip && nic.Addresses.Any(a => a.Address == ip);
                        if (!macMatches && !ipMatches) continue;
                        Add(nic.Id, network.Id);
                        Add(nic.Peer, network.Id);
                    }
                }
            }

            // Containers sharing a netns (container:x) belong to the networks of that netns.
            foreach (var container in _containers)
                if (Node(container.Netns) is NetnsNode ns && !IsHostNetns(ns) && result.TryGetValue(ns.Id, out var shared))
                    foreach (var network in shared.ToList()) Add(container.Id, network);

            foreach (var rule in snapshot.Nodes.OfType<NatRuleNode>())
                foreach (var network in NetworksContaining(rule.Target == "DNAT" ? rule.ToIp : rule.Source))
                    Add(rule.Id, network.Id);

            // A box is on every network of what it holds: the host box holds the bridges, so the network filter
            // (which dims a compound node together with its children) never dims a bridge of the chosen network.
            foreach (var netns in snapshot.Nodes.OfType<NetnsNode>())
                foreach (var child in Children(netns.Id).ToList())
                    if (result.TryGetValue(child.Id, out var childNetworks))
                        foreach (var network in childNetworks.ToList()) Add(netns.Id, network);
            return result;
        }
    }
}
