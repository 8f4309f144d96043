using System.Globalization;
using NetViz.Core.Model;
using NetViz.Web.Graph;

namespace NetViz.Web.Views;

/// <summary>How a container (or a namespace) is networked, as the explanation reads it from the model.</summary>
public enum NetworkingMode
{
    /// <summary>Not a container or namespace, or nothing to tell.</summary>
    Other,
    /// <summary><c>--network none</c>: only lo.</summary>
    None,
    /// <summary><c>--network host</c>: the host's own stack.</summary>
    Host,
    /// <summary>Docker's default bridge (docker0).</summary>
    DefaultBridge,
    /// <summary>A user-defined bridge network.</summary>
    UserBridge,
    /// <summary>A bridge network created with <c>--internal</c>.</summary>
    Internal,
    /// <summary><c>--network container:x</c>: x's namespace.</summary>
    JoinedContainer,
    /// <summary>A macvlan (or ipvlan) network.</summary>
    Macvlan,
    /// <summary>A namespace made by hand with <c>ip netns add</c>.</summary>
    ManualNetns,
    /// <summary>The namespace NetViz runs in.</summary>
    HostNetns,
}

/// <summary>One part of an explanation: a heading and its sentences.</summary>
public sealed record ExplanationSection(string Heading, IReadOnlyList<string> Sentences);

/// <summary>What the drawer says about a selected element: its mode and the sections explaining it.</summary>
public sealed record Explanation(NetworkingMode Mode, IReadOnlyList<ExplanationSection> Sections)
{
    public static Explanation Nothing { get; } = new(NetworkingMode.Other, []);

    /// <summary>All sentences, for search and tests.</summary>
    public string Text => string.Join("\n", Sections.SelectMany(s => s.Sentences.Prepend(s.Heading)));
}

/// <summary>
/// Explanations derived from the model, never from a template that assumes the default bridge: a <c>none</c> container
/// is told it has only lo and no routes, a host-mode one the host's gateway and NIC, a <c>container:</c> sidecar its
/// owner's namespace and gateway, and every route sentence names the gateway and device of that namespace's own table.
/// Pure. Every user-facing sentence is built in this file (<see cref="Say"/>) so that it can be localised in one place.
/// Unknown kinds get no explanation; the drawer still lists their members.
/// </summary>
public static class ElementExplanations
{
    public static Explanation For(TopologyIndex index, string? elementId)
    {
        if (index.Node(elementId) is { } node)
        {
            return node switch
            {
                ContainerNode container => Container(index, container),
                NetnsNode netns => Netns(index, netns),
                InterfaceNode nic => Interface(index, nic),
                NetworkNode network => Network(index, network),
                NatRuleNode rule => new(NetworkingMode.Other, [NatRule(index, rule)]),
                ExternalNode external => new(NetworkingMode.Other, [new(Say.WhatThisIs, [Say.External(external.ViaName, external.Gateway)])]),
                _ => Explanation.Nothing,
            };
        }
        if (index.Edge(elementId) is { } edge) return Edge(index, edge);
        return Explanation.Nothing;
    }

    /// <summary>The mode of a container, from its HostConfig.NetworkMode and the networks it is attached to.</summary>
    public static NetworkingMode ModeOf(TopologyIndex index, ContainerNode container)
    {
        if (container.NetworkMode == "none") return NetworkingMode.None;
        if (container.NetworkMode == "host") return NetworkingMode.Host;
        if (container.JoinedContainer is not null) return NetworkingMode.JoinedContainer;
        var networks = container.Networks.Select(a => NetworkOf(index, a)).OfType<NetworkNode>().ToList();
        if (networks.Any(n => n.Driver is "macvlan" or "ipvlan")) return NetworkingMode.Macvlan;
        if (networks.Count > 0 && networks.All(n => n.Internal)) return NetworkingMode.Internal;
        if (networks.Any(n => n.Name == "bridge" && n.Driver == "bridge")) return NetworkingMode.DefaultBridge;
        if (networks.Any(n => n.Driver == "bridge")) return NetworkingMode.UserBridge;
        return container.NetworkMode switch
        {
            "bridge" or "default" => NetworkingMode.DefaultBridge,
            _ => NetworkingMode.Other,
        };
    }

