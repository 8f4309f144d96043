using NetViz.Web.Localization;
using System.Globalization;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Text;

namespace NetViz.Web.Graph;

/// <summary>
/// Maps the typed model to Cytoscape elements, one node or edge at a time: everything an element needs (its
/// networks, whether its namespace is empty or the host's, the colour of its rule) is on the element itself, so a
/// Core diff maps element by element. Pure: same element in, same element out.
/// </summary>
public static class CytoscapeElementMapper
{
    /// <summary>The <c>reset</c> payload: every drawn node (parents first) and edge of a snapshot.</summary>
    public static IReadOnlyList<CytoscapeElement> ToElements(TopologySnapshot snapshot) =>
        [.. ParentsFirst(snapshot.Nodes.Where(IsDrawn)).Select(Map), .. snapshot.Edges.Where(IsDrawn).Select(Map)];

    /// <summary>
    /// The <c>applyDiff</c> payload for a Core diff applied to the snapshot the graph shows. Each element is mapped
    /// alone; <paramref name="shown"/> only says what is on the screen, for an element that starts or stops being drawn
    /// (a Docker network whose bridge appears), which must be added or removed rather than patched.
    /// </summary>
    public static CytoscapeDiff ToDiff(TopologyIndex shown, TopologyDiff diff)
    {
        var remove = diff.RemovedNodes.Concat(diff.RemovedEdges).Where(id => WasDrawn(shown, id)).ToList();
        var update = new List<CytoscapeElement>();
        var addNodes = diff.AddedNodes.Where(IsDrawn).ToList();
        var addEdges = diff.AddedEdges.Where(IsDrawn).ToList();
        Sort(diff.UpdatedNodes, n => n.Id, IsDrawn, Map, addNodes);
        Sort(diff.UpdatedEdges, e => e.Id, IsDrawn, Map, addEdges);
        return new CytoscapeDiff(diff.Sequence, remove, [.. ParentsFirst(addNodes).Select(Map), .. addEdges.Select(Map)], update);

        // Drawn before and now: patch it; only now: add it; only before: remove it.
        void Sort<T>(IEnumerable<T> updated, Func<T, string> id, Func<T, bool> drawn, Func<T, CytoscapeElement> map, List<T> add)
        {
            foreach (var element in updated)
            {
                var (now, before) = (drawn(element), WasDrawn(shown, id(element)));
                if (now && before) update.Add(map(element));
                else if (now) add.Add(element);
                else if (before) remove.Add(id(element));
            }
        }
    }

    private static bool WasDrawn(TopologyIndex shown, string id) =>
        shown.Node(id) is { } node ? IsDrawn(node) : shown.Edge(id) is { } edge && IsDrawn(edge);

    /// <summary>Cytoscape resolves <c>data.parent</c> when a node is added: namespace boxes before what they hold.</summary>
    private static IEnumerable<TopologyNode> ParentsFirst(IEnumerable<TopologyNode> nodes) =>
        nodes.OrderBy(n => n.Parent is null ? 0 : n is NetnsNode ? 1 : 2);

    /// <summary>
    /// What the graph leaves to the tables: NAT rules that do not translate addresses (the jumps to DOCKER, RETURN;
    /// the NAT page lists them in chain order) or sit in a chain nothing jumps to, and Docker networks without a bridge (host, none), which have
    /// nothing to attach to: their containers are drawn in the host box and in a box with only lo.
    /// </summary>
    public static bool IsDrawn(TopologyNode node) => node switch
    {
        // A rule in a chain nothing jumps to is not a live gate: the NAT page lists it as unreachable.
        // Rules of another namespace's rule set (Docker's embedded DNS: four per user-network container) stay in the
        // API and the details: drawn, they would double every container box.
        NatRuleNode rule => rule.Translating && rule.Reachable && rule.Netns is null,
        NetworkNode network => network.Bridge is not null || network.ParentInterface is not null,
        _ => true,
    };

    /// <summary>
    /// Edges between drawn nodes, less two that would only double a line: a DNAT rule's arrow to the container badge
    /// (Core draws it only beside the arrow to the container's interface, in the same box), and a namespace's default
    /// route, which runs along its veth cable to the bridge. The host's route to the outside world adds something;
    /// the others are in the details. Core links rules and networks only when they are drawn (translating, bridged).
    /// </summary>
    public static bool IsDrawn(TopologyEdge edge) => edge switch
    {
        NatEdge { Role: NatRoles.DnatToContainer } => false,
        // The gates of a namespace's own rule set are not drawn (see the node above): nor are their arrows.
        NatEdge { RuleNetns: not null } => false,
        RouteEdge route => route.Target == NodeId.External,
        _ => true,
    };

