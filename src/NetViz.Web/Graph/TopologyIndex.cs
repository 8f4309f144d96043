using System.Net;
using NetViz.Core.Model;

namespace NetViz.Web.Graph;

/// <summary>Lookups over one snapshot (by id, by parent, by kind) shared by the mapper, the hints and the tables.</summary>
public sealed class TopologyIndex
{
    private readonly Dictionary<string, TopologyNode> _nodes;
    private readonly Dictionary<string, TopologyEdge> _edges;
    private readonly ILookup<string, TopologyNode> _children;

    public TopologyIndex(TopologySnapshot snapshot)
    {
        Snapshot = snapshot;
        _nodes = new Dictionary<string, TopologyNode>(StringComparer.Ordinal);
        foreach (var node in snapshot.Nodes) _nodes[node.Id] = node;
        _edges = new Dictionary<string, TopologyEdge>(StringComparer.Ordinal);
        foreach (var edge in snapshot.Edges) _edges[edge.Id] = edge;
        _children = snapshot.Nodes.Where(n => n.Parent is not null).ToLookup(n => n.Parent!, StringComparer.Ordinal);
    }

    public TopologySnapshot Snapshot { get; }

    public TopologyNode? Node(string? id) => id is not null && _nodes.TryGetValue(id, out var node) ? node : null;

    public TopologyEdge? Edge(string? id) => id is not null && _edges.TryGetValue(id, out var edge) ? edge : null;

    public IEnumerable<TopologyNode> Children(string id) => _children[id];

    public IEnumerable<TopologyNode> OfKind(string kind) => Snapshot.Nodes.Where(n => n.Kind == kind);

    /// <summary>The netns node an interface or container lives in (its parent), or the node itself for a netns.</summary>
    public TopologyNode? NetnsOf(TopologyNode node) => node.Kind == NodeKinds.Netns ? node : Node(node.Parent) is { Kind: NodeKinds.Netns } ns ? ns : null;

    public bool IsHostNetns(TopologyNode? netns) =>
        netns is not null && (netns.Props.Bool("isHost") == true || netns.Id == Snapshot.Host.Netns);

    /// <summary>Containers whose network namespace is this netns node.</summary>
    public IEnumerable<TopologyNode> ContainersIn(TopologyNode netns)
    {
        var listed = netns.Props.Strings("containers").Select(Node).OfType<TopologyNode>();
        return listed.Concat(Children(netns.Id).Where(c => c.Kind == NodeKinds.Container)).DistinctBy(c => c.Id);
    }

    /// <summary>A PID that lives in this netns, for nsenter: a running container's, else the netns' own pids.</summary>
    public long? PidIn(TopologyNode netns)
    {
        foreach (var container in ContainersIn(netns))
            if (container.Props.Long("pid") is > 0 and var pid) return pid;
        return netns.Props.Strings("pids").Select(p => long.TryParse(p, out var n) ? n : 0).FirstOrDefault(n => n > 0) is > 0 and var first
            ? first
            : null;
    }

    /// <summary>The Docker network node a container endpoint refers to, by id then by name.</summary>
    public TopologyNode? NetworkFor(string? networkId, string? networkName)
    {
        if (networkId is not null && Node("net:" + networkId) is { } byId) return byId;
        return OfKind(NodeKinds.Network).FirstOrDefault(n => networkName is not null && n.Props.Str("name") == networkName);
    }

    /// <summary>Docker network nodes one of whose subnets contains this address (e.g. a DNAT destination).</summary>
    public IEnumerable<TopologyNode> NetworksContaining(string? address)
    {
        if (address is null || !IPAddress.TryParse(PropsReader.WithoutPrefix(address), out var ip)) yield break;
        foreach (var network in OfKind(NodeKinds.Network))
            foreach (var subnet in network.Props.Strings("subnets"))
                if (IPNetwork.TryParse(subnet, out var net) && net.Contains(ip))
                {
                    yield return network;
                    break;
                }
    }
}
