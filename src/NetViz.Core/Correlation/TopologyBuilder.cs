using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Text;

namespace NetViz.Core.Correlation;

/// <summary>What one collection read from every source; the builder's only input.</summary>
public sealed record SourceReadings
{
    public required string Hostname { get; init; }
    public required DateTimeOffset CollectedAt { get; init; }
    public required HostNetworkView Host { get; init; }
    public required DockerView Docker { get; init; }
    public required NatView Nat { get; init; }
}

/// <summary>
/// Correlates what netlink, Docker and iptables say into one graph. Pure: the same readings give the same snapshot,
/// and ids are derived only from kernel/Docker identities (netns inode, ifindex, container/network id, rule text)
/// so they are stable across snapshots for the same object.
/// </summary>
public static class TopologyBuilder
{
    public const string ExternalId = "external";

    /// <summary>nat-table targets that rewrite addresses; the others (RETURN, jumps to DOCKER) only route between chains.</summary>
    private static readonly HashSet<string> TranslatingTargets = new(StringComparer.Ordinal) { "MASQUERADE", "SNAT", "DNAT", "REDIRECT" };

    public static string NetnsId(ulong inode) => $"netns:{inode}";
    public static string InterfaceId(ulong netnsInode, int ifindex) => $"if:{netnsInode}:{ifindex}";
    public static string ContainerId(string id) => $"ctr:{id}";
    public static string NetworkId(string id) => $"net:{id}";