    public static CytoscapeElement Map(TopologyNode node)
    {
        var classes = new List<string> { "kind-" + node.Kind };
        string? type = null;
        bool? up = null, isHost = null;
        string? natTarget = null;
        long? packets = null, bytes = null;
        var search = new List<string?> { node.Label };

        switch (node)
        {
            case NetnsNode netns:
                isHost = netns.IsHost;
                if (netns.IsHost) classes.Add("host");
                else if (netns.HasOnlyLoopback) classes.Add("empty-ns");
                search.Add(netns.Name);
                search.AddRange(netns.Containers.Select(c => c.Name));
                break;
            case InterfaceNode nic:
                type = nic.Type;
                classes.Add("type-" + type);
                up = nic.Up;
                if (!nic.Up) classes.Add("down");
                isHost = nic.InHostNamespace;
                if (nic.InHostNamespace && type == "device") classes.Add("host-device");
                search.AddRange([nic.Name, nic.Mac, MacAddressText.Bare(nic.Mac)]);
                foreach (var address in nic.Addresses) search.AddRange([address.Cidr, address.Address]);
                break;
            case ContainerNode container:
                up = container.IsRunning;
                if (!container.IsRunning) classes.Add("down");
                classes.Add("mode-" + NetworkModeClass(container));
                search.AddRange([container.Name, container.Image, container.ContainerId is { Length: >= 12 } id ? id[..12] : null]);
                foreach (var attachment in container.Networks)
                    search.AddRange([attachment.IPAddress, attachment.MacAddress, MacAddressText.Bare(attachment.MacAddress), attachment.Name]);
                break;
            case NetworkNode network:
                type = network.Driver;
                classes.Add("type-" + type);
                if (network.Internal) classes.Add("internal");
                search.AddRange([network.Name, network.BridgeName, network.Driver, .. network.Subnets, .. network.Gateways]);
                break;
            case NatRuleNode rule:
                natTarget = rule.Target;
                if (NatClass(rule.Translation) is { } natClass) classes.Add(natClass);
                if (rule.ProxyPid is not null) classes.Add("has-proxy");
                packets = rule.Packets;
                bytes = rule.Bytes;
                search.AddRange([natTarget, rule.Chain, rule.Source, rule.HostIp, rule.ToIp, rule.OutInterface]);
                break;
            case ExternalNode external:
                search.Add(external.Gateway);
                break;
            case HostNode host:
                up = host.Status == HostStatuses.Ok;
                classes.Add("status-" + host.Status);
                if (up == false) classes.Add("down");
                search.AddRange([host.Name, host.Hostname, host.MachineId]);
                break;
        }

        return new CytoscapeElement(CytoscapeElement.Nodes, new CytoscapeElementData
        {
            Id = node.Id,
            Kind = node.Kind,
            Label = Label(node),
            Parent = node.Parent,
            Type = type,
            Up = up,
            IsHost = isHost,
            NatTarget = natTarget,
            Packets = packets,
            Bytes = bytes,
            Networks = node.Membership,
            Search = string.Join(' ', search.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal)),
            Tile = node is NetnsNode { IsHost: false } tileNetns ? TileText(tileNetns) : null,
        }, string.Join(' ', classes));
    }

    // ---- overview tiles (lanes layout, Scripts/graph-lod.js) ------------------------------------

    private const int TileNames = 3;
    private const int TileNameLength = 28;

    /// <summary>
    /// The text a namespace tile shows at overview zoom: its containers' names (the owner first, at most three, then "+N more"), else
    /// the ip netns name, else the inode; and a second line for the modes a lane does not already say: "network none"
    /// (a container namespace with nothing but loopback), "ip netns". The addresses are on the tile's interfaces.
    /// </summary>
    public static string TileText(NetnsNode netns)
    {
        // In the builder's order: the container that owns the namespace before those that joined it (container:x).
        var names = netns.Containers.Select(c => c.Name).ToList();
        var lines = new List<string>();
        if (names.Count > 0)
        {
            lines.AddRange(names.Take(TileNames).Select(TileName));
            if (names.Count > TileNames) lines.Add($"+{names.Count - TileNames} more");
            if (netns.HasOnlyLoopback) lines.Add("network none");
        }
        else if (netns.Name is { Length: > 0 } name)
        {
            lines.Add(TileName(name));
            lines.Add("ip netns");
        }
        else
        {
            lines.Add("netns " + netns.Inode.ToString(CultureInfo.InvariantCulture));
        }
        return string.Join('\n', lines);
    }

    /// <summary>A name as one bounded line: control characters out, long names cut with an ellipsis.</summary>
    private static string TileName(string name)
    {
        var clean = new string(name.Select(ch => char.IsControl(ch) ? ' ' : ch).ToArray()).Trim();
        return clean.Length <= TileNameLength ? clean : clean[..(TileNameLength - 1)] + "…";
    }

    public static CytoscapeElement Map(TopologyEdge edge)
    {
        var classes = new List<string> { "kind-" + edge.Kind };
        string? role = null;
        var label = "";
        switch (edge)
        {
            case NatEdge nat:
                role = nat.Role;
                // Every arrow of a rule has the rule's colour: source NAT purple, destination NAT orange.
                if (NatClass(nat.Translation) is { } natClass) classes.Add(natClass);
                break;
            case RouteEdge route:
                label = route.Gateway is { } gateway ? "via " + gateway : "default";
                break;
        }
        return new CytoscapeElement(CytoscapeElement.Edges, new CytoscapeElementData
        {
            Id = edge.Id,
            Kind = edge.Kind,
            Label = label,
            Source = edge.Source,
            Target = edge.Target,
            Type = role,
            Networks = edge.Membership,
            Search = label,
        }, string.Join(' ', classes));
    }

    /// <summary>The text shown on a node; multi-line, plain.</summary>
    public static string Label(TopologyNode node) => node switch
    {
        // IPv6 link-local (fe80::/10) is on every veth and says nothing the learner needs on the label.
        InterfaceNode nic => nic.Addresses.FirstOrDefault(a => !a.IsIPv6LinkLocal) is { } first ? $"{nic.Name}\n{first.Display}" : nic.Name,
        NetnsNode netns => NetnsTitle(netns),
        // The image is in the details: on the badge it would only make every box wider.
        ContainerNode container => container.Name,
        NetworkNode network => SharedWords.Get("Graph.Network", network.Name) + (network.Subnets is [var subnet, ..] ? "\n" + subnet : "")
            + (network.Internal ? SharedWords.Get("Graph.Internal") : ""),
        ExternalNode external => external.Gateway is { } via ? SharedWords.Get("Graph.OutsideVia", via) : SharedWords.Get("Graph.Outside"),
        // The live counter line is added by the graph module from data.packets/data.bytes.
        // The docker-proxy beside the gate: the host's own 127.0.0.1 traffic goes through it, not through the rule.
        NatRuleNode rule => rule.Describe(lineBreak: "\n") + (rule.ProxyPid is { } proxy ? $"\n+ docker-proxy (pid {proxy.ToString(CultureInfo.InvariantCulture)})" : ""),
        HostNode host => HostTitle(host),
        _ => node.Label,
    };

    /// <summary>
    /// A host box's title: its name (and hostname when it differs), and for a host whose agent does not answer, why and
    /// since when: "node-3 · unreachable: Connection refused · last seen 08:41:07 UTC".
    /// </summary>
    public static string HostTitle(HostNode host)
    {
        var title = host.Hostname is { } h && h != host.Name ? $"{host.Name} ({h})" : host.Name;
        if (host.Status == HostStatuses.Ok) return title;
        var seen = host.LastSeen is { } at ? $" · last seen {at.UtcDateTime:HH:mm:ss} UTC" : "";
        return $"{title} · {host.Status}{(host.Reason is { } r ? ": " + r : "")}{seen}";
    }

    /// <summary>
    /// The single-line title on a namespace box's wall: who lives there and the inode that identifies it,
    /// "netviz-lab-web · netns 4026532301", "host · netns 4026531840".
    /// </summary>
    public static string NetnsTitle(NetnsNode netns)
    {
        var inode = netns.Inode.ToString(CultureInfo.InvariantCulture);
        var who = netns.IsHost ? SharedWords.Get("Graph.Host") : netns.Name ?? netns.Label;
        return string.IsNullOrWhiteSpace(who) || who.Contains(inode, StringComparison.Ordinal)
            ? $"netns {inode}"
            : $"{who.Replace('\n', ' ')} · netns {inode}";
    }

    /// <summary>The stylesheet's class for what a rule rewrites: source NAT (MASQUERADE, SNAT) or destination NAT (DNAT, REDIRECT).</summary>
    public static string? NatClass(NatTranslation translation) => translation switch
    {
        NatTranslation.Source => "masquerade",
        NatTranslation.Destination => "dnat",
        _ => null,
    };

    /// <summary>HostConfig.NetworkMode to the class suffix: host, none, container:&lt;id&gt;, else a bridge-like network.</summary>
    public static string NetworkModeClass(ContainerNode container) => container.NetworkMode switch
    {
        "host" => "host",
        "none" => "none",
        _ when container.JoinedContainer is not null => "container",
        _ => "bridge",
    };
}
