using System.Collections.Immutable;
using System.Net;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Text;

namespace NetViz.Core.Correlation;

/// <summary>What one collection read from every source; the builder's only input.</summary>
public sealed record SourceReadings
{
    public required string Hostname { get; init; }
    /// <summary><c>/etc/machine-id</c>, or null.</summary>
    public string? MachineId { get; init; }
    public required DateTimeOffset CollectedAt { get; init; }
    public required HostNetworkView Host { get; init; }
    public required DockerView Docker { get; init; }
    public required NatView Nat { get; init; }
}

/// <summary>
/// Correlates what netlink, Docker and iptables say into one graph of typed nodes and edges. Pure: the same readings
/// give the same snapshot, and ids (<see cref="NodeId"/>, <see cref="EdgeId"/>) are derived only from kernel/Docker
/// identities (netns inode, ifindex, container/network id, rule text) so they are stable across snapshots.
/// </summary>
public static class TopologyBuilder
{
    public static TopologySnapshot Build(SourceReadings r) => DerivedFacts.Complete(new GraphBuilder(r).Build());

    // The id helpers callers knew here; ids are made in NodeId.
    public const string ExternalId = NodeId.External;
    public static string NetnsId(ulong inode) => NodeId.Netns(inode);
    public static string InterfaceId(ulong netnsInode, int ifindex) => NodeId.Interface(netnsInode, ifindex);
    public static string ContainerId(string id) => NodeId.Container(id);
    public static string NetworkId(string id) => NodeId.Network(id);

    /// <summary>The snapshot's packet filter: the filter tables and every chain, as read.</summary>
    internal static PacketFilter FilterOf(NatView nat) =>
        new() { Rules = nat.FilterRules, Chains = nat.Chains, Ip6Rules = nat.Ip6FilterRules, Ip6Chains = nat.Ip6Chains };

    /// <summary>
    /// Every rule that becomes a node, with its node id, in node order: the host's IPv4 then IPv6 nat rules, then those
    /// of the other namespaces that are known. A rule written twice in one chain is told apart by its occurrence.
    /// </summary>
    internal static IEnumerable<(string Id, NatRule Rule)> NatRuleIds(NatView nat, Func<ulong, bool> knownNamespace)
    {
        var seen = new Dictionary<(string, string, string, int, ulong?), int>();
        foreach (var rule in nat.Rules.Concat(nat.Ip6Rules).Concat(nat.NamespaceRules.Where(x => x.NetnsInode is { } ino && knownNamespace(ino))))
        {
            var key = (rule.Table, rule.Chain, rule.Rule, rule.Family, rule.NetnsInode);
            var occurrence = seen[key] = seen.GetValueOrDefault(key) + 1;
            yield return (NodeId.NatRule(rule.Table, rule.Chain, rule.Rule, occurrence, rule.Family, rule.NetnsInode), rule);
        }
    }

    private sealed class GraphBuilder(SourceReadings r)
    {
        private readonly List<TopologyNode> _nodes = [];
        private readonly List<TopologyEdge> _edges = [];
        private readonly HashSet<string> _edgeIds = new(StringComparer.Ordinal);
        private readonly Dictionary<ulong, NetworkNamespaceView> _nsByInode = [];
        private readonly Dictionary<ulong, Dictionary<int, LinkInfo>> _links = [];
        private readonly Dictionary<ulong, List<ContainerInfo>> _containersByNs = [];
        private readonly ulong _hostInode = r.Host.HostInode;
        private bool _hasExternal;

