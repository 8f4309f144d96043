using System.Globalization;
using NetViz.Core.Live;
using NetViz.Core.Model;

namespace NetViz.Web.Graph;

/// <summary>
/// Maps snapshots to Cytoscape elements and snapshot-to-snapshot changes to <c>applyDiff</c> payloads.
/// Pure: same snapshot in, same elements out.
/// </summary>
public static class CytoscapeElementMapper
{
    public static IReadOnlyList<CytoscapeElement> ToElements(TopologySnapshot snapshot)
    {
        var index = new TopologyIndex(snapshot);
        var networks = NetworkMembership(index);
        var elements = new List<CytoscapeElement>(snapshot.Nodes.Length + snapshot.Edges.Length);
        var drawn = new HashSet<string>(StringComparer.Ordinal);
        // Parents before children: Cytoscape resolves data.parent when a node is added.
        foreach (var node in snapshot.Nodes.Where(n => IsDrawn(index, n)).OrderBy(n => n.Parent is null ? 0 : n.Kind == NodeKinds.Netns ? 1 : 2))
        {
            elements.Add(MapNode(index, node, networks));
            drawn.Add(node.Id);
        }
        // A DNAT rule that reaches the container's interface says all there is to say: the extra arrow to the
        // container badge in the same box would only double the line.
        var dnatToInterface = snapshot.Edges.Where(e => e.Kind == EdgeKinds.Nat && e.Props.Str("role") == "dnat-to")
            .Select(e => e.Source).ToHashSet(StringComparer.Ordinal);
        foreach (var edge in snapshot.Edges)
        {
            if (!drawn.Contains(edge.Source) || !drawn.Contains(edge.Target)) continue;
            if (edge.Kind == EdgeKinds.Nat && edge.Props.Str("role") == "dnat-to-container" && dnatToInterface.Contains(edge.Source)) continue;
            // A namespace's default route runs along its veth cable to the bridge: drawn, it would double the cable.
            // The host's route to the outside world is the one that adds something; the others are in the details.
            if (edge.Kind == EdgeKinds.Route && index.Node(edge.Target)?.Kind != NodeKinds.External) continue;
            elements.Add(MapEdge(index, edge, networks));
        }
        return elements;
    }

    /// <summary>
    /// What the graph leaves to the tables: NAT rules that do not translate addresses (the jumps to DOCKER, RETURN;
    /// the NAT page lists them in chain order), and Docker networks without a bridge (host, none), which have
    /// nothing to attach to: their containers are drawn in the host box and in a box with only lo.
    /// </summary>
    public static bool IsDrawn(TopologyIndex index, TopologyNode node) => node.Kind switch
    {
        NodeKinds.NatRule => node.Props.Bool("translating") == true,
        NodeKinds.Network => index.Node(node.Props.Str("bridge")) is not null,
        _ => true,
    };