    // ---- containers --------------------------------------------------------------------------------

    private static Explanation Container(TopologyIndex index, ContainerNode container)
    {
        var mode = ModeOf(index, container);
        var netns = index.Node(container.Netns) as NetnsNode;
        var sections = new List<ExplanationSection>();
        var what = new List<string>();
        if (!container.IsRunning) what.Add(Say.NotRunning(container.Name, container.State));
        switch (mode)
        {
            case NetworkingMode.None:
                what.Add(Say.ModeNone(container.Name, netns?.Inode, InterfaceList(index, netns)));
                break;
            case NetworkingMode.Host:
                what.Add(Say.ModeHost(container.Name, netns?.Inode));
                break;
            case NetworkingMode.JoinedContainer:
                var owner = OwnerOf(index, container);
                what.Add(Say.ModeJoined(container.Name, owner?.Name ?? container.SharesNetnsWith ?? container.JoinedContainer ?? "?", netns?.Inode,
                    InterfaceList(index, netns)));
                if (owner is not null)
                    foreach (var attachment in owner.Networks)
                        what.Add(Say.OwnersNetwork(owner.Name, attachment.Name, attachment.IPAddress, attachment.Gateway));
                break;
        }
        // One sentence per attachment: which device carries it, and where its other end is.
        if (mode is not (NetworkingMode.None or NetworkingMode.Host or NetworkingMode.JoinedContainer))
            foreach (var attachment in container.Networks)
                what.Add(Attachment(index, netns, attachment));
        if (what.Count > 0) sections.Add(new(Say.HowItIsNetworked, what));

        var routes = new List<string>();
        if (container.IsRunning || netns is not null)
        {
            var table = netns;
            routes.Add(RouteSentence(index, table, mode == NetworkingMode.Host ? Say.LikeTheHost : null));
        }
        if (routes.Count > 0) sections.Add(new(Say.Routes, routes));

        if (!container.Ports.IsEmpty)
            sections.Add(new(Say.PublishedPorts, [.. container.Ports.Select(p => PortSentence(index, container, p))]));
        return new(mode, sections);
    }

    private static ContainerNode? OwnerOf(TopologyIndex index, ContainerNode sidecar)
    {
        var joined = sidecar.SharesNetnsWith ?? sidecar.JoinedContainer;
        if (joined is null) return null;
        return index.OfKind<ContainerNode>().FirstOrDefault(c => c.Id != sidecar.Id && (c.Name == joined || c.ContainerId.StartsWith(joined, StringComparison.Ordinal)))
            ?? (index.Node(sidecar.Netns) is NetnsNode ns ? index.ContainersIn(ns).FirstOrDefault(c => c.Id != sidecar.Id && c.JoinedContainer is null) : null);
    }

    private static NetworkNode? NetworkOf(TopologyIndex index, NetworkAttachment attachment) =>
        index.Node(attachment.NetworkNode) as NetworkNode
        ?? index.Node(NodeId.Network(attachment.NetworkId)) as NetworkNode
        ?? index.OfKind<NetworkNode>().FirstOrDefault(n => n.Name == attachment.Name);