        public TopologySnapshot Build()
        {
            foreach (var ns in r.Host.Namespaces)
            {
                if (_nsByInode.ContainsKey(ns.Inode)) continue;
                _nsByInode[ns.Inode] = ns;
                var byIndex = new Dictionary<int, LinkInfo>();
                foreach (var l in ns.Links) byIndex[l.Index] = l;
                _links[ns.Inode] = byIndex;
            }
            foreach (var c in r.Docker.Containers)
            {
                if (c.NetnsInode is { } ino && _nsByInode.ContainsKey(ino))
                    (_containersByNs.TryGetValue(ino, out var list) ? list : _containersByNs[ino] = []).Add(c);
            }

            var netnsOrder = _nsByInode.Values.OrderBy(n => n.IsHost ? 0 : 1).ThenBy(n => n.Inode);
            foreach (var ns in netnsOrder) AddNamespace(ns);
            foreach (var ns in netnsOrder) AddLinkEdges(ns);
            AddRoutes();
            foreach (var c in r.Docker.Containers.OrderBy(c => c.Name, StringComparer.Ordinal)) AddContainer(c);
            foreach (var n in r.Docker.Networks.OrderBy(n => n.Name, StringComparer.Ordinal)) AddNetwork(n);
            AddNatRules();

            var warnings = Bounded.Warnings(r.Host.Warnings.Concat(r.Docker.Warnings).Concat(r.Nat.Warnings.Select(w => "iptables-save: " + w)));
            return new TopologySnapshot
            {
                GeneratedAt = r.CollectedAt,
                Host = new HostInfo
                {
                    Hostname = r.Hostname,
                    MachineId = r.MachineId,
                    Netns = _nsByInode.ContainsKey(_hostInode) ? NodeId.Netns(_hostInode) : null,
                    Warnings = warnings,
                },
                Sources = new SourcesStatus
                {
                    Docker = new DockerSourceStatus { Ok = r.Docker.Ok, Endpoint = r.Docker.Endpoint, Version = r.Docker.Version, Error = r.Docker.Error },
                    Netlink = new SourceStatus { Ok = r.Host.Ok, Error = r.Host.Error },
                    Nat = new NatSourceStatus { Ok = r.Nat.Ok, Degraded = r.Nat.Degraded, Backend = r.Nat.Backend, Error = r.Nat.Error, Ip6Error = r.Nat.Ip6Error },
                },
                Nodes = [.. _nodes],
                Edges = [.. _edges],
                Filter = FilterOf(r.Nat),
            };
        }

        // ---- namespaces and interfaces -------------------------------------------------------------

        private void AddNamespace(NetworkNamespaceView ns)
        {
            var containers = _containersByNs.TryGetValue(ns.Inode, out var cs)
                ? cs.OrderBy(c => c.Name, StringComparer.Ordinal).ToList() : [];
            var (role, roleNetwork) = DockerSandboxRole(ns);
            var label = ns.IsHost ? "host"
                : ns.Name ?? (containers.Count > 0 ? string.Join(", ", containers.Select(c => c.Name))
                    : role switch
                    {
                        "overlay" => $"overlay {roleNetwork?.Name ?? "?"}",
                        "load-balancer" => $"lb {roleNetwork?.Name ?? "?"}",
                        "ingress-sandbox" => "ingress_sbox",
                        _ => $"netns {ns.Inode}",
                    });
            var defaultRoutes = ns.Routes.Where(IsMainDefault).ToList();
            _nodes.Add(new NetnsNode
            {
                Id = NodeId.Netns(ns.Inode),
                Label = label,
                Inode = ns.Inode,
                Name = ns.Name,
                IsHost = ns.IsHost,
                Paths = ns.Paths,
                Pids = ns.Pids,
                Holder = ns.Holder,
                Containers = containers.Select(c => new ContainerRef(NodeId.Container(c.Id), c.Name)).ToEquatableArray(),
                Routes = ns.Routes.Where(rt => rt.Table == 254).Select(rt => new Route
                {
                    Family = rt.Family,
                    Destination = rt.Destination,
                    Gateway = rt.Gateway,
                    Dev = rt.OutIndex is { } oif && _links[ns.Inode].TryGetValue(oif, out var l) ? l.Name : null,
                    Metric = rt.Metric,
                    Scope = rt.Scope,
                    Protocol = rt.Protocol,
                    PreferredSource = rt.PreferredSource,
                }).ToEquatableArray(),
                DefaultGateway = defaultRoutes.FirstOrDefault(rt => rt.Family == 4)?.Gateway ?? defaultRoutes.FirstOrDefault()?.Gateway,
                DockerRole = role,
                Network = roleNetwork is { } rn ? NodeId.Network(rn.Id) : null,
            });

            foreach (var link in ns.Links.OrderBy(l => l.Index))
            {
                var addresses = ns.Addresses.Where(a => a.Index == link.Index)
                    .OrderBy(a => a.Family).ThenBy(a => a.Scope == "link" ? 1 : 0)
                    .Select(a => new InterfaceAddress { Address = a.Address, PrefixLength = a.PrefixLength, Family = a.Family, Scope = a.Scope, Peer = a.Peer })
                    .ToEquatableArray();
                var peer = ResolveVethPeer(ns, link);
                var lower = link.Type != "veth" ? ResolveLower(ns, link) : null;
                _nodes.Add(new InterfaceNode
                {
                    Id = NodeId.Interface(ns.Inode, link.Index),
                    Label = link.Name,
                    Parent = NodeId.Netns(ns.Inode),
                    Name = link.Name,
                    Ifindex = link.Index,
                    Type = link.Type,
                    Mac = link.Mac,
                    Mtu = link.Mtu,
                    Up = link.Up,
                    OperState = link.OperState,
                    Addresses = addresses,
                    Master = link.Master is { } m && _links[ns.Inode].ContainsKey(m) ? NodeId.Interface(ns.Inode, m) : null,
                    Peer = peer is { } p ? NodeId.Interface(p.Ns, p.Index) : null,
                    Lower = lower is { } lw ? NodeId.Interface(lw.Ns, lw.Index) : null,
                    RxBytes = link.Counters?.RxBytes ?? 0,
                    TxBytes = link.Counters?.TxBytes ?? 0,
                    RxPackets = link.Counters?.RxPackets ?? 0,
                    TxPackets = link.Counters?.TxPackets ?? 0,
                    NetnsInode = ns.Inode,
                    VxlanId = link.Vxlan?.Id,
                    VxlanPort = link.Vxlan?.Port,
                    UnderlayNetns = link.Vxlan is not null && link.LinkNetnsId is not null && ResolveLinkNamespace(ns, link) is { } under && under != ns.Inode
                        ? NodeId.Netns(under) : null,
                    PeerAddresses = addresses.Where(a => a.Peer is not null).Select(a => a.Display).ToEquatableArray(),
                    VxlanRemotes = link.Vxlan is { } v ? VxlanOverlays.Remotes(v) : [],
                    VxlanGroup = link.Vxlan?.Group is { } g && VxlanOverlays.IsMulticast(g) ? g : null,
                    VxlanOverlay = link.Vxlan is { } vo ? VxlanOverlays.Recognise(link.Name, vo, link.LinkNetnsId is not null && !ns.IsHost) : null,
                });
            }
        }