    /// <summary>
    /// The <c>applyDiff</c> payload taking the graph from <paramref name="before"/> to <paramref name="after"/>.
    /// Computed on mapped elements rather than copied from the <see cref="Core.Diff.TopologyDiff"/>, because derived
    /// data (the networks an element belongs to, empty-ns, host-device) of an unchanged node can change when a
    /// neighbour changes, e.g. a netns stops being empty when a veth is moved into it.
    /// </summary>
    public static CytoscapeDiff ToDiff(TopologySnapshot before, TopologySnapshot after, long sequence)
    {
        var old = ToElements(before).ToDictionary(e => e.Data.Id, StringComparer.Ordinal);
        var add = new List<CytoscapeElement>();
        var update = new List<CytoscapeElement>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in ToElements(after))
        {
            seen.Add(element.Data.Id);
            if (!old.TryGetValue(element.Data.Id, out var previous)) add.Add(element);
            else if (previous != element) update.Add(element);
        }
        var remove = old.Keys.Where(id => !seen.Contains(id)).ToList();
        return new CytoscapeDiff(sequence, remove, add, update);
    }

    /// <summary>The payload for one feed change, given the snapshot the graph currently shows.</summary>
    public static CytoscapeDiff ToDiff(TopologySnapshot shown, TopologyChange change) =>
        ToDiff(shown, change.Snapshot, change.Sequence);

    private static CytoscapeElement MapNode(TopologyIndex index, TopologyNode node, IReadOnlyDictionary<string, SortedSet<string>> networks)
    {
        var p = node.Props;
        var classes = new List<string> { "kind-" + node.Kind };
        string? type = null;
        bool? up = null, isHost = null;
        string? natTarget = null;
        long? packets = null, bytes = null;
        var search = new List<string?> { node.Label };

        switch (node.Kind)
        {
            case NodeKinds.Netns:
                isHost = index.IsHostNetns(node);
                if (isHost == true) classes.Add("host");
                else if (IsEmptyNetns(index, node)) classes.Add("empty-ns");
                search.Add(p.Str("name"));
                search.AddRange(index.ContainersIn(node).Select(c => c.Props.Str("name")));
                break;
            case NodeKinds.Interface:
                type = p.Str("type");
                if (type is not null) classes.Add("type-" + type);
                up = p.Bool("up");
                if (up == false) classes.Add("down");
                isHost = index.IsHostNetns(index.NetnsOf(node));
                if (isHost == true && type == "device") classes.Add("host-device");
                search.Add(p.Str("name"));
                search.Add(p.Str("mac"));
                foreach (var address in p.Strings("addresses")) search.AddRange([address, PropsReader.WithoutPrefix(address)]);
                break;
            case NodeKinds.Container:
                up = p.Str("state") == "running";
                if (up == false) classes.Add("down");
                classes.Add("mode-" + NetworkModeClass(p.Str("networkMode")));
                search.AddRange([p.Str("name"), p.Str("image"), p.Str("id") is { Length: >= 12 } id ? id[..12] : null]);
                foreach (var endpoint in p.Objects("networks"))
                    search.AddRange([endpoint.Str("ipAddress"), endpoint.Str("macAddress"), endpoint.Str("name")]);
                break;
            case NodeKinds.Network:
                type = p.Str("driver");
                if (type is not null) classes.Add("type-" + type);
                if (p.Bool("internal") == true) classes.Add("internal");
                search.AddRange([p.Str("name"), p.Str("bridgeName"), p.Str("driver")]);
                search.AddRange(p.Strings("subnets"));
                search.AddRange(p.Strings("gateways"));
                break;
            case NodeKinds.NatRule:
                natTarget = p.Str("target");
                if (NatClass(natTarget) is { } natClass) classes.Add(natClass);
                packets = p.Long("packets");
                bytes = p.Long("bytes");
                search.AddRange([natTarget, p.Str("chain"), p.Str("source"), p.Str("hostIp"), p.Str("toIp"), p.Str("outInterface")]);
                break;
            case NodeKinds.External:
                search.Add(p.Str("gateway"));
                break;
        }

        return new CytoscapeElement(CytoscapeElement.Nodes, new CytoscapeElementData
        {
            Id = node.Id,
            Kind = node.Kind,
            Label = Label(node),
            Parent = node.Parent is not null && index.Node(node.Parent) is not null ? node.Parent : null,
            Type = type,
            Up = up,
            IsHost = isHost,
            NatTarget = natTarget,
            Packets = packets,
            Bytes = bytes,
            Networks = networks.TryGetValue(node.Id, out var ids) ? ids.ToList() : [],
            Search = string.Join(' ', search.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal)),
            Tile = node.Kind == NodeKinds.Netns && isHost != true ? TileText(index, node) : null,
        }, string.Join(' ', classes));
    }

    // ---- overview tiles (lanes layout, Scripts/graph-lod.js) ------------------------------------

    private const int TileNames = 3;
    private const int TileNameLength = 28;

    /// <summary>
    /// The text a namespace tile shows at overview zoom: its containers' names (the one owning the namespace first,
    /// at most three, then "+N more"), else the ip netns name, else the inode; and a second line for the modes a
    /// lane does not already say: "network none", "ip netns". The addresses are on the tile's interfaces.
    /// </summary>
    public static string TileText(TopologyIndex index, TopologyNode netns)
    {
        var containers = index.ContainersIn(netns)
            .OrderBy(c => NetworkModeClass(c.Props.Str("networkMode")) == "container" ? 1 : 0)
            .ThenBy(c => c.Props.Str("name") ?? c.Label, StringComparer.Ordinal)
            .ToList();
        var lines = new List<string>();
        if (containers.Count > 0)
        {
            lines.AddRange(containers.Take(TileNames).Select(c => TileName(c.Props.Str("name") ?? c.Label)));
            if (containers.Count > TileNames) lines.Add($"+{containers.Count - TileNames} more");
            if (NetworkModeClass(containers[0].Props.Str("networkMode")) == "none") lines.Add("network none");
        }
        else if (netns.Props.Str("name") is { Length: > 0 } name)
        {
            lines.Add(TileName(name));
            lines.Add("ip netns");
        }
        else
        {
            lines.Add("netns " + (netns.Props.Long("inode")?.ToString(CultureInfo.InvariantCulture) ?? netns.Id.Replace("netns:", "", StringComparison.Ordinal)));
        }
        return string.Join('\n', lines);
    }

    /// <summary>A name as one bounded line: control characters out, long names cut with an ellipsis.</summary>
    private static string TileName(string name)
    {
        var clean = new string(name.Select(ch => char.IsControl(ch) ? ' ' : ch).ToArray()).Trim();
        return clean.Length <= TileNameLength ? clean : clean[..(TileNameLength - 1)] + "…";
    }

    private static CytoscapeElement MapEdge(TopologyIndex index, TopologyEdge edge, IReadOnlyDictionary<string, SortedSet<string>> networks)
    {
        var classes = new List<string> { "kind-" + edge.Kind };
        string? role = edge.Props.Str("role");
        string label = "";
        switch (edge.Kind)
        {
            case EdgeKinds.Nat:
                // Every arrow of a rule has the rule's colour: source NAT purple, destination NAT orange.
                var rule = index.Node(edge.Source) is { Kind: NodeKinds.NatRule } s ? s : index.Node(edge.Target);
                if (NatClass(rule?.Props.Str("target")) is { } natClass) classes.Add(natClass);
                break;
            case EdgeKinds.Route:
                label = edge.Props.Str("gateway") is { } gateway ? "via " + gateway : "default";
                break;
            case EdgeKinds.Attachment:
                label = edge.Props.Str("ipAddress") ?? "";
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
            // On both ends' networks, so the network filter dims a cable with the boxes it joins.
            Networks = networks.TryGetValue(edge.Source, out var from) && networks.TryGetValue(edge.Target, out var to)
                ? from.Intersect(to, StringComparer.Ordinal).ToList()
                : [],
            Search = label,
        }, string.Join(' ', classes));
    }

    /// <summary>The text shown on a node; multi-line, plain.</summary>
    public static string Label(TopologyNode node)
    {
        var p = node.Props;
        switch (node.Kind)
        {
            case NodeKinds.Interface:
                var name = p.Str("name") ?? node.Label;
                // IPv6 link-local (fe80::/64) is on every veth and says nothing the learner needs on the label.
                return p.Strings("addresses").FirstOrDefault(a => !a.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase)) is { } first
                    ? $"{name}\n{first}" : name;
            case NodeKinds.Netns:
                return NetnsTitle(node);
            case NodeKinds.Container:
                // The image is in the details: on the badge it would only make every box wider.
                return p.Str("name") ?? node.Label;
            case NodeKinds.Network:
                var network = "network: " + (p.Str("name") ?? node.Label);
                if (p.Strings("subnets") is [var subnet, ..]) network += "\n" + subnet;
                if (p.Bool("internal") == true) network += " (internal)";
                return network;
            case NodeKinds.External:
                return p.Str("gateway") is { } via ? $"outside world\nvia {via}" : "outside world";
            case NodeKinds.NatRule:
                return NatLabel(node);
            default:
                return node.Label;
        }
    }

    private static string NatLabel(TopologyNode node)
    {
        var p = node.Props;
        var target = p.Str("target") ?? "";
        string text;
        if (target == "MASQUERADE")
        {
            var outInterface = p.Str("outInterface") is { } o ? (p.Bool("outInterfaceNegated") == true ? "!" : "") + o : "*";
            text = $"MASQUERADE\n{p.Str("source") ?? "0.0.0.0/0"} → {outInterface}";
        }
        else if (target == "DNAT")
        {
            var protocol = p.Str("protocol") is { } proto ? proto + " " : "";
            text = $"DNAT {protocol}{p.Str("hostIp") ?? "0.0.0.0"}:{p.Str("hostPort") ?? "*"}\n→ {p.Str("toIp")}{(p.Str("toPort") is { } port ? ":" + port : "")}";
        }
        else if (target == "SNAT")
        {
            text = $"SNAT\n{p.Str("source") ?? "0.0.0.0/0"} → {p.Str("toSource") ?? "?"}";
        }
        else
        {
            text = node.Label;
        }
        // The live counter line is added by the graph module from data.packets/data.bytes.
        return text;
    }

    /// <summary>
    /// The single-line title on a namespace box's wall: who lives there and the inode that identifies it,
    /// "netviz-lab-web · netns 4026532301", "host · netns 4026531840".
    /// </summary>
    public static string NetnsTitle(TopologyNode netns)
    {
        var p = netns.Props;
        var inode = p.Long("inode")?.ToString(CultureInfo.InvariantCulture) ?? netns.Id.Replace("netns:", "", StringComparison.Ordinal);
        var who = p.Bool("isHost") == true ? "host" : p.Str("name") ?? netns.Label;
        return string.IsNullOrWhiteSpace(who) || who.Contains(inode, StringComparison.Ordinal)
            ? $"netns {inode}"
            : $"{who.Replace('\n', ' ')} · netns {inode}";
    }

    /// <summary>The stylesheet's class for a translating target: source NAT (MASQUERADE, SNAT) or destination NAT (DNAT, REDIRECT).</summary>
    public static string? NatClass(string? target) => target switch
    {
        "MASQUERADE" or "SNAT" => "masquerade",
        "DNAT" or "REDIRECT" => "dnat",
        _ => null,
    };

    /// <summary>HostConfig.NetworkMode to the class suffix: host, none, container:&lt;id&gt;, else a bridge-like network.</summary>
    public static string NetworkModeClass(string? networkMode) => networkMode switch
    {
        "host" => "host",
        "none" => "none",
        { } m when m.StartsWith("container:", StringComparison.Ordinal) => "container",
        _ => "bridge",
    };

    /// <summary>A netns with nothing but loopback interfaces (e.g. a --network none container).</summary>
    private static bool IsEmptyNetns(TopologyIndex index, TopologyNode netns) =>
        index.Children(netns.Id).Where(c => c.Kind == NodeKinds.Interface).All(i => i.Props.Str("type") == "loopback");

    /// <summary>
    /// The Docker networks each element belongs to: a network's bridge and its ports; a container's networks and,
    /// through MAC/IP, the interface in its netns that carries each; veth peers of those; the netns holding them;
    /// NAT rules whose source or destination falls in a network's subnet.
    /// </summary>
    private static Dictionary<string, SortedSet<string>> NetworkMembership(TopologyIndex index)
    {
        var result = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Add(string? id, string network)
        {
            if (id is null) return;
            if (!result.TryGetValue(id, out var set)) result[id] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(network);
        }

        var interfaces = index.OfKind(NodeKinds.Interface).ToList();
        foreach (var network in index.OfKind(NodeKinds.Network))
        {
            Add(network.Id, network.Id);
            var bridge = network.Props.Str("bridge");
            if (bridge is null) continue;
            Add(bridge, network.Id);
            foreach (var port in interfaces.Where(i => i.Props.Str("master") == bridge))
            {
                Add(port.Id, network.Id);
                Add(port.Props.Str("peer"), network.Id);
            }
        }

        foreach (var container in index.OfKind(NodeKinds.Container))
        {
            var netns = index.Node(container.Props.Str("netns")) ?? index.Node(container.Parent);
            foreach (var endpoint in container.Props.Objects("networks"))
            {
                if (index.NetworkFor(endpoint.Str("networkId"), endpoint.Str("name")) is not { } network) continue;
                Add(container.Id, network.Id);
                // A host-mode container's "host" network has no interface of its own to mark.
                if (netns is null || index.IsHostNetns(netns)) continue;
                Add(netns.Id, network.Id);
                var mac = endpoint.Str("macAddress");
                var ip = endpoint.Str("ipAddress");
                foreach (var nic in index.Children(netns.Id).Where(c => c.Kind == NodeKinds.Interface))
                {
                    var macMatches = mac is { Length: > 0 } && string.Equals(nic.Props.Str("mac"), mac, StringComparison.OrdinalIgnoreCase);
                    var ipMatches = ip is { Length: > 0 } && nic.Props.Strings("addresses").Any(a => PropsReader.WithoutPrefix(a) == ip);
                    if (!macMatches && !ipMatches) continue;
                    Add(nic.Id, network.Id);
                    Add(nic.Props.Str("peer"), network.Id);
                }
            }
        }

        // Containers sharing a netns (container:x) belong to the networks of that netns.
        foreach (var container in index.OfKind(NodeKinds.Container))
            if (index.Node(container.Props.Str("netns")) is { } ns && !index.IsHostNetns(ns) && result.TryGetValue(ns.Id, out var shared))
                foreach (var network in shared.ToList()) Add(container.Id, network);

        foreach (var rule in index.OfKind(NodeKinds.NatRule))
        {
            var address = rule.Props.Str("target") == "DNAT" ? rule.Props.Str("toIp") : rule.Props.Str("source");
            foreach (var network in index.NetworksContaining(address)) Add(rule.Id, network.Id);
        }

        // A box is on every network of what it holds: the host box holds the bridges, so the network filter
        // (which dims a compound node together with its children) never dims a bridge of the chosen network.
        foreach (var netns in index.OfKind(NodeKinds.Netns))
            foreach (var child in index.Children(netns.Id).ToList())
                if (result.TryGetValue(child.Id, out var childNetworks))
                    foreach (var network in childNetworks.ToList()) Add(netns.Id, network);
        return result;
    }
}