    private static string Attachment(TopologyIndex index, NetnsNode? netns, NetworkAttachment attachment)
    {
        var network = NetworkOf(index, attachment);
        var nic = netns is null ? null : index.Children(netns.Id).OfType<InterfaceNode>()
            .FirstOrDefault(i => attachment.IPAddress is not null && i.Addresses.Any(a => a.Address == attachment.IPAddress))
            ?? (netns is null ? null : index.Children(netns.Id).OfType<InterfaceNode>()
                .FirstOrDefault(i => attachment.MacAddress is not null && string.Equals(i.Mac, attachment.MacAddress, StringComparison.OrdinalIgnoreCase)));
        var address = attachment.IPAddress is null ? null : $"{attachment.IPAddress}/{attachment.PrefixLength.ToString(CultureInfo.InvariantCulture)}";
        if (network?.Driver is "macvlan" or "ipvlan")
            return Say.OnMacvlan(attachment.Name, nic?.Name, address, nic?.Mac ?? attachment.MacAddress, network.ParentInterfaceName
                ?? (index.Node(nic?.Lower) as InterfaceNode)?.Name);
        var peer = index.Node(nic?.Peer) as InterfaceNode;
        var bridge = index.Node(peer?.Master) as InterfaceNode;
        var sentence = Say.OnBridge(attachment.Name, network?.Name == "bridge", nic?.Name, address, peer?.Name, bridge?.Name ?? network?.BridgeName,
            attachment.Gateway ?? network?.Gateways.FirstOrDefault());
        if (network?.Internal == true) sentence += " " + Say.InternalNetwork(network.Name);
        return sentence;
    }

    // ---- namespaces --------------------------------------------------------------------------------

    private static Explanation Netns(TopologyIndex index, NetnsNode netns)
    {
        NetworkingMode mode;
        var what = new List<string>();
        var containers = index.ContainersIn(netns).ToList();
        if (index.IsHostNetns(netns))
        {
            mode = NetworkingMode.HostNetns;
            what.Add(Say.HostNetns(netns.Inode, containers.Select(c => c.Name).ToList()));
        }
        else if (containers.Count > 0)
        {
            var owner = containers.FirstOrDefault(c => c.JoinedContainer is null) ?? containers[0];
            mode = ModeOf(index, owner);
            what.Add(Say.ContainerNetns(netns.Inode, containers.Select(c => c.Name).ToList(), netns.HasOnlyLoopback, InterfaceList(index, netns)));
        }
        else if (netns.Name is { } name)
        {
            mode = NetworkingMode.ManualNetns;
            what.Add(Say.ManualNetns(name, netns.Inode, InterfaceList(index, netns)));
        }
        else
        {
            mode = NetworkingMode.Other;
            what.Add(Say.AnonymousNetns(netns.Inode, [.. netns.Pids.Take(5)], InterfaceList(index, netns)));
        }
        return new(mode, [new(Say.WhatThisIs, what), new(Say.Routes, [RouteSentence(index, netns, null)])]);
    }

    /// <summary>The interfaces of a namespace as "lo, eth0 10.123.0.3/24", or null.</summary>
    private static string? InterfaceList(TopologyIndex index, NetnsNode? netns)
    {
        if (netns is null) return null;
        var nics = index.Children(netns.Id).OfType<InterfaceNode>().OrderBy(i => i.Ifindex).Take(8).ToList();
        if (nics.Count == 0) return null;
        return string.Join(", ", nics.Select(i =>
            i.Addresses.FirstOrDefault(a => a.Family == 4) is { } v4 ? $"{i.Name} {v4.Cidr}" : i.Name));
    }

    /// <summary>
    /// The sentence about a namespace's routes, from its own main table: the default route's gateway and device, or
    /// that it has none, or no routes at all. The host's table falls back to the outside-world node when it was not read.
    /// </summary>
    public static string RouteSentence(TopologyIndex index, NetnsNode? netns, string? lead)
    {
        if (netns is null) return Say.NoNamespace;
        var defaults = netns.Routes.Where(r => r.Destination == "default").OrderBy(r => r.Family).ThenBy(r => r.Metric ?? 0).ToList();
        if (defaults.FirstOrDefault() is { } route)
            return (lead is null ? "" : lead + " ") + Say.DefaultRoute(route.Gateway, route.Dev, route.Family);
        if (index.IsHostNetns(netns) && netns.Routes.IsEmpty && index.OfKind<ExternalNode>().FirstOrDefault() is { } external)
            return (lead is null ? "" : lead + " ") + Say.DefaultRoute(external.Gateway, external.ViaName, 4);
        if (netns.Routes.IsEmpty) return Say.NoRoutes;
        return Say.NoDefaultRoute([.. netns.Routes.Take(6).Select(r => r.Dev is null ? r.Destination : $"{r.Destination} dev {r.Dev}")]);
    }

