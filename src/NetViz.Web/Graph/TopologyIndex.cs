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

    public IEnumerable<T> OfKind<T>() where T : TopologyNode => Snapshot.Nodes.OfType<T>();

    /// <summary>The netns node an interface or container lives in (its parent), or the node itself for a netns.</summary>
    public NetnsNode? NetnsOf(TopologyNode? node) => node as NetnsNode ?? Node(node?.Parent) as NetnsNode;

    public bool IsHostNetns(NetnsNode? netns) => netns is not null && (netns.IsHost || netns.Id == Snapshot.Host.Netns);

    /// <summary>Containers whose network namespace this is: the ones it lists and the ones drawn inside it.</summary>
    public IEnumerable<ContainerNode> ContainersIn(NetnsNode netns) =>
        netns.Containers.Select(c => Node(c.Id)).OfType<ContainerNode>()
            .Concat(Children(netns.Id).OfType<ContainerNode>())
            .DistinctBy(c => c.Id);

    /// <summary>A PID that lives in this netns, for nsenter: a running container's, else the netns' own pids.</summary>
    public int? PidIn(NetnsNode netns)
    {
        foreach (var container in ContainersIn(netns))
            if (container.Pid > 0) return container.Pid;
        return netns.Pids.FirstOrDefault(p => p > 0) is > 0 and var first ? first : null;
    }
}