        private static bool IsMainDefault(RouteInfo rt) =>
            rt.Destination == "default" && (rt.Table == 254 || rt.Table == 0) && (rt.Type is null or "unicast");

        /// <summary>
        /// The other end of a veth, verified from both sides: IFLA_LINK names the peer's ifindex in the namespace
        /// that IFLA_LINK_NETNSID denotes (relative to the reporting namespace), and the peer must point back.
        /// </summary>
        private (ulong Ns, int Index)? ResolveVethPeer(NetworkNamespaceView ns, LinkInfo link)
        {
            if (link.Type != "veth" || link.Link is not { } peerIndex || peerIndex == 0) return null;
            var peerNs = ResolveLinkNamespace(ns, link);
            if (peerNs is null || !_links[peerNs.Value].TryGetValue(peerIndex, out var peer)) return null;
            if (peer.Type != "veth" || peer.Link != link.Index) return null;
            // Check the way back when the peer's side can resolve it; ids may be unassigned on one side only.
            var back = ResolveLinkNamespace(_nsByInode[peerNs.Value], peer);
            if (back is not null && back != ns.Inode) return null;
            return (peerNs.Value, peerIndex);
        }

        private (ulong Ns, int Index)? ResolveLower(NetworkNamespaceView ns, LinkInfo link)
        {
            // A vxlan reports its own ifindex as IFLA_LINK (no ndo_get_iflink), relative to the namespace it was made in:
            // its lower device, if any, is IFLA_VXLAN_LINK in that namespace.
            if (link.Vxlan is { } vxlan)
            {
                var underNs = ResolveLinkNamespace(ns, link);
                return vxlan.Link is { } dev && underNs is { } u && _links[u].ContainsKey(dev) ? (u, dev) : null;
            }
            if (link.Link is not { } lowerIndex || lowerIndex == 0 || (lowerIndex == link.Index && link.LinkNetnsId is null)) return null;
            var lowerNs = ResolveLinkNamespace(ns, link);
            if (lowerNs is null || !_links[lowerNs.Value].ContainsKey(lowerIndex)) return null;
            return (lowerNs.Value, lowerIndex);
        }