    // ---- interfaces --------------------------------------------------------------------------------

    private static Explanation Interface(TopologyIndex index, InterfaceNode nic)
    {
        var netns = index.NetnsOf(nic);
        var where = WhereIs(index, netns);
        var what = new List<string>();
        switch (nic.Type)
        {
            case "loopback":
                what.Add(Say.Loopback(nic.Name, where));
                break;
            case "veth":
                var peer = index.Node(nic.Peer) as InterfaceNode;
                what.Add(Say.Veth(nic.Name, where, peer?.Name, peer is null ? null : WhereIs(index, index.NetnsOf(peer))));
                break;
            case "bridge":
                var ports = index.OfKind<InterfaceNode>().Where(i => i.Master == nic.Id).Select(i => i.Name).Order(StringComparer.Ordinal).ToList();
                var networks = index.OfKind<NetworkNode>().Where(n => n.Bridge == nic.Id).Select(n => n.Name).ToList();
                what.Add(Say.Bridge(nic.Name, ports, nic.Addresses.Where(a => !a.IsIPv6LinkLocal).Select(a => a.Cidr).ToList(), networks));
                break;
            case "macvlan" or "ipvlan":
                what.Add(Say.MacvlanDevice(nic.Name, nic.Type, where, (index.Node(nic.Lower) as InterfaceNode)?.Name, nic.Mac));
                break;
            default:
                var external = index.OfKind<ExternalNode>().FirstOrDefault(e => e.Via == nic.Id);
                what.Add(Say.Link(nic.Name, nic.Type, where, external?.Gateway));
                break;
        }
        if (index.Node(nic.Master) is InterfaceNode master && nic.Type != "bridge")
            what.Add(Say.PortOf(nic.Name, master.Name));
        return new(NetworkingMode.Other, [new(Say.WhatThisIs, what)]);
    }

    /// <summary>"the host", "container web's namespace", "namespace blue (ip netns)", "namespace 4026532301".</summary>
    private static string WhereIs(TopologyIndex index, NetnsNode? netns)
    {
        if (netns is null) return Say.UnknownNamespace;
        if (index.IsHostNetns(netns)) return Say.TheHost;
        var names = index.ContainersIn(netns).Select(c => c.Name).ToList();
        if (names.Count > 0) return Say.ContainersNamespace(names);
        if (netns.Name is { } name) return Say.NamedNamespace(name);
        return Say.InodeNamespace(netns.Inode);
    }

    // ---- networks ----------------------------------------------------------------------------------

    private static Explanation Network(TopologyIndex index, NetworkNode network)
    {
        var containers = network.Containers.Select(id => index.Node(id) as ContainerNode).OfType<ContainerNode>().Select(c => c.Name).ToList();
        NetworkingMode mode;
        string sentence;
        switch (network.Driver)
        {
            case "null":
                mode = NetworkingMode.None;
                sentence = Say.NoneNetwork;
                break;
            case "host":
                mode = NetworkingMode.Host;
                sentence = Say.HostNetwork;
                break;
            case "macvlan" or "ipvlan":
                mode = NetworkingMode.Macvlan;
                sentence = Say.MacvlanNetwork(network.Name, network.Driver, network.ParentInterfaceName, network.Subnets.ToList(), network.Gateways.ToList());
                break;
            case "bridge":
                mode = network.Internal ? NetworkingMode.Internal : network.Name == "bridge" ? NetworkingMode.DefaultBridge : NetworkingMode.UserBridge;
                sentence = Say.BridgeNetwork(network.Name, network.Name == "bridge", network.BridgeName, network.Subnets.ToList(), network.Gateways.ToList());
                if (network.Internal) sentence += " " + Say.InternalNetwork(network.Name);
                break;
            default:
                mode = NetworkingMode.Other;
                sentence = Say.OtherNetwork(network.Name, network.Driver);
                break;
        }
        return new(mode, [new(Say.WhatThisIs, [sentence, Say.Attached(containers)])]);
    }