    public static TopologySnapshot Build(SourceReadings r)
    {
        var g = new GraphBuilder(r);
        return g.Build();
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
                    Netns = _nsByInode.ContainsKey(_hostInode) ? NetnsId(_hostInode) : null,
                    Warnings = warnings,
                },
                Sources = new SourcesStatus
                {
                    Docker = new DockerSourceStatus { Ok = r.Docker.Ok, Endpoint = r.Docker.Endpoint, Version = r.Docker.Version, Error = r.Docker.Error },
                    Netlink = new SourceStatus { Ok = r.Host.Ok, Error = r.Host.Error },
                    Nat = new NatSourceStatus { Ok = r.Nat.Ok, Degraded = r.Nat.Degraded, Backend = r.Nat.Backend, Error = r.Nat.Error },
                },
                Nodes = [.. _nodes],
                Edges = [.. _edges],
            };
        }

        // ---- namespaces and interfaces -------------------------------------------------------------

        private void AddNamespace(NetworkNamespaceView ns)
        {
            var containers = _containersByNs.TryGetValue(ns.Inode, out var cs)
                ? cs.OrderBy(c => c.Name, StringComparer.Ordinal).ToList() : [];
            var label = ns.IsHost ? "host"
                : ns.Name ?? (containers.Count > 0 ? string.Join(", ", containers.Select(c => c.Name)) : $"netns {ns.Inode}");
            var defaultRoutes = ns.Routes.Where(IsMainDefault).ToList();
            _nodes.Add(new TopologyNode
            {
                Id = NetnsId(ns.Inode),
                Kind = NodeKinds.Netns,
                Label = label,
                Parent = null,
                Props = TopologyJson.Props(new
                {
                    inode = ns.Inode,
                    name = ns.Name,
                    isHost = ns.IsHost,
                    paths = ns.Paths,
                    pids = ns.Pids,
                    containers = containers.Select(c => ContainerId(c.Id)).ToArray(),
                    routes = ns.Routes.Where(rt => rt.Table == 254).Select(rt => new
                    {
                        family = rt.Family,
                        destination = rt.Destination,
                        gateway = rt.Gateway,
                        dev = rt.OutIndex is { } oif && _links[ns.Inode].TryGetValue(oif, out var l) ? l.Name : null,
                        metric = rt.Metric,
                        scope = rt.Scope,
                        protocol = rt.Protocol,
                        preferredSource = rt.PreferredSource,
                    }).ToArray(),
                    defaultGateway = defaultRoutes.FirstOrDefault(rt => rt.Family == 4)?.Gateway ?? defaultRoutes.FirstOrDefault()?.Gateway,
                }),
            });

            foreach (var link in ns.Links.OrderBy(l => l.Index))
            {
                var addrs = ns.Addresses.Where(a => a.Index == link.Index)
                    .OrderBy(a => a.Family).ThenBy(a => a.Scope == "link" ? 1 : 0).Select(a => a.Cidr).ToArray();
                var peer = ResolveVethPeer(ns, link);
                var lower = link.Type != "veth" ? ResolveLower(ns, link) : null;
                _nodes.Add(new TopologyNode
                {
                    Id = InterfaceId(ns.Inode, link.Index),
                    Kind = NodeKinds.Interface,
                    Label = link.Name,
                    Parent = NetnsId(ns.Inode),
                    Props = TopologyJson.Props(new
                    {
                        name = link.Name,
                        ifindex = link.Index,
                        type = link.Type,
                        mac = link.Mac,
                        mtu = link.Mtu,
                        up = link.Up,
                        operState = link.OperState,
                        addresses = addrs,
                        master = link.Master is { } m && _links[ns.Inode].ContainsKey(m) ? InterfaceId(ns.Inode, m) : null,
                        peer,
                        lower,
                        rxBytes = link.Counters?.RxBytes ?? 0,
                        txBytes = link.Counters?.TxBytes ?? 0,
                        rxPackets = link.Counters?.RxPackets ?? 0,
                        txPackets = link.Counters?.TxPackets ?? 0,
                        netnsInode = ns.Inode,
                    }),
                });
            }
        }

        private static bool IsMainDefault(RouteInfo rt) =>
            rt.Destination == "default" && (rt.Table == 254 || rt.Table == 0) && (rt.Type is null or "unicast");

        /// <summary>
        /// The other end of a veth, verified from both sides: IFLA_LINK names the peer's ifindex in the namespace
        /// that IFLA_LINK_NETNSID denotes (relative to the reporting namespace), and the peer must point back.
        /// </summary>
        private string? ResolveVethPeer(NetworkNamespaceView ns, LinkInfo link)
        {
            if (link.Type != "veth" || link.Link is not { } peerIndex || peerIndex == 0) return null;
            var peerNs = ResolveLinkNamespace(ns, link);
            if (peerNs is null || !_links[peerNs.Value].TryGetValue(peerIndex, out var peer)) return null;
            if (peer.Type != "veth" || peer.Link != link.Index) return null;
            // Check the way back when the peer's side can resolve it; ids may be unassigned on one side only.
            var back = ResolveLinkNamespace(_nsByInode[peerNs.Value], peer);
            if (back is not null && back != ns.Inode) return null;
            return InterfaceId(peerNs.Value, peerIndex);
        }

        private string? ResolveLower(NetworkNamespaceView ns, LinkInfo link)
        {
            if (link.Link is not { } lowerIndex || lowerIndex == 0 || (lowerIndex == link.Index && link.LinkNetnsId is null)) return null;
            var lowerNs = ResolveLinkNamespace(ns, link);
            if (lowerNs is null || !_links[lowerNs.Value].ContainsKey(lowerIndex)) return null;
            return InterfaceId(lowerNs.Value, lowerIndex);
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
                var id = InterfaceId(ns.Inode, link.Index);
                if (ResolveVethPeer(ns, link) is { } peer)
                {
                    var (a, b) = string.CompareOrdinal(id, peer) < 0 ? (id, peer) : (peer, id);
                    AddEdge($"veth:{a}|{b}", EdgeKinds.Veth, a, b, new { });
                }
                if (link.Master is { } m && _links[ns.Inode].TryGetValue(m, out var master))
                {
                    var kind = master.Type == "bridge" ? EdgeKinds.BridgePort : EdgeKinds.Master;
                    AddEdge($"{kind}:{id}", kind, id, InterfaceId(ns.Inode, m), new { master = master.Name, masterType = master.Type });
                }
                if (link.Type != "veth" && ResolveLower(ns, link) is { } lower)
                    AddEdge($"lower:{id}", EdgeKinds.Lower, id, lower, new { type = link.Type });
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
                    var from = InterfaceId(ns.Inode, oif);
                    if (ns.IsHost)
                    {
                        if (!_nodes.Any(n => n.Id == ExternalId))
                        {
                            _nodes.Add(new TopologyNode
                            {
                                Id = ExternalId,
                                Kind = NodeKinds.External,
                                Label = "outside world",
                                Parent = null,
                                Props = TopologyJson.Props(new { via = from, viaName = _links[ns.Inode][oif].Name, gateway = rt.Gateway }),
                            });
                        }
                        AddEdge($"route:{from}->{ExternalId}", EdgeKinds.Route, from, ExternalId, new { destination = "default", gateway = rt.Gateway, family = rt.Family });
                    }
                    else if (rt.Gateway is { } gw && FindGatewayOwner(ns, oif, gw) is { } owner)
                    {
                        AddEdge($"route:{from}->{owner}", EdgeKinds.Route, from, owner, new { destination = "default", gateway = gw, family = rt.Family });
                    }
                }
            }
        }

        /// <summary>Follows the veth out of the namespace to its bridge, else looks through the host namespace.</summary>
        private string? FindGatewayOwner(NetworkNamespaceView ns, int oif, string gateway)
        {
            var link = _links[ns.Inode][oif];
            var candidates = new List<(ulong Ns, int Index)>();
            if (ResolveVethPeer(ns, link) is { } peerId)
            {
                var (peerNs, peerIdx) = ParseInterfaceId(peerId);
                candidates.Add((peerNs, peerIdx));
                if (_links[peerNs][peerIdx].Master is { } m) candidates.Add((peerNs, m));
            }
            foreach (var (cns, idx) in candidates)
                if (_nsByInode[cns].Addresses.Any(a => a.Index == idx && a.Address == gateway)) return InterfaceId(cns, idx);
            if (_nsByInode.TryGetValue(_hostInode, out var host))
                foreach (var a in host.Addresses)
                    if (a.Address == gateway) return InterfaceId(_hostInode, a.Index);
            return null;
        }

        private static (ulong Ns, int Index) ParseInterfaceId(string id)
        {
            var parts = id.Split(':');
            return (ulong.Parse(parts[1]), int.Parse(parts[2]));
        }

        // ---- docker -----------------------------------------------------------------------------------

        private void AddContainer(ContainerInfo c)
        {
            var netns = c.NetnsInode is { } ino && _nsByInode.ContainsKey(ino) ? NetnsId(ino) : null;
            _nodes.Add(new TopologyNode
            {
                Id = ContainerId(c.Id),
                Kind = NodeKinds.Container,
                Label = c.Name,
                Parent = netns,
                Props = TopologyJson.Props(new
                {
                    id = c.Id,
                    name = c.Name,
                    image = c.Image,
                    pid = c.Pid,
                    state = c.State,
                    networkMode = c.NetworkMode,
                    sandboxKey = string.IsNullOrEmpty(c.SandboxKey) ? null : c.SandboxKey,
                    netns,
                    networks = c.Endpoints.OrderBy(e => e.NetworkName, StringComparer.Ordinal).Select(e => new
                    {
                        name = e.NetworkName,
                        networkId = e.NetworkId,
                        ipAddress = NullIfEmpty(e.IPAddress),
                        prefixLength = e.PrefixLength,
                        gateway = NullIfEmpty(e.Gateway),
                        macAddress = NullIfEmpty(e.MacAddress),
                        globalIPv6Address = NullIfEmpty(e.GlobalIPv6Address),
                    }).ToArray(),
                    ports = c.Ports.OrderBy(p => p.ContainerPort).ThenBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.HostPort)
                        .Select(p => new { containerPort = p.ContainerPort, protocol = p.Protocol, hostIp = NullIfEmpty(p.HostIp), hostPort = p.HostPort }).ToArray(),
                }),
            });
        }

        private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

        private void AddNetwork(DockerNetworkInfo n)
        {
            string? bridge = null;
            if (n.BridgeName is { } bridgeName && _links.TryGetValue(_hostInode, out var hostLinks))
            {
                var link = hostLinks.Values.FirstOrDefault(l => l.Name == bridgeName);
                if (link is not null) bridge = InterfaceId(_hostInode, link.Index);
            }
            var id = NetworkId(n.Id);
            _nodes.Add(new TopologyNode
            {
                Id = id,
                Kind = NodeKinds.Network,
                Label = n.Name,
                Parent = null,
                Props = TopologyJson.Props(new
                {
                    id = n.Id,
                    name = n.Name,
                    driver = n.Driver,
                    scope = n.Scope,
                    subnets = n.Subnets,
                    gateways = n.Gateways,
                    @internal = n.Internal,
                    enableIPv6 = n.EnableIPv6,
                    bridge,
                    bridgeName = n.BridgeName,
                    containers = r.Docker.Containers.Where(c => c.Endpoints.Any(e => e.NetworkId == n.Id))
                        .Select(c => ContainerId(c.Id)).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                }),
            });
            if (bridge is not null) AddEdge($"network-bridge:{id}", EdgeKinds.NetworkBridge, id, bridge, new { bridgeName = n.BridgeName });
        }

        // ---- NAT -------------------------------------------------------------------------------------

        private void AddNatRules()
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var rule in r.Nat.Rules)
            {
                var baseId = $"nat:{rule.Table}:{rule.Chain}:{Hash(rule.Rule)}";
                var n = seen[baseId] = seen.GetValueOrDefault(baseId) + 1;
                var id = n == 1 ? baseId : $"{baseId}#{n}";
                var isDnat = rule.Target == "DNAT";
                var hostIp = isDnat ? HostAddress(rule.Destination, rule.DestinationNegated) : null;
                int? hostPort = isDnat && int.TryParse(rule.DestinationPort, out var hp) ? hp : null;
                _nodes.Add(new TopologyNode
                {
                    Id = id,
                    Kind = NodeKinds.NatRule,
                    Label = NatLabel(rule, hostIp, hostPort),
                    Parent = null,
                    Props = TopologyJson.Props(new Dictionary<string, object?>
                    {
                        ["table"] = rule.Table,
                        ["chain"] = rule.Chain,
                        ["position"] = rule.Position,
                        ["target"] = rule.Target,
                        ["rule"] = rule.Rule,
                        ["packets"] = rule.Packets,
                        ["bytes"] = rule.Bytes,
                        ["translating"] = rule.Target is { } t && TranslatingTargets.Contains(t),
                        ["protocol"] = rule.Protocol,
                        ["source"] = rule.Source,
                        ["sourceNegated"] = rule.SourceNegated,
                        ["destination"] = rule.Destination,
                        ["destinationNegated"] = rule.DestinationNegated,
                        ["inInterface"] = rule.InInterface,
                        ["inInterfaceNegated"] = rule.InInterfaceNegated,
                        ["outInterface"] = rule.OutInterface,
                        ["outInterfaceNegated"] = rule.OutInterfaceNegated,
                        ["hostIp"] = hostIp,
                        ["hostPort"] = hostPort,
                        ["toIp"] = rule.ToIp,
                        ["toPort"] = rule.ToPort,
                        ["toSource"] = rule.ToSource,
                        ["comment"] = rule.Comment,
                        ["reachable"] = rule.Reachable,
                    }),
                });
                // A rule in a chain nothing jumps to never sees a packet: listed, but not linked as a live gate.
                if (!rule.Reachable) continue;
                if (rule.Target == "MASQUERADE" || rule.Target == "SNAT") LinkMasquerade(id, rule);
                else if (isDnat) LinkDnat(id, rule, hostIp);
            }
        }

        private static string? HostAddress(string? cidr, bool negated)
        {
            if (cidr is null || negated) return null;
            var slash = cidr.IndexOf('/');
            return slash < 0 ? cidr : cidr.EndsWith("/32", StringComparison.Ordinal) || cidr.EndsWith("/128", StringComparison.Ordinal) ? cidr[..slash] : cidr;
        }

        private static string NatLabel(NatRule rule, string? hostIp, int? hostPort) => rule.Target switch
        {
            "MASQUERADE" => $"MASQUERADE {(rule.SourceNegated ? "!" : "")}{rule.Source ?? "any"}",
            "DNAT" => $"DNAT {rule.Protocol ?? "all"} {hostIp ?? "*"}:{hostPort?.ToString() ?? rule.DestinationPort ?? "*"} → {rule.ToDestination}",
            "SNAT" => $"SNAT {rule.Source ?? "any"} → {rule.ToSource}",
            null => $"{rule.Chain} #{rule.Position}",
            _ => $"{rule.Target} ({rule.Chain} #{rule.Position})",
        };

        /// <summary>
        /// MASQUERADE/SNAT applies to traffic from its -s subnet: link it to the bridge(s) whose subnet that is, or
        /// (a hairpin rule with a /32 source) to the interface that owns the address; and to the outside world when
        /// the traffic leaves by any interface but the bridge (`! -o docker0`).
        /// </summary>
        private void LinkMasquerade(string ruleId, NatRule rule)
        {
            if (!_nsByInode.TryGetValue(_hostInode, out var host)) return;
            var linked = false;
            if (rule.Source is { } src && !rule.SourceNegated && IPNetwork.TryParse(src.Contains('/') ? src : src + (src.Contains(':') ? "/128" : "/32"), out var subnet))
            {
                var isHostRoute = subnet.PrefixLength == (subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
                if (isHostRoute)
                {
                    foreach (var owner in FindAddressOwners(subnet.BaseAddress.ToString(), preferContainers: true).Take(1))
                    {
                        AddEdge($"nat:{ruleId}->{owner}", EdgeKinds.Nat, ruleId, owner, new { role = "masquerade" });
                        linked = true;
                    }
                }
                else
                {
                    foreach (var a in host.Addresses)
                    {
                        if (!_links[_hostInode].TryGetValue(a.Index, out var l) || l.Type != "bridge") continue;
                        if (!IPAddress.TryParse(a.Address, out var ip) || !subnet.Contains(ip)) continue;
                        var bridgeId = InterfaceId(_hostInode, a.Index);
                        AddEdge($"nat:{ruleId}->{bridgeId}", EdgeKinds.Nat, ruleId, bridgeId, new { role = "masquerade" });
                        linked = true;
                    }
                }
            }
            if (!linked && rule.OutInterface is { } oname && !rule.OutInterfaceNegated)
            {
                var outLink = _links[_hostInode].Values.FirstOrDefault(l => l.Name == oname);
                if (outLink is not null)
                {
                    var oid = InterfaceId(_hostInode, outLink.Index);
                    AddEdge($"nat:{ruleId}->{oid}", EdgeKinds.Nat, ruleId, oid, new { role = "masquerade-out" });
                    return;
                }
            }
            if (linked && rule.OutInterfaceNegated && _nodes.Any(n => n.Id == ExternalId))
                AddEdge($"nat:{ruleId}->{ExternalId}", EdgeKinds.Nat, ruleId, ExternalId, new { role = "egress" });
        }

        /// <summary>DNAT sends host address:port to --to-destination: link the interface and container owning that address.</summary>
        private void LinkDnat(string ruleId, NatRule rule, string? hostIp)
        {
            if (rule.ToIp is not { } toIp) return;
            foreach (var owner in FindAddressOwners(toIp, preferContainers: true).Take(1))
            {
                AddEdge($"nat:{ruleId}->{owner}", EdgeKinds.Nat, ruleId, owner, new { role = "dnat-to" });
                var (ns, _) = ParseInterfaceId(owner);
                var container = r.Docker.Containers.FirstOrDefault(c => c.Endpoints.Any(e => e.IPAddress == toIp) && c.NetnsInode == ns)
                    ?? (_containersByNs.TryGetValue(ns, out var cs) && !_nsByInode[ns].IsHost ? cs.OrderBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault() : null);
                if (container is not null)
                    AddEdge($"nat:{ruleId}->{ContainerId(container.Id)}", EdgeKinds.Nat, ruleId, ContainerId(container.Id), new { role = "dnat-to-container" });
            }
            if (hostIp is not null && _nsByInode.TryGetValue(_hostInode, out var host))
            {
                var a = host.Addresses.FirstOrDefault(x => x.Address == hostIp);
                if (a is not null)
                {
                    var from = InterfaceId(_hostInode, a.Index);
                    AddEdge($"nat:{from}->{ruleId}", EdgeKinds.Nat, from, ruleId, new { role = "dnat-from" });
                }
            }
        }

        /// <summary>Interfaces holding the address, container namespaces first (a DNAT target is a container, not a host alias).</summary>
        private IEnumerable<string> FindAddressOwners(string address, bool preferContainers)
        {
            var owners = new List<(bool IsHost, ulong Ns, int Index)>();
            foreach (var ns in _nsByInode.Values)
                foreach (var a in ns.Addresses)
                    if (a.Address == address) owners.Add((ns.IsHost, ns.Inode, a.Index));
            return owners.OrderBy(o => preferContainers && o.IsHost ? 1 : 0).ThenBy(o => o.Ns).Select(o => InterfaceId(o.Ns, o.Index));
        }

        private void AddEdge(string id, string kind, string source, string target, object props)
        {
            if (!_edgeIds.Add(id)) return;
            _edges.Add(new TopologyEdge { Id = id, Kind = kind, Source = source, Target = target, Props = TopologyJson.Props(props) });
        }

        private static string Hash(string text)
        {
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
            return Convert.ToHexStringLower(digest[..6]);
        }
    }
}