        private ulong? ResolveLinkNamespace(NetworkNamespaceView ns, LinkInfo link)
        {
            if (link.LinkNetnsId is not { } nsid || nsid < 0) return ns.Inode;
            return ns.NsIdToInode.TryGetValue(nsid, out var inode) && _nsByInode.ContainsKey(inode) ? inode : null;
        }

        private void AddLinkEdges(NetworkNamespaceView ns)
        {
            foreach (var link in ns.Links)
            {
                var id = NodeId.Interface(ns.Inode, link.Index);
                if (ResolveVethPeer(ns, link) is { } peer)
                {
                    var peerId = NodeId.Interface(peer.Ns, peer.Index);
                    var (a, b) = string.CompareOrdinal(id, peerId) < 0 ? (id, peerId) : (peerId, id);
                    AddEdge(new VethEdge { Id = EdgeId.Veth(a, b), Source = a, Target = b });
                }
                if (link.Master is { } m && _links[ns.Inode].TryGetValue(m, out var master))
                {
                    var masterId = NodeId.Interface(ns.Inode, m);
                    AddEdge(master.Type == "bridge"
                        ? new BridgePortEdge { Id = EdgeId.Port(EdgeKinds.BridgePort, id), Source = id, Target = masterId, Master = master.Name, MasterType = master.Type }
                        : new MasterEdge { Id = EdgeId.Port(EdgeKinds.Master, id), Source = id, Target = masterId, Master = master.Name, MasterType = master.Type });
                }
                if (link.Type != "veth" && ResolveLower(ns, link) is { } lower)
                    AddEdge(new LowerEdge { Id = EdgeId.Lower(id), Source = id, Target = NodeId.Interface(lower.Ns, lower.Index), Type = link.Type });
                if (link.Vxlan is { } vx && link.LinkNetnsId is not null && ResolveLinkNamespace(ns, link) is { } underNs && underNs != ns.Inode)
                {
                    // Docker's vxlan0 is made in the host namespace and moved into the overlay's: its UDP socket, the
                    // underlay, stays in the host (IFLA_LINK_NETNSID), with no lower device to point at.
                    var target = vx.Link is { } dev && _links[underNs].ContainsKey(dev) ? NodeId.Interface(underNs, dev) : NodeId.Netns(underNs);
                    AddEdge(new UnderlayEdge { Id = EdgeId.Underlay(id), Source = id, Target = target, VxlanId = vx.Id, VxlanPort = vx.Port });
                }
            }
        }

        /// <summary>
        /// The default route of each namespace to its gateway side: the host's to the outside world, a container's
        /// to the interface that owns its gateway address (docker0 for the default bridge, as the lesson's `route` shows).
        /// </summary>
        private void AddRoutes()
        {
            foreach (var ns in _nsByInode.Values.OrderBy(n => n.Inode))
            {
                foreach (var rt in ns.Routes.Where(IsMainDefault).OrderBy(rt => rt.Family).ThenBy(rt => rt.Metric ?? 0))
                {
                    if (rt.OutIndex is not { } oif || !_links[ns.Inode].ContainsKey(oif)) continue;
                    var from = NodeId.Interface(ns.Inode, oif);
                    if (ns.IsHost)
                    {
                        if (!_hasExternal)
                        {
                            _hasExternal = true;
                            _nodes.Add(new ExternalNode
                            {
                                Id = NodeId.External,
                                Label = "outside world",
                                Via = from,
                                ViaName = _links[ns.Inode][oif].Name,
                                Gateway = rt.Gateway,
                            });
                        }
                        AddEdge(new RouteEdge { Id = EdgeId.Route(from, NodeId.External, rt.Family), Source = from, Target = NodeId.External, Gateway = rt.Gateway, Family = rt.Family });
                    }
                    else if (rt.Gateway is { } gw && FindGatewayOwner(ns, oif, gw) is { } owner)
                    {
                        var to = NodeId.Interface(owner.Ns, owner.Index);
                        AddEdge(new RouteEdge { Id = EdgeId.Route(from, to, rt.Family), Source = from, Target = to, Gateway = gw, Family = rt.Family });
                    }
                }
            }
        }