    // ---- NAT ---------------------------------------------------------------------------------------

    private static ExplanationSection NatRule(TopologyIndex index, NatRuleNode rule)
    {
        var sentences = new List<string>();
        switch (rule.Target)
        {
            case "MASQUERADE":
                sentences.Add(Say.Masquerade(rule.Source, rule.OutInterfaceNegated ? rule.OutInterface : null, rule.Packets));
                break;
            case "DNAT":
                sentences.Add(Say.Dnat(rule.Protocol, rule.HostIp, rule.HostPort, rule.ToIp, rule.ToPort, rule.InInterfaceNegated ? rule.InInterface : null, rule.Packets));
                if (LocalTrafficSkipsDnat(index))
                    sentences.Add(Say.LoopbackViaProxy(rule.HostIp, rule.HostPort, rule.ProxyPid));
                break;
            default:
                sentences.Add(Say.OtherRule(rule.Chain, rule.Position, rule.Target));
                break;
        }
        return new(Say.WhatThisIs, sentences);
    }

    /// <summary>
    /// Docker (with its default userland proxy) jumps from OUTPUT to DOCKER only for <c>! -d 127.0.0.0/8</c>: a
    /// connection the host opens to 127.0.0.1:port never meets the DNAT rule, docker-proxy carries it. True when the
    /// snapshot's nat OUTPUT chain says so, or has no jump to DOCKER at all.
    /// </summary>
    public static bool LocalTrafficSkipsDnat(TopologyIndex index)
    {
        var jumps = index.OfKind<NatRuleNode>().Where(r => r.Chain == "OUTPUT" && r.Target == "DOCKER").ToList();
        return jumps.Count == 0 || jumps.All(r => r.DestinationNegated && r.Destination is "127.0.0.0/8");
    }

    private static string PortSentence(TopologyIndex index, ContainerNode container, PublishedPort port)
    {
        if (port.HostPort is not { } hostPort) return Say.ExposedOnly(port.ContainerPort, port.Protocol);
        var rule = index.OfKind<NatRuleNode>().FirstOrDefault(r => r.Target == "DNAT" && r.HostPort == hostPort
            && string.Equals(r.Protocol, port.Protocol, StringComparison.OrdinalIgnoreCase));
        var sentence = Say.Published(port.HostIp, hostPort, port.ContainerPort, port.Protocol, rule?.ToIp);
        if (LocalTrafficSkipsDnat(index)) sentence += " " + Say.LoopbackViaProxy(port.HostIp, hostPort, port.ProxyListening ? port.ProxyPid : null);
        return sentence;
    }

    // ---- edges -------------------------------------------------------------------------------------

