using NetViz.Core.Model;
using NetViz.Web.Graph;

namespace NetViz.Web.Views;

/// <summary>A link from the details drawer to an element related to the selected one.</summary>
/// <param name="Relation">How it is related ("peer", "bridge", "NAT rule", ...).</param>
/// <param name="Id">The related node's id (the drawer selects and frames it).</param>
/// <param name="Label">What it is called, with where it lives when that helps ("eth0 in web").</param>
public sealed record RelatedElement(string Relation, string Id, string Label);

/// <summary>
/// The elements a person wants to jump to from a selected one: a veth's peer with its container, the bridge, the
/// network, the NAT rules that apply, the namespace and what lives in it. Pure; follows only ids in the snapshot, so
/// an unknown kind (a newer model) gets its parent and its edges' ends and nothing it cannot resolve.
/// </summary>
public static class RelatedElements
{
    private const int MaxLinks = 40;

    public static IReadOnlyList<RelatedElement> For(TopologyIndex index, string? elementId)
    {
        var result = new List<RelatedElement>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { elementId ?? "" };
        void Add(string relation, string? id)
        {
            if (id is null || result.Count >= MaxLinks || index.Node(id) is not { } node || !seen.Add(id)) return;
            result.Add(new RelatedElement(relation, id, Name(index, node)));
        }

        if (index.Node(elementId) is { } selected)
        {
            switch (selected)
            {
                case InterfaceNode nic:
                    Add(Rel.Peer, nic.Peer);
                    // The host's namespace is not a container's: its host-mode containers do not own the host end of a cable.
                    if (index.Node(nic.Peer) is InterfaceNode peer && index.NetnsOf(peer) is { IsHost: false } peerNs)
                        foreach (var container in index.ContainersIn(peerNs)) Add(Rel.PeerContainer, container.Id);
                    Add(Rel.Bridge, nic.Master);
                    Add(Rel.LowerDevice, nic.Lower);
                    // A network without a bridge (host, none) is not this interface's just because it has no master either.
                    foreach (var network in index.OfKind<NetworkNode>().Where(n => n.Bridge is not null && (n.Bridge == nic.Id || n.Bridge == nic.Master) || n.ParentInterface == nic.Id))
                        Add(Rel.Network, network.Id);
                    foreach (var port in index.OfKind<InterfaceNode>().Where(i => i.Master == nic.Id)) Add(Rel.Port, port.Id);
                    // Likewise for its own namespace: eth0 or a veth end in the host is not its host-mode containers'.
                    if (index.NetnsOf(nic) is { IsHost: false } ns)
                        foreach (var container in index.ContainersIn(ns)) Add(Rel.Container, container.Id);
                    Add(Rel.Namespace, nic.Parent);
                    break;
                case ContainerNode container:
                    Add(Rel.Namespace, container.Netns);
                    if (container.SharesNetnsWith is { } owner)
                        Add(Rel.Owner, index.OfKind<ContainerNode>().FirstOrDefault(c => c.Name == owner)?.Id);
                    foreach (var attachment in container.Networks) Add(Rel.Network, attachment.NetworkNode);
                    if (index.Node(container.Netns) is NetnsNode cns)
                        foreach (var nic in index.Children(cns.Id).OfType<InterfaceNode>()) Add(Rel.Interface, nic.Id);
                    break;
                case NetnsNode netns:
                    foreach (var container in index.ContainersIn(netns)) Add(Rel.Container, container.Id);
                    foreach (var nic in index.Children(netns.Id).OfType<InterfaceNode>()) Add(Rel.Interface, nic.Id);
                    break;
                case NetworkNode network:
                    Add(Rel.Bridge, network.Bridge);
                    Add(Rel.ParentDevice, network.ParentInterface);
                    foreach (var container in network.Containers) Add(Rel.Container, container);
                    break;
                default:
                    Add(Rel.Namespace, selected.Parent);
                    break;
            }
            // NAT rules that apply to it, and what a rule applies to.
            foreach (var edge in index.Snapshot.Edges)
            {
                if (edge is NatEdge nat && (edge.Source == selected.Id || edge.Target == selected.Id))
                {
                    var other = edge.Source == selected.Id ? edge.Target : edge.Source;
                    Add(selected is NatRuleNode ? RelationOfRole(nat.Role) : Rel.NatRule, other);
                }
                else if (selected is not (InterfaceNode or ContainerNode or NetnsNode or NetworkNode) && (edge.Source == selected.Id || edge.Target == selected.Id))
                {
                    Add(Rel.Connected, edge.Source == selected.Id ? edge.Target : edge.Source);
                }
            }
        }
        else if (index.Edge(elementId) is { } edge)
        {
            Add(Rel.From, edge.Source);
            Add(Rel.To, edge.Target);
        }
        return result;
    }

    private static string RelationOfRole(string role) => role switch
    {
        NatRoles.DnatTo or NatRoles.DnatToContainer => Rel.SendsTo,
        NatRoles.DnatFrom => Rel.AnswersOn,
        NatRoles.Egress => Rel.Egress,
        _ => Rel.AppliesTo,
    };

    /// <summary>A node's name with where it lives: "eth0 (web)", "veth1a2b3c4 (host)".</summary>
    public static string Name(TopologyIndex index, TopologyNode node)
    {
        // Core names the external node in English; the page's language says "outside world" itself.
        var label = (node is ExternalNode ? NetViz.Web.Localization.SharedWords.Get("Graph.Outside") : node.Label).Replace('\n', ' ');
        if (node is InterfaceNode nic && index.NetnsOf(nic) is { } ns)
            return $"{nic.Name} ({(index.IsHostNetns(ns) ? "host" : ns.Label.Replace('\n', ' '))})";
        return label;
    }

    /// <summary>A relation (one of <see cref="Rel"/>) in the page's language; the English value stays its identity.</summary>
    public static string Word(string relation) => NetViz.Web.Localization.SharedWords.Find("Rel." + relation) ?? relation;

    /// <summary>The relation labels, in one place for localisation (strings.py: "Rel." + the value).</summary>
    public static class Rel
    {
        public const string Peer = "veth peer";
        public const string PeerContainer = "peer's container";
        public const string Bridge = "bridge";
        public const string LowerDevice = "lower device";
        public const string ParentDevice = "parent NIC";
        public const string Network = "network";
        public const string Port = "bridge port";
        public const string Container = "container";
        public const string Owner = "namespace owner";
        public const string Interface = "interface";
        public const string Namespace = "namespace";
        public const string NatRule = "NAT rule";
        public const string SendsTo = "sends to";
        public const string AnswersOn = "answers on";
        public const string Egress = "leaves to";
        public const string AppliesTo = "applies to";
        public const string Connected = "connected";
        public const string From = "from";
        public const string To = "to";
    }
}