        /// <summary>Follows the veth out of the namespace to its bridge, else looks through the host namespace.</summary>
        private (ulong Ns, int Index)? FindGatewayOwner(NetworkNamespaceView ns, int oif, string gateway)
        {
            var link = _links[ns.Inode][oif];
            var candidates = new List<(ulong Ns, int Index)>();
            if (ResolveVethPeer(ns, link) is { } peer)
            {
                candidates.Add(peer);
                if (_links[peer.Ns][peer.Index].Master is { } m) candidates.Add((peer.Ns, m));
            }
            foreach (var (cns, idx) in candidates)
                if (_nsByInode[cns].Addresses.Any(a => a.Index == idx && a.Address == gateway)) return (cns, idx);
            if (_nsByInode.TryGetValue(_hostInode, out var host))
                foreach (var a in host.Addresses)
                    if (a.Address == gateway) return (_hostInode, a.Index);
            return null;
        }

        // ---- docker -----------------------------------------------------------------------------------

        private void AddContainer(ContainerInfo c)
        {
            // A host-mode container is in the host's namespace even when its sandbox file (/var/run/docker/netns/default,
            // all a stopped one has) cannot be read: the image run without that folder (README.md) sees it the same way.
            var inode = c.NetnsInode ?? (c.NetworkMode == "host" ? _hostInode : null);
            var netns = inode is { } ino && _nsByInode.ContainsKey(ino) ? NodeId.Netns(ino) : null;
            _nodes.Add(new ContainerNode
            {
                Id = NodeId.Container(c.Id),
                Label = c.Name,
                Parent = netns,
                ContainerId = c.Id,
                Name = c.Name,
                Image = c.Image,
                Pid = c.Pid,
                State = c.State,
                NetworkMode = c.NetworkMode,
                SandboxKey = NullIfEmpty(c.SandboxKey),
                Netns = netns,
                Networks = c.Endpoints.OrderBy(e => e.NetworkName, StringComparer.Ordinal).Select(e => new NetworkAttachment
                {
                    Name = e.NetworkName,
                    NetworkId = e.NetworkId,
                    IPAddress = NullIfEmpty(e.IPAddress),
                    PrefixLength = e.PrefixLength,
                    Gateway = NullIfEmpty(e.Gateway),
                    MacAddress = NullIfEmpty(e.MacAddress),
                    GlobalIPv6Address = NullIfEmpty(e.GlobalIPv6Address),
                    Aliases = e.Aliases.ToEquatableArray(),
                }).ToEquatableArray(),
                Ports = c.Ports.OrderBy(p => p.ContainerPort).ThenBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.HostPort)
                    .Select(p => new PublishedPort { ContainerPort = p.ContainerPort, Protocol = p.Protocol, HostIp = NullIfEmpty(p.HostIp), HostPort = p.HostPort } is var port
                        && ProxyFor(p) is { } proxy ? port with { ProxyPid = proxy.Pid, ProxyListening = proxy.Listening } : port)
                    .ToEquatableArray(),
            });
        }

        private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