    private static Explanation Edge(TopologyIndex index, TopologyEdge edge)
    {
        var source = index.Node(edge.Source);
        var target = index.Node(edge.Target);
        return edge switch
        {
            VethEdge when source is InterfaceNode a && target is InterfaceNode b =>
                new(NetworkingMode.Other, [new(Say.WhatThisIs, [Say.VethCable(a.Name, WhereIs(index, index.NetnsOf(a)), b.Name, WhereIs(index, index.NetnsOf(b)))])]),
            PortEdge port when source is InterfaceNode p => new(NetworkingMode.Other, [new(Say.WhatThisIs, [Say.PortOf(p.Name, port.Master)])]),
            RouteEdge route when source is InterfaceNode from => new(NetworkingMode.Other, [new(Say.Routes,
                [Say.DefaultRoute(route.Gateway, from.Name, route.Family)])]),
            NatEdge when (source as NatRuleNode ?? target as NatRuleNode) is { } rule => new(NetworkingMode.Other, [NatRule(index, rule)]),
            NetworkBridgeEdge when source is NetworkNode network => Network(index, network),
            _ => Explanation.Nothing,
        };
    }

    /// <summary>Every sentence the explanations say, in one place (issue 13 localises them here).</summary>
    internal static class Say
    {
        public const string WhatThisIs = "What this is";
        public const string HowItIsNetworked = "How it is networked";
        public const string Routes = "Routes";
        public const string PublishedPorts = "Published ports";
        public const string LikeTheHost = "Like the host:";
        public const string NoNamespace = "It has no network namespace to route from (not running).";
        public const string NoRoutes = "Its routing table is empty: no route, not even to a local subnet, so nothing outside this namespace is reachable.";
        public const string TheHost = "the host";
        public const string UnknownNamespace = "an unknown namespace";
        public const string NoneNetwork = "Docker's \"none\" network: a container on it gets a namespace with only lo, no routes and no way out.";
        public const string HostNetwork = "Docker's \"host\" network: a container on it gets no namespace of its own and uses the host's interfaces, routes and ports.";

        private static string Inode(ulong? inode) => inode is { } i ? i.ToString(CultureInfo.InvariantCulture) : "?";
        private static string List(IReadOnlyCollection<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);

        public static string NotRunning(string name, string state) => $"{name} is {state}: a stopped container has no processes, so no network namespace.";

        public static string ModeNone(string name, ulong? inode, string? interfaces) =>
            $"--network none: {name} has a namespace of its own (inode {Inode(inode)}) holding only {interfaces ?? "lo"}. No veth, no bridge, no route out; nothing outside can reach it.";

        public static string ModeHost(string name, ulong? inode) =>
            $"--network host: {name} has no network namespace of its own. It runs in the host's (inode {Inode(inode)}), sees every host interface and binds its ports on the host directly: no veth, no bridge, no DNAT.";

        public static string ModeJoined(string name, string owner, ulong? inode, string? interfaces) =>
            $"--network container:{owner}: {name} has no network namespace of its own; it joins {owner}'s (inode {Inode(inode)}). It shares {owner}'s interfaces ({interfaces ?? "none"}), addresses, routes and ports: localhost is the same for both.";

        public static string OwnersNetwork(string owner, string network, string? ip, string? gateway) =>
            $"{owner} is attached to {network}" + (ip is null ? "" : $" as {ip}") + (gateway is null ? ", without a gateway." : $", gateway {gateway}.");

        public static string OnBridge(string network, bool isDefault, string? nic, string? address, string? peer, string? bridge, string? gateway) =>
            $"On {(isDefault ? "Docker's default bridge network" : "the user-defined bridge network")} {network}: " +
            $"{nic ?? "its interface"}{(address is null ? "" : $" ({address})")} is one end of a veth pair; the other end, {peer ?? "?"}, is a port of the Linux bridge {bridge ?? "?"}" +
            (gateway is null ? "." : $", whose address {gateway} is the gateway.") +
            (isDefault ? " Containers here reach each other by IP only (no DNS names on the default bridge)." : " Containers here find each other by name through Docker's DNS at 127.0.0.11.");

        public static string InternalNetwork(string network) =>
            $"{network} is internal: Docker gives it no MASQUERADE rule and isolates it, so containers on it reach each other but nothing outside.";

