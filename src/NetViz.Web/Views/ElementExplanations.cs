using System.Globalization;
using NetViz.Core.Model;
using NetViz.Web.Graph;
using NetViz.Web.Localization;

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

    /// <summary>
    /// Every sentence the explanations say, in one place, in the page's language (resources "Explain.*" of strings.py).
    /// Names and values read from the host are always format arguments, never part of the format string.
    /// </summary>
    internal static class Say
    {
        private static string W(string key, params object[] args) => SharedWords.Get("Explain." + key, args);

        public static string WhatThisIs => W("WhatThisIs");
        public static string HowItIsNetworked => W("HowItIsNetworked");
        public static string Routes => W("Routes");
        public static string PublishedPorts => W("PublishedPorts");
        public static string LikeTheHost => W("LikeTheHost");
        public static string HostsTable => W("HostsTable");
        public static string NoNamespace => W("NoNamespace");
        public static string NoRoutes => W("NoRoutes");
        public static string TheHost => W("TheHost");
        public static string UnknownNamespace => W("UnknownNamespace");
        public static string NoneNetwork => W("NoneNetwork");
        public static string HostNetwork => W("HostNetwork");

        private static string Inode(ulong? inode) => inode is { } i ? i.ToString(CultureInfo.InvariantCulture) : "?";
        private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
        private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
        private static string List(IReadOnlyCollection<string> items) => items.Count == 0 ? W("None") : string.Join(", ", items);
        private static string Sentences(params string[] sentences) => string.Join(" ", sentences.Where(s => s.Length > 0));

        public static string NotRunning(string name, string state) => W("NotRunning", name, DockerWords.State(state));

        public static string ModeNone(string name, ulong? inode, string? interfaces) => W("ModeNone", name, Inode(inode), interfaces ?? W("Lo"));

        public static string ModeHost(string name, ulong? inode) => W("ModeHost", name, Inode(inode));

        public static string ModeJoined(string name, string owner, ulong? inode, string? interfaces) =>
            W("ModeJoined", name, owner, Inode(inode), interfaces ?? W("None"));

        public static string OwnersNetwork(string owner, string network, string? ip, string? gateway) =>
            W((ip, gateway) switch
            {
                (null, null) => "OwnersNetwork",
                (_, null) => "OwnersNetwork.Ip",
                (null, _) => "OwnersNetwork.Gateway",
                _ => "OwnersNetwork.IpGateway",
            }, owner, network, ip ?? "", gateway ?? "");

        public static string OnBridge(string network, bool isDefault, string? nic, string? address, string? peer, string? bridge, string? gateway)
        {
            var key = (isDefault ? "OnBridge.Default" : "OnBridge.User") + (gateway is null ? "" : ".Gateway");
            var device = (nic ?? W("ItsInterface")) + (address is null ? "" : $" ({address})");
            return Sentences(W(key, network, device, peer ?? "?", bridge ?? "?", gateway ?? ""), W(isDefault ? "DnsDefault" : "DnsUser"));
        }

        public static string InternalNetwork(string network) => W("InternalNetwork", network);

        public static string OnMacvlan(string network, string? nic, string? address, string? mac, string? parent) =>
            W("OnMacvlan", network, (nic ?? W("ItsInterface")) + (address is null ? "" : $" ({address})"), parent ?? W("ParentNic"), mac ?? "?",
                parent ?? W("TheParent"));

        public static string DefaultRoute(string? gateway, string? dev, int family) =>
            W(gateway is null ? "DefaultRoute.Direct" : "DefaultRoute", family == 6 ? " (IPv6)" : "", gateway ?? "", dev ?? "?");

        public static string NoDefaultRoute(IReadOnlyCollection<string> routes) => W("NoDefaultRoute", List(routes));

        public static string HostNetns(ulong inode, IReadOnlyCollection<string> containers) =>
            Sentences(W("HostNetns", Inode(inode)), containers.Count == 0 ? "" : W("HostNetns.Containers", List(containers)));

        public static string ContainerNetns(ulong inode, IReadOnlyCollection<string> containers, bool onlyLoopback, string? interfaces) =>
            Sentences(W("ContainerNetns", Inode(inode), List(containers), interfaces ?? W("None")), onlyLoopback ? W("ContainerNetns.OnlyLoopback") : "");

        public static string ManualNetns(string name, ulong inode, string? interfaces) => W("ManualNetns", name, Inode(inode), interfaces ?? W("None"));

        public static string AnonymousNetns(ulong inode, IReadOnlyCollection<int> pids, string? interfaces) =>
            W(pids.Count switch { 0 => "AnonymousNetns.NoPid", 1 => "AnonymousNetns.One", _ => "AnonymousNetns.Many" },
                Inode(inode), string.Join(", ", pids.Select(Number)), interfaces ?? W("None"));

        public static string ContainersNamespace(IReadOnlyCollection<string> containers) => W("ContainersNamespace", List(containers));
        public static string NamedNamespace(string name) => W("NamedNamespace", name);
        public static string InodeNamespace(ulong inode) => W("InodeNamespace", Inode(inode));

        public static string Loopback(string name, string where) => W("Loopback", name, where);

        public static string Veth(string name, string where, string? peer, string? peerWhere) =>
            peer is null ? W("Veth.NoPeer", name, where) : W("Veth", name, where, peer, peerWhere ?? "?");

        public static string Bridge(string name, IReadOnlyCollection<string> ports, IReadOnlyCollection<string> addresses, IReadOnlyCollection<string> networks) =>
            Sentences(W("Bridge", name, List(ports)),
                addresses.Count == 0 ? W("Bridge.NoAddress") : W("Bridge.Address", List(addresses)),
                networks.Count == 0 ? W("Bridge.NoNetwork") : W("Bridge.Networks", List(networks)));

        public static string MacvlanDevice(string name, string type, string where, string? lower, string? mac) =>
            W("MacvlanDevice", name, type, where, lower ?? W("ParentNic"), mac ?? "?", lower ?? W("TheParent"));

        public static string Link(string name, string type, string where, string? defaultGateway) =>
            Sentences(W("Link", name, type, where), defaultGateway is null ? "" : W("Link.DefaultRoute", defaultGateway));

        public static string PortOf(string name, string master) => W("PortOf", name, master);

        public static string VethCable(string a, string aWhere, string b, string bWhere) => W("VethCable", a, aWhere, b, bWhere);

        public static string MacvlanNetwork(string name, string driver, string? parent, IReadOnlyCollection<string> subnets, IReadOnlyCollection<string> gateways) =>
            W("MacvlanNetwork", name, driver, parent ?? W("ParentNic"), List(subnets), List(gateways));

        public static string BridgeNetwork(string name, bool isDefault, string? bridge, IReadOnlyCollection<string> subnets, IReadOnlyCollection<string> gateways) =>
            W(isDefault ? "BridgeNetwork.Default" : "BridgeNetwork.User", name, bridge ?? "?", List(subnets), List(gateways));

        public static string OtherNetwork(string name, string driver) => W("OtherNetwork", name, driver);

        public static string Attached(IReadOnlyCollection<string> containers) => W("Attached", List(containers));

        public static string Masquerade(string? source, string? notOut, long packets) =>
            W("Masquerade", source ?? W("AnyAddress"), notOut is null ? W("AnyInterface") : W("AnyInterfaceBut", notOut), Number(packets));

        public static string Dnat(string? protocol, string? hostIp, int? hostPort, string? toIp, int? toPort, string? notIn, long packets) =>
            W(notIn is null ? "Dnat" : "Dnat.NotIn", protocol ?? "ip", hostIp ?? W("AnyHostAddress"), hostPort is { } hp ? Number(hp) : "*",
                toIp ?? "?", toPort is { } tp ? Number(tp) : "?", Number(packets), notIn ?? "");

        public static string LoopbackViaProxy(string? hostIp, int? hostPort, int? proxyPid)
        {
            var port = hostPort is { } p ? Number(p) : "*";
            return proxyPid is { } pid ? W("LoopbackViaProxy", port, Number(pid), hostIp ?? "0.0.0.0") : W("LoopbackNoProxy", port);
        }

        public static string OtherRule(string chain, int position, string? target) =>
            W(target is null ? "OtherRule" : "OtherRule.Target", Number(position), chain, target ?? "");

        public static string Published(string? hostIp, int hostPort, int containerPort, string protocol, string? toIp) =>
            W(toIp is null ? "Published" : "Published.To", hostIp ?? "0.0.0.0", Number(hostPort), Number(containerPort), protocol, toIp ?? "");

        public static string ExposedOnly(int containerPort, string protocol) => W("ExposedOnly", Number(containerPort), protocol);

        public static string External(string? via, string? gateway) =>
            W(gateway is null ? "External.NoGateway" : "External", gateway ?? "", via ?? "?");
    }
}