        private void AddNetwork(DockerNetworkInfo n)
        {
            string? bridge = null;
            LinkInfo? bridgeLink = null;
            var bridgeNameOf = n.BridgeName;
            if (n.BridgeName is { } bridgeName && _links.TryGetValue(_hostInode, out var hostLinks))
            {
                bridgeLink = hostLinks.Values.FirstOrDefault(l => l.Name == bridgeName);
                if (bridgeLink is not null) bridge = NodeId.Interface(_hostInode, bridgeLink.Index);
            }
            // macvlan/ipvlan endpoints sit on a host NIC (the parent option), not on a bridge: that NIC is what the network hangs from.
            var parentName = n.ParentName;
            string? parent = null;
            if (parentName is not null && _links.TryGetValue(_hostInode, out var hostLinks2))
            {
                var link = hostLinks2.Values.FirstOrDefault(l => l.Name == parentName);
                if (link is not null) parent = NodeId.Interface(_hostInode, link.Index);
            }
            // An overlay network's bridge is br0 in its own namespace (1-<id>), not a bridge of the host.
            var overlayNs = n.Driver == "overlay" ? _nsByInode.Values.FirstOrDefault(ns => DockerSandboxRole(ns) is ("overlay", { } on) && on.Id == n.Id) : null;
            if (overlayNs is not null && _links[overlayNs.Inode].Values.Where(l => l.Type == "bridge").OrderBy(l => l.Name != "br0").FirstOrDefault() is { } br0)
            {
                bridge = NodeId.Interface(overlayNs.Inode, br0.Index);
                bridgeNameOf = br0.Name;
            }
            var members = n.Endpoints.Select(e => new NetworkMember
            {
                Name = e.Name,
                Container = r.Docker.Containers.Any(c => c.Id == e.Key) ? NodeId.Container(e.Key) : null,
                Netns = SandboxNamespace(e.Key) is { } sandbox ? NodeId.Netns(sandbox) : null,
                IPv4Address = e.IPv4Address,
                IPv6Address = e.IPv6Address,
                MacAddress = e.MacAddress,
            }).ToEquatableArray();
            var id = NodeId.Network(n.Id);
            _nodes.Add(new NetworkNode
            {
                Id = id,
                Label = n.Name,
                NetworkId = n.Id,
                Name = n.Name,
                Driver = n.Driver,
                Scope = n.Scope,
                Subnets = n.Subnets,
                Gateways = n.Gateways.IsDefaultOrEmpty ? GatewaysOf(n, bridgeLink) : n.Gateways,
                Internal = n.Internal,
                EnableIPv6 = n.EnableIPv6,
                Bridge = bridge,
                BridgeName = bridgeNameOf,
                ParentInterface = parent,
                ParentInterfaceName = parentName,
                // docker_gwbridge's members are known only from the network's side: no container's inspect names it.
                Containers = r.Docker.Containers.Where(c => c.Endpoints.Any(e => e.NetworkId == n.Id))
                    .Select(c => NodeId.Container(c.Id)).Concat(members.Select(m => m.Container).OfType<string>())
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToEquatableArray(),
                Netns = overlayNs is not null ? NodeId.Netns(overlayNs.Inode) : null,
                Endpoints = members,
            });
            if (bridge is not null)
                AddEdge(new NetworkBridgeEdge { Id = EdgeId.NetworkBridge(id), Source = id, Target = bridge, BridgeName = bridgeNameOf });
            else if (parent is not null)
                AddEdge(new NetworkBridgeEdge { Id = EdgeId.NetworkBridge(id), Source = id, Target = parent, BridgeName = parentName });
        }

        /// <summary>The docker-proxy forwarding this binding: same protocol, host port and host address (empty is 0.0.0.0).</summary>
        private Sources.Processes.DockerProxy? ProxyFor(PortMapping port) =>
            port.HostPort is not { } hostPort ? null
            : r.Docker.Proxies.FirstOrDefault(x => x.Protocol == port.Protocol && x.HostPort == hostPort
                && x.HostIp == (string.IsNullOrEmpty(port.HostIp) ? "0.0.0.0" : port.HostIp));