        public static string OnMacvlan(string network, string? nic, string? address, string? mac, string? parent) =>
            $"On macvlan network {network}: {nic ?? "its interface"}{(address is null ? "" : $" ({address})")} is a macvlan device on the host's {parent ?? "parent NIC"} with its own MAC {mac ?? "?"}. " +
            $"Frames leave straight through {parent ?? "the parent"}: no veth, no bridge, no NAT. The host cannot reach it through {parent ?? "the parent"} itself (macvlan keeps the parent apart).";

        public static string DefaultRoute(string? gateway, string? dev, int family) =>
            gateway is null
                ? $"The default route{(family == 6 ? " (IPv6)" : "")} leaves directly on {dev ?? "?"} (no gateway)."
                : $"The default route{(family == 6 ? " (IPv6)" : "")} goes via {gateway} on {dev ?? "?"}.";

        public static string NoDefaultRoute(IReadOnlyCollection<string> routes) =>
            $"It has no default route: it reaches only {List(routes)}.";

        public static string HostNetns(ulong inode, IReadOnlyCollection<string> containers) =>
            $"The host's network namespace (inode {inode}): the one NetViz runs in, with the host's NICs, bridges and the host ends of the veth pairs." +
            (containers.Count == 0 ? "" : $" --network host containers run here too: {List(containers)}.");

        public static string ContainerNetns(ulong inode, IReadOnlyCollection<string> containers, bool onlyLoopback, string? interfaces) =>
            $"Network namespace {inode} of {List(containers)}, made by Docker (under /var/run/docker/netns, so ip netns list does not show it). Interfaces: {interfaces ?? "none"}." +
            (onlyLoopback ? " It holds only loopback: a --network none container." : "");

        public static string ManualNetns(string name, ulong inode, string? interfaces) =>
            $"Namespace {name} (inode {inode}), made by hand with ip netns add: a bind mount at /var/run/netns/{name} keeps it alive without any process. Interfaces: {interfaces ?? "none"}.";

        public static string AnonymousNetns(ulong inode, IReadOnlyCollection<int> pids, string? interfaces) =>
            $"Namespace {inode}, made neither by Docker nor by ip netns: held by process{(pids.Count == 1 ? "" : "es")} {(pids.Count == 0 ? "none found" : string.Join(", ", pids))}. Interfaces: {interfaces ?? "none"}.";

        public static string ContainersNamespace(IReadOnlyCollection<string> containers) => $"the namespace of {List(containers)}";
        public static string NamedNamespace(string name) => $"namespace {name} (ip netns)";
        public static string InodeNamespace(ulong inode) => $"namespace {inode}";

        public static string Loopback(string name, string where) => $"{name} is the loopback of {where}: 127.0.0.1 here is this namespace only.";

        public static string Veth(string name, string where, string? peer, string? peerWhere) =>
            peer is null
                ? $"{name} is a veth in {where}; its other end was not found (it may be in a namespace NetViz cannot read)."
                : $"{name} is one end of a veth pair in {where}: what enters here leaves at {peer} in {peerWhere}, and the other way round.";

        public static string Bridge(string name, IReadOnlyCollection<string> ports, IReadOnlyCollection<string> addresses, IReadOnlyCollection<string> networks) =>
            $"{name} is a Linux bridge (a virtual switch). Ports: {List(ports)}." +
            (addresses.Count == 0 ? " It has no address: it switches frames but is nobody's gateway." : $" Its address {List(addresses)} is the gateway of the namespaces behind its ports.") +
            (networks.Count == 0 ? " No Docker network uses it (made by hand)." : $" It implements Docker network {List(networks)}.");

        public static string MacvlanDevice(string name, string type, string where, string? lower, string? mac) =>
            $"{name} is a {type} device in {where} on the host's {lower ?? "parent NIC"}, with its own MAC {mac ?? "?"}: frames leave directly through {lower ?? "the parent"}, no bridge and no NAT.";