        /// <summary>
        /// Docker 20.10 leaves IPAM's Gateway empty for a network created with <c>--subnet</c> alone, yet it puts the
        /// subnet's first address on the bridge and hands it to every endpoint: read it from there (the bridge's own
        /// address inside a subnet, else what the endpoints were given), so every network shows its gateway.
        /// </summary>
        private ImmutableArray<string> GatewaysOf(DockerNetworkInfo n, LinkInfo? bridgeLink)
        {
            var subnets = n.Subnets.Select(s => IPNetwork.TryParse(s, out var net) ? net : (IPNetwork?)null).OfType<IPNetwork>().ToList();
            if (bridgeLink is not null && _nsByInode.TryGetValue(_hostInode, out var host))
            {
                var onBridge = host.Addresses
                    .Where(a => a.Index == bridgeLink.Index && IPAddress.TryParse(a.Address, out var ip) && subnets.Any(s => s.Contains(ip)))
                    .Select(a => a.Address).Distinct().ToImmutableArray();
                if (!onBridge.IsEmpty) return onBridge;
            }
            return [.. r.Docker.Containers.SelectMany(c => c.Endpoints).Where(e => e.NetworkId == n.Id && e.Gateway is { Length: > 0 })
                .Select(e => e.Gateway!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(8)];
        }

        /// <summary>
        /// Docker names the namespaces it makes for swarm after what they are (libnetwork osl.GenerateKey, 12 characters):
        /// <c>1-&lt;network id&gt;</c> for an overlay network's br0 and vxlan0, <c>lb_&lt;network id&gt;</c> for a network's load
        /// balancer, <c>ingress_sbox</c> for the routing mesh. The id part is a prefix of the network's id.
        /// </summary>
        private (string? Role, DockerNetworkInfo? Network) DockerSandboxRole(NetworkNamespaceView ns)
        {
            foreach (var path in ns.Paths)
            {
                var directory = Path.GetDirectoryName(path);
                if (directory is null || Path.GetFileName(directory) != "netns" || directory is "/var/run/netns" or "/run/netns") continue;
                var file = Path.GetFileName(path);
                if (file == "ingress_sbox") return ("ingress-sandbox", r.Docker.Networks.FirstOrDefault(n => n.Name == "ingress"));
                var dash = file.IndexOf('-');
                if (dash > 0 && file[..dash].All(char.IsAsciiDigit) && NetworkByIdPrefix(file[(dash + 1)..]) is { } overlay) return ("overlay", overlay);
                if (file.StartsWith("lb_", StringComparison.Ordinal) && NetworkByIdPrefix(file[3..]) is { } balanced) return ("load-balancer", balanced);
            }
            return (null, null);
        }

        private DockerNetworkInfo? NetworkByIdPrefix(string prefix) =>
            prefix.Length < 6 ? null : r.Docker.Networks.FirstOrDefault(n => n.Id.StartsWith(prefix, StringComparison.Ordinal));

        /// <summary>The namespace of a network member that is a sandbox, not a container: ingress-sbox, lb-&lt;network name&gt;.</summary>
        private ulong? SandboxNamespace(string memberKey)
        {
            foreach (var ns in _nsByInode.Values)
            {
                var (role, network) = DockerSandboxRole(ns);
                if ((role == "ingress-sandbox" && memberKey == "ingress-sbox") || (role == "load-balancer" && network is not null && memberKey == "lb-" + network.Name))
                    return ns.Inode;
            }
            return null;
        }

        // ---- NAT -------------------------------------------------------------------------------------

        private void AddNatRules()
        {
            foreach (var (id, rule) in NatRuleIds(r.Nat, _nsByInode.ContainsKey))
            {
                var node = new NatRuleNode { Id = id, Label = "", Parsed = rule };
                node = node with { Label = node.Describe() };
                _nodes.Add(node);
                // A rule in a chain nothing jumps to never sees a packet: listed, but not linked as a live gate.
                if (!rule.Reachable) continue;
                if (rule.NetnsInode is { } netns) LinkNamespaceRule(node, netns);
                else if (node.Translation == NatTranslation.Source) LinkMasquerade(node);
                else if (rule.Target == "DNAT") LinkDnat(node);
            }
        }

        /// <summary>
        /// MASQUERADE/SNAT applies to traffic from its -s subnet: link it to the bridge(s) whose subnet that is, or
        /// (a hairpin rule with a /32 source) to the interface that owns the address; and to the outside world when
        /// the traffic leaves by any interface but the bridge (`! -o docker0`).
        /// </summary>
        private void LinkMasquerade(NatRuleNode node)
        {
            if (!_nsByInode.TryGetValue(_hostInode, out var host)) return;
            var rule = node.Parsed;
            var linked = false;
            if (rule.Source is { } src && !rule.SourceNegated && IPNetwork.TryParse(src.Contains('/') ? src : src + (src.Contains(':') ? "/128" : "/32"), out var subnet))
            {
                var isHostRoute = subnet.PrefixLength == (subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
                if (isHostRoute)
                {
                    foreach (var owner in FindAddressOwners(subnet.BaseAddress.ToString()).Take(1))
                    {
                        AddNatEdge(node.Id, NodeId.Interface(owner.Ns, owner.Index), NatRoles.Masquerade);
                        linked = true;
                    }
                }
                else
                {
                    foreach (var a in host.Addresses)
                    {
                        if (!_links[_hostInode].TryGetValue(a.Index, out var l) || l.Type != "bridge") continue;
                        if (!IPAddress.TryParse(a.Address, out var ip) || !subnet.Contains(ip)) continue;
                        AddNatEdge(node.Id, NodeId.Interface(_hostInode, a.Index), NatRoles.Masquerade);
                        linked = true;
                    }
                }
            }
            if (!linked && rule.OutInterface is { } oname && !rule.OutInterfaceNegated)
            {
                var outLink = _links[_hostInode].Values.FirstOrDefault(l => l.Name == oname);
                if (outLink is not null)
                {
                    AddNatEdge(node.Id, NodeId.Interface(_hostInode, outLink.Index), NatRoles.MasqueradeOut);
                    return;
                }
            }
            if (linked && rule.OutInterfaceNegated && _hasExternal)
                AddNatEdge(node.Id, NodeId.External, NatRoles.Egress);
        }

        /// <summary>DNAT sends host address:port to --to-destination: link the interface and container owning that address.</summary>
        private void LinkDnat(NatRuleNode node)
        {
            if (node.Parsed.ToIp is not { } toIp) return;
            foreach (var owner in FindAddressOwners(toIp).Take(1))
            {
                AddNatEdge(node.Id, NodeId.Interface(owner.Ns, owner.Index), NatRoles.DnatTo);
                var container = r.Docker.Containers.FirstOrDefault(c => c.Endpoints.Any(e => SameAddress(e.IPAddress, toIp) || SameAddress(e.GlobalIPv6Address, toIp)) && c.NetnsInode == owner.Ns)
                    ?? (_containersByNs.TryGetValue(owner.Ns, out var cs) && !_nsByInode[owner.Ns].IsHost ? cs.OrderBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault() : null);
                if (container is not null)
                    AddNatEdge(node.Id, NodeId.Container(container.Id), NatRoles.DnatToContainer);
            }
            if (node.HostIp is { } hostIp && _nsByInode.TryGetValue(_hostInode, out var host))
            {
                var a = host.Addresses.FirstOrDefault(x => x.Address == hostIp);
                if (a is not null) AddNatEdge(NodeId.Interface(_hostInode, a.Index), node.Id, NatRoles.DnatFrom);
            }
        }

        /// <summary>
        /// A rule of another namespace's rule set is a gate of that namespace: link it to the interface there that owns
        /// the address it rewrites to (DNAT) or from (SNAT/MASQUERADE), or to that namespace's loopback for a 127/8 or ::1
        /// address (Docker's embedded DNS: <c>DNAT 127.0.0.11:53 → 127.0.0.11:&lt;port&gt;</c>), and a DNAT to the container
        /// that lives there.
        /// </summary>
        private void LinkNamespaceRule(NatRuleNode node, ulong netns)
        {
            var rule = node.Parsed;
            var (address, role) = node.Translation switch
            {
                NatTranslation.Destination => (rule.ToIp, NatRoles.DnatTo),
                NatTranslation.Source => (rule.Source is { } src && !rule.SourceNegated ? src.Split('/')[0] : null, NatRoles.Masquerade),
                _ => (null, null),
            };
            if (address is null || role is null || !IPAddress.TryParse(address, out var ip)) return;
            var ns = _nsByInode[netns];
            var owner = ns.Addresses.FirstOrDefault(a => SameAddress(a.Address, address))?.Index
                ?? (IPAddress.IsLoopback(ip) ? ns.Links.FirstOrDefault(l => l.Type == "loopback")?.Index : null);
            if (owner is not { } index) return;
            AddNatEdge(node.Id, NodeId.Interface(netns, index), role);
            if (role == NatRoles.DnatTo && _containersByNs.TryGetValue(netns, out var containers))
                AddNatEdge(node.Id, NodeId.Container(containers.OrderBy(c => c.Name, StringComparer.Ordinal).First().Id), NatRoles.DnatToContainer);
        }

        /// <summary>Equal addresses however they are written (ip6tables and Docker may spell an IPv6 address differently).</summary>
        private static bool SameAddress(string? a, string b) =>
            a is not null && (a == b || (IPAddress.TryParse(a, out var x) && IPAddress.TryParse(b, out var y) && x.Equals(y)));

        /// <summary>Interfaces holding the address, container namespaces first (a DNAT target is a container, not a host alias).</summary>
        private IEnumerable<(ulong Ns, int Index)> FindAddressOwners(string address)
        {
            var owners = new List<(bool IsHost, ulong Ns, int Index)>();
            foreach (var ns in _nsByInode.Values)
                foreach (var a in ns.Addresses)
                    if (SameAddress(a.Address, address)) owners.Add((ns.IsHost, ns.Inode, a.Index));
            return owners.OrderBy(o => o.IsHost ? 1 : 0).ThenBy(o => o.Ns).Select(o => (o.Ns, o.Index));
        }

        private void AddNatEdge(string from, string to, string role) =>
            AddEdge(new NatEdge { Id = EdgeId.Nat(from, to), Source = from, Target = to, Role = role });

        private void AddEdge(TopologyEdge edge)
        {
            if (_edgeIds.Add(edge.Id)) _edges.Add(edge);
        }
    }
}