        public static string Link(string name, string type, string where, string? defaultGateway) =>
            $"{name} is a {type} link in {where}." + (defaultGateway is null ? "" : $" The host's default route leaves by it, via {defaultGateway}.");

        public static string PortOf(string name, string master) => $"{name} is a port of {master}: frames arriving on it are switched by {master}.";

        public static string VethCable(string a, string aWhere, string b, string bWhere) =>
            $"A veth pair: {a} in {aWhere} and {b} in {bWhere} are two ends of one cable.";

        public static string MacvlanNetwork(string name, string driver, string? parent, IReadOnlyCollection<string> subnets, IReadOnlyCollection<string> gateways) =>
            $"{name} is a {driver} network on the host's {parent ?? "parent NIC"}: each container gets its own {driver} device and address in {List(subnets)} on the parent's LAN, gateway {List(gateways)}. No bridge, no NAT.";

        public static string BridgeNetwork(string name, bool isDefault, string? bridge, IReadOnlyCollection<string> subnets, IReadOnlyCollection<string> gateways) =>
            $"{(isDefault ? "Docker's default bridge network" : "A user-defined bridge network")} {name}: the Linux bridge {bridge ?? "?"}, subnet {List(subnets)}, gateway {List(gateways)} (the bridge's own address).";

        public static string OtherNetwork(string name, string driver) => $"{name} is a Docker network with the {driver} driver.";

        public static string Attached(IReadOnlyCollection<string> containers) => $"Attached containers: {List(containers)}.";

        public static string Masquerade(string? source, string? notOut, long packets) =>
            $"MASQUERADE: connections from {source ?? "any address"} leaving by {(notOut is null ? "any interface" : "any interface but " + notOut)} get the outgoing interface's address as source, so replies come back to the host. {packets} packets matched so far (the first packet of each connection).";

        public static string Dnat(string? protocol, string? hostIp, int? hostPort, string? toIp, int? toPort, string? notIn, long packets) =>
            $"DNAT: new {protocol ?? "ip"} connections to {hostIp ?? "any host address"}:{hostPort?.ToString(CultureInfo.InvariantCulture) ?? "*"}" +
            (notIn is null ? "" : $" arriving from outside {notIn}") +
            $" are sent to {toIp ?? "?"}:{toPort?.ToString(CultureInfo.InvariantCulture) ?? "?"} (a published port). {packets} packets matched so far.";

        public static string LoopbackViaProxy(string? hostIp, int? hostPort, int? proxyPid)
        {
            var port = hostPort?.ToString(CultureInfo.InvariantCulture) ?? "*";
            var proxy = proxyPid is { } pid
                ? $"docker-proxy (PID {pid.ToString(CultureInfo.InvariantCulture)}), listening on {hostIp ?? "0.0.0.0"}:{port}, carries it"
                : "no docker-proxy was found listening on that port (userland-proxy off, or it could not be read), so such a connection may find nothing";
            return $"Remote traffic (and traffic from containers) takes the DNAT rule. A connection the host itself opens to 127.0.0.1:{port} skips it (Docker's OUTPUT jump excludes 127.0.0.0/8): {proxy}, and the rule's counter does not move.";
        }

        public static string OtherRule(string chain, int position, string? target) =>
            $"Rule {position} of the {chain} chain{(target is null ? "" : ", target " + target)}: it translates nothing itself.";

        public static string Published(string? hostIp, int hostPort, int containerPort, string protocol, string? toIp) =>
            $"{hostIp ?? "0.0.0.0"}:{hostPort} on the host goes to port {containerPort}/{protocol}" + (toIp is null ? "." : $" at {toIp}.");

        public static string ExposedOnly(int containerPort, string protocol) => $"{containerPort}/{protocol} is exposed but not published: only reachable from the same network.";

        public static string External(string? via, string? gateway) =>
            $"Everything beyond the host's default route: via {gateway ?? "no gateway"} on {via ?? "?"}.";
    }
}
