using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetViz.Core.Model;
using NetViz.Core.Text;

namespace NetViz.Core.Paths;

/// <summary>
/// "Why can't A reach B?": walks the kernel's decisions for the first packet of a connection over one immutable
/// snapshot (routes, links, bridges, the host's nat and filter rules) and the host's sysctls, the way the packet
/// would meet them: nat PREROUTING/OUTPUT, the local table, rp_filter and ip_forward, the main table, filter
/// FORWARD/INPUT/OUTPUT, nat POSTROUTING, the veth or bridge it leaves by. Then it checks the reply's way back
/// (a route in the destination, and filter FORWARD for an ESTABLISHED packet). Pure: no I/O, no clock.
/// Only the host namespace's rules are in the snapshot: rules inside other namespaces are assumed absent, and said so.
/// </summary>
public static class PathExplainer
{
    /// <summary>Where "outside" sends from or to when no address is given: TEST-NET-2 (RFC 5737), never routed anywhere real.</summary>
    public static readonly IPAddress DefaultOutsideAddress = IPAddress.Parse("198.51.100.7");

    private const int MaxSteps = 32;

    public static PathExplanation Explain(TopologySnapshot snapshot, PathSysctls sysctls, PathQuery query)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(sysctls);
        ArgumentNullException.ThrowIfNull(query);
        var index = PathIndex.For(snapshot);
        var protocol = query.Protocol.ToLowerInvariant();
        if (protocol is not ("tcp" or "udp" or "icmp")) throw new PathQueryException("query.bad-protocol", EndpointResolver.Shown(query.Protocol));
        var from = EndpointResolver.Source(index, query.From);
        var to = EndpointResolver.Destination(index, query.To, from);
        var port = protocol == "icmp" ? null : to.Port ?? query.Port;
        if (protocol != "icmp" && port is null) throw new PathQueryException("query.needs-port", protocol);
        var walk = new Walk(index, RuleBook.For(snapshot), sysctls, protocol, port, from, to);
        return walk.Run(query);
    }

    /// <summary>One walk's state: where the packet is, what it looks like, the hops so far.</summary>
    private sealed class Walk(PathIndex index, RuleBook book, PathSysctls sysctls, string protocol, int? port, ResolvedSource from, ResolvedDestination to)
    {
        private readonly List<PathHop> _hops = [];
        private readonly List<PathText> _assumptions = [];
        /// <summary>Host FORWARD crossings (in, out, source, destination at that point), checked again for the reply.</summary>
        private readonly List<(string In, string Out, IPAddress Source, IPAddress Destination)> _crossings = [];
        private IPAddress? _source = from.Address;
        private IPAddress _destination = to.Address;
        private readonly int? _requestedPort = port;
        private int? _port = port;
        private NetnsNode? _ns = from.Netns;
        private InterfaceNode? _in = from.ArrivesOn;
        private bool _proxied;

        private string Packet => $"{_source?.ToString() ?? "?"} → {_destination}{(_port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "")} {protocol}";

        public PathExplanation Run(PathQuery query)
        {
            if (!book.HasFilter) _assumptions.Add(PathText.Of("assume.no-filter"));
            _hops.Add(Hop(PathHopKinds.Start,
                PathText.Of("start.title", from.Label),
                from.Netns is null
                    ? PathText.Of("start.outside", _source?.ToString(), _in is null ? PathText.Of("start.unknown-uplink") : _in.Name)
                    : PathText.Of("start.leaves", protocol == "icmp" ? PathText.Of("start.icmp") : PathText.Of("start.protocol", protocol.ToUpperInvariant()), from.Label, to.Label,
                        to.Label.ToString().Contains(_destination.ToString(), StringComparison.Ordinal) ? PathText.Empty : PathText.Of("start.at", _destination),
                        _port is { } p ? PathText.Of("start.port", p) : PathText.Empty)) with
            {
                Netns = (from.Netns ?? index.Host)?.Id,
                Elements = [.. new[] { from.Element, _in?.Id }.OfType<string>()],
            });
            if (from.Netns is null && _in is not null) _ns = index.Host;
            var (verdict, reason) = Step();
            ImmutableArray<PathText> assumptions = [.. _assumptions.DistinctBy(a => a.ToString())];
            var stopped = verdict is PathVerdicts.Delivered or PathVerdicts.LeavesHost ? (int?)null : _hops.Count - 1;
            return new PathExplanation
            {
                From = query.From,
                To = query.To,
                Protocol = protocol,
                Port = _requestedPort,
                Verdict = verdict,
                Reason = reason.ToString(),
                ReasonText = reason,
                Hops = [.. _hops],
                StoppedAt = stopped,
                Assumptions = [.. assumptions.Select(a => a.ToString())],
                AssumptionTexts = assumptions,
            };
        }

        private (string Verdict, PathText Reason) Step()
        {
            if (_destination.AddressFamily != AddressFamily.InterNetwork)
                return Stop(PathHopKinds.Route, PathText.Of("ipv6.title"), PathText.Of("ipv6.detail"), PathVerdicts.Undecided, PathText.Of("ipv6.reason"));
            for (var step = 0; step < MaxSteps; step++)
            {
                if (_ns is null) return Stop(PathHopKinds.Route, PathText.Of("no-netns.title"), PathText.Of("no-netns.detail"), PathVerdicts.Undecided, PathText.Of("no-netns.reason"));
                var ns = _ns;
                var arrived = _in is not null;

                // Locally generated packets need a source before OUTPUT sees them: the kernel picks it by route lookup.
                // A packet to one of the namespace's own addresses goes by the local table and takes that address as its source.
                if (_source is null && index.IsLocal(ns.Inode, _destination)) _source = _destination;
                if (_source is null && index.Lookup(ns.Inode, _destination) is { } first)
                    _source = SourceFor(ns, first.Route);
                _source ??= IPAddress.Any;

                if (ns.IsHost && book.HasNat && Nat(arrived ? "PREROUTING" : "OUTPUT") is { } natStop) return natStop;

                if (index.IsLocal(ns.Inode, _destination))
                {
                    if (ns.IsHost && book.HasFilter)
                    {
                        if (!arrived && Filter("OUTPUT", "", "lo") is { } o) return o;
                        if (Filter("INPUT", arrived ? _in!.Name : "lo", "") is { } i) return i;
                    }
                    if (ns.IsHost && !_proxied && Proxy() is { } proxied)
                    {
                        if (proxied) continue;
                    }
                    return Deliver(ns);
                }

                if (arrived)
                {
                    if (ns.IsHost)
                    {
                        if (sysctls.IpForward == 0)
                            return Stop(PathHopKinds.Sysctl, PathText.Of("forward-off.title"), PathText.Of("forward-off.detail", _in!.Name),
                                PathVerdicts.Dropped, PathText.Of("forward-off.reason"), command: "sysctl net.ipv4.ip_forward");
                        if (sysctls.IpForward is null) _assumptions.Add(PathText.Of("assume.ip-forward"));
                        if (RpFilter(ns) is { } rp) return rp;
                    }
                    else
                    {
                        return Stop(PathHopKinds.Sysctl, PathText.Of("netns-no-forward.title", Label(ns)), PathText.Of("netns-no-forward.detail", Label(ns), _destination),
                            PathVerdicts.Dropped, PathText.Of("netns-no-forward.reason", Label(ns)), netns: ns, command: NsExec(ns, "sysctl net.ipv4.ip_forward"));
                    }
                }

                if (index.Lookup(ns.Inode, _destination) is not { } found)
                    return Stop(PathHopKinds.Route, PathText.Of("route.title", Label(ns)), PathText.Of("route.none.detail", Label(ns), _destination),
                        PathVerdicts.NoRoute, PathText.Of("route.none.reason", Label(ns), _destination), netns: ns, command: RouteCommand(ns));
                var route = found.Route;
                var outIf = index.InterfaceNamed(ns.Inode, route.Dev);
                if (outIf is null)
                    return Stop(PathHopKinds.Route, PathText.Of("route.title", Label(ns)), PathText.Of("route.unknown-device.detail", route.Destination, route.Dev),
                        PathVerdicts.Undecided, PathText.Of("route.unknown-device.reason", route.Dev), netns: ns, command: RouteCommand(ns));
                var nextHop = route.Gateway is { } g && IPAddress.TryParse(g, out var gw) ? gw : _destination;
                _hops.Add(Hop(PathHopKinds.Route, PathText.Of("route.title", Label(ns)),
                    PathText.Of("route.detail", Label(ns), _destination, route.Destination == "default" ? PathText.Of("route.default") : route.Destination,
                        route.Metric is { } m ? PathText.Of("route.metric", m) : PathText.Empty, outIf.Name,
                        route.Gateway is { } gg ? PathText.Of("route.gateway", gg) : PathText.Of("route.on-link"))) with
                {
                    Netns = ns.Id,
                    Elements = [ns.Id, outIf.Id],
                    Command = RouteCommand(ns),
                });

                if (ns.IsHost && book.HasFilter)
                {
                    if (arrived)
                    {
                        if (Filter("FORWARD", _in!.Name, outIf.Name) is { } f) return f;
                        _crossings.Add((_in!.Name, outIf.Name, _source, _destination));
                    }
                    else if (Filter("OUTPUT", "", outIf.Name) is { } o) return o;
                }
                if (ns.IsHost && book.HasNat && Postrouting(arrived ? _in!.Name : "", outIf) is { } post) return post;

                if (Transmit(ns, outIf, nextHop) is { } end) return end;
            }
            return Stop(PathHopKinds.Route, PathText.Of("loop.title"), PathText.Of("loop.detail", MaxSteps), PathVerdicts.Undecided, PathText.Of("loop.reason"));
        }

        /// <summary>Leaves by an interface: a veth to its peer, a bridge to the port whose far end owns the next hop, or the uplink.</summary>
        private (string, PathText)? Transmit(NetnsNode ns, InterfaceNode outIf, IPAddress nextHop)
        {
            if (outIf.Type == "bridge")
            {
                var port = PortTowards(outIf, nextHop, except: null);
                if (port is null)
                    return Stop(PathHopKinds.Bridge, PathText.Of("bridge.title", outIf.Name), PathText.Of("bridge.no-port-out.detail", outIf.Name, nextHop),
                        PathVerdicts.NoRoute, PathText.Of("bridge.no-port.reason", outIf.Name, nextHop), netns: ns, elements: [outIf.Id], command: $"{NsExec(ns, "ip neigh show dev " + ShellQuote.Word(outIf.Name))}");
                _hops.Add(Hop(PathHopKinds.Bridge, PathText.Of("bridge.title", outIf.Name), PathText.Of("bridge.out.detail", outIf.Name, nextHop, port.Name)) with
                {
                    Netns = ns.Id,
                    Elements = [outIf.Id, port.Id],
                    Command = NsExec(ns, "bridge fdb show br " + ShellQuote.Word(outIf.Name)),
                });
                return CrossVeth(ns, port, nextHop);
            }
            if (outIf.Type == "veth") return CrossVeth(ns, outIf, nextHop);
            if (outIf.Type == "loopback") return Deliver(ns);
            if (ns.IsHost && outIf.Peer is null && outIf.Type is "device" or "macvlan" or "vxlan" or "tun" or "bond")
            {
                _hops.Add(Hop(PathHopKinds.Leave, PathText.Of("leave.title", outIf.Name), PathText.Of("leave.detail", outIf.Name, nextHop)) with
                {
                    Netns = ns.Id,
                    Elements = [.. new[] { outIf.Id, index.External?.Id }.OfType<string>()],
                    Command = $"tcpdump -ni {ShellQuote.Word(outIf.Name)} {TcpdumpFilter()}   # package tcpdump",
                });
                return (PathVerdicts.LeavesHost, PathText.Of("leave.reason", outIf.Name, _source));
            }
            return Stop(PathHopKinds.Route, PathText.Of("link.title", outIf.Type, outIf.Name), PathText.Of("link.detail", outIf.Name, outIf.Type),
                PathVerdicts.Undecided, PathText.Of("link.reason", outIf.Type), netns: ns, elements: [outIf.Id]);
        }

        /// <summary>A veth end: the frame appears on its peer; if that is a bridge port, the bridge switches or hands it up.</summary>
        private (string, PathText)? CrossVeth(NetnsNode ns, InterfaceNode end, IPAddress nextHop)
        {
            var peer = index.Peer(end);
            if (peer is null || index.NamespaceOf(peer) is not { } peerNs)
                return Stop(PathHopKinds.Veth, PathText.Of("veth.title", end.Name), PathText.Of("veth.no-peer.detail", end.Name), PathVerdicts.Undecided,
                    PathText.Of("veth.no-peer.reason", end.Name), netns: ns, elements: [end.Id]);
            if (!end.Up || !peer.Up)
                return Stop(PathHopKinds.Veth, PathText.Of("veth.title", end.Name), PathText.Of("veth.down", end.Name, peer.Name), PathVerdicts.NoRoute,
                    PathText.Of("veth.down", end.Name, peer.Name), netns: ns, elements: [end.Id, peer.Id]);
            var watch = ns.IsHost ? end : peerNs.IsHost ? peer : end;
            _hops.Add(Hop(PathHopKinds.Veth, PathText.Of("veth.cross.title", end.Name, peer.Name),
                PathText.Of("veth.cross.detail", end.Name, Label(ns), peer.Name, Label(peerNs))) with
            {
                Netns = peerNs.Id,
                Elements = [end.Id, peer.Id],
                Command = NsExec(index.NamespaceOf(watch)!, $"tcpdump -ni {ShellQuote.Word(watch.Name)} {TcpdumpFilter()}") + "   # package tcpdump",
            });

            if (peer.Master is { } masterId && index.Interfaces.TryGetValue(masterId, out var bridge) && bridge.Type == "bridge")
            {
                if (index.Owners(nextHop).Any(o => o.Id == bridge.Id) || (index.IsLocal(peerNs.Inode, nextHop)))
                {
                    _hops.Add(Hop(PathHopKinds.Bridge, PathText.Of("bridge.up.title", bridge.Name, Label(peerNs)),
                        PathText.Of("bridge.up.detail", bridge.Name, Label(peerNs))) with
                    {
                        Netns = peerNs.Id,
                        Elements = [peer.Id, bridge.Id],
                        Command = NsExec(peerNs, "bridge link show"),
                    });
                    _ns = peerNs;
                    _in = bridge;
                    return null;
                }
                var port = PortTowards(bridge, nextHop, except: peer);
                if (port is null)
                    return Stop(PathHopKinds.Bridge, PathText.Of("bridge.title", bridge.Name), PathText.Of("bridge.no-port.detail", bridge.Name, nextHop),
                        PathVerdicts.NoRoute, PathText.Of("bridge.no-port.reason", bridge.Name, nextHop), netns: peerNs, elements: [bridge.Id],
                        command: NsExec(peerNs, "bridge fdb show br " + ShellQuote.Word(bridge.Name)));
                _hops.Add(Hop(PathHopKinds.Bridge, PathText.Of("bridge.title", bridge.Name), PathText.Of("bridge.switch.detail", bridge.Name, peer.Name, port.Name)) with
                {
                    Netns = peerNs.Id,
                    Elements = [peer.Id, bridge.Id, port.Id],
                    Command = NsExec(peerNs, "bridge fdb show br " + ShellQuote.Word(bridge.Name)),
                });
                if (peerNs.IsHost && book.HasFilter)
                {
                    if (sysctls.BridgeNfCallIptables is 1)
                    {
                        // br_netfilter hands bridged IPv4 to iptables' FORWARD with the bridge as both -i and -o.
                        if (Filter("FORWARD", bridge.Name, bridge.Name, bridged: true) is { } f) return f;
                        _crossings.Add((bridge.Name, bridge.Name, _source!, _destination));
                    }
                    else if (sysctls.BridgeNfCallIptables is null) _assumptions.Add(PathText.Of("assume.bridge-nf"));
                }
                return CrossVeth(peerNs, port, nextHop);
            }
            _ns = peerNs;
            _in = peer;
            return null;
        }

        /// <summary>The port of a bridge whose veth peer's namespace owns the address (or that owns it itself).</summary>
        private InterfaceNode? PortTowards(InterfaceNode bridge, IPAddress address, InterfaceNode? except)
        {
            foreach (var owner in index.Owners(address))
            {
                foreach (var port in index.PortsOf(bridge.Id))
                {
                    if (port.Id == except?.Id) continue;
                    if (port.Id == owner.Id) return port;
                    if (index.Peer(port) is { } far && far.NetnsInode == owner.NetnsInode) return port;
                }
            }
            return null;
        }

        /// <summary>Where the packet is taken in: the destination namespace. Checks the reply's way back first.</summary>
        private (string, PathText) Deliver(NetnsNode ns)
        {
            // The reply: it needs a route back to the (translated) source, and the host's FORWARD must let it through as ESTABLISHED.
            if (!index.IsLocal(ns.Inode, _source!) && !_source!.Equals(IPAddress.Any) && index.Lookup(ns.Inode, _source!) is null)
                return Stop(PathHopKinds.Reply, PathText.Of("reply.title", Label(ns)), PathText.Of("reply.no-route.detail", Label(ns), _source),
                    PathVerdicts.NoRoute, PathText.Of("reply.no-route.reason", Label(ns), _source), netns: ns, command: NsExec(ns, "ip route get " + _source));
            foreach (var (inName, outName, src, dst) in _crossings)
            {
                var reply = new HookPacket(dst, src, protocol, null, outName, inName, Established: true, ip => index.Host is { } h && index.IsLocal(h.Inode, ip));
                var decision = book.Walk("filter", "FORWARD", reply);
                if (decision.Verdict is "DROP" or "REJECT" or "UNDECIDED")
                {
                    var filterStop = FilterHop("FORWARD", decision, reply, isReply: true);
                    return decision.Verdict == "UNDECIDED" ? (PathVerdicts.Undecided, filterStop) : (PathVerdicts.Dropped, filterStop);
                }
            }
            var target = to.Netns is { } wanted && wanted.Inode != ns.Inode && _destination.Equals(to.Address) ? PathText.Of("deliver.not-target", to.Label) : PathText.Empty;
            _hops.Add(Hop(PathHopKinds.Deliver, PathText.Of("deliver.title", Label(ns)),
                PathText.Of("deliver.detail", _destination, Label(ns), target, protocol == "icmp" ? PathText.Empty : PathText.Of("deliver.listener"))) with
            {
                Netns = ns.Id,
                Elements = [ns.Id, .. to.Element is { } e ? new[] { e } : []],
                Command = protocol == "icmp" ? null : NsExec(ns, $"ss -{(protocol == "tcp" ? "t" : "u")}lnp " + ShellQuote.Quoted($"sport = :{_port}")),
            });
            return (PathVerdicts.Delivered, _destination.Equals(to.Address)
                ? PathText.Of("deliver.reason", Label(ns), _destination)
                : PathText.Of("deliver.translated.reason", Label(ns), _destination, PathText.Of(_proxied ? "deliver.by-proxy" : "deliver.by-dnat"), to.Address));
        }

        /// <summary>A published port on a host address with no DNAT in its way (127.0.0.1 from the host): docker-proxy answers and connects on.</summary>
        private bool? Proxy()
        {
            if (_port is not { } p || protocol == "icmp") return null;
            foreach (var c in index.Containers)
            {
                if (!c.IsRunning) continue;
                foreach (var published in c.Ports)
                {
                    if (published.HostPort != p || !string.Equals(published.Protocol, protocol, StringComparison.OrdinalIgnoreCase)) continue;
                    var hostIp = published.HostIp;
                    var anyAddress = string.IsNullOrEmpty(hostIp) || hostIp is "0.0.0.0" or "::";
                    if (!anyAddress && !(IPAddress.TryParse(hostIp, out var h) && h.Equals(_destination))) continue;
                    var target = c.Networks.Select(n => n.IPAddress).FirstOrDefault(a => a is { Length: > 0 });
                    if (target is null || !IPAddress.TryParse(target, out var targetIp)) continue;
                    _hops.Add(Hop(PathHopKinds.Proxy, PathText.Of("proxy.title"),
                        PathText.Of("proxy.detail", _destination, p, c.Name, targetIp, published.ContainerPort)) with
                    {
                        Netns = index.Host?.Id,
                        Elements = [.. new[] { index.Host?.Id, c.Id }.OfType<string>()],
                        Command = $"ss -{(protocol == "tcp" ? "t" : "u")}lnp {ShellQuote.Quoted($"sport = :{p}")}",
                    });
                    _proxied = true;
                    _ns = index.Host;
                    _in = null;
                    _source = null;
                    _destination = targetIp;
                    _port = published.ContainerPort;
                    return true;
                }
            }
            return null;
        }

        /// <summary>nat PREROUTING or OUTPUT: a DNAT rewrites the destination.</summary>
        private (string, PathText)? Nat(string chain)
        {
            var packet = new HookPacket(_source!, _destination, protocol, _port, chain == "PREROUTING" ? _in!.Name : "", "", false, IsHostLocal);
            var decision = book.Walk("nat", chain, packet);
            if (decision.Verdict == "UNDECIDED") return (PathVerdicts.Undecided, FilterHop(chain, decision, packet, table: "nat"));
            if (decision.Verdict is "DNAT" && decision.Rule is { ToIp: { } toIp } rule && IPAddress.TryParse(toIp, out var newDestination))
            {
                var before = Packet;
                _destination = newDestination;
                _port = rule.ToPort ?? _port;
                _hops.Add(NatHop(chain, decision, PathText.Of("nat.dnat.detail", rule.Position, decision.Chain, before.Split(' ')[2], rule.ToDestination)));
            }
            else if (decision.Verdict is "REDIRECT")
            {
                return (PathVerdicts.Undecided, FilterHop(chain, decision with { Verdict = "UNDECIDED", Why = PathText.Of("nat.redirect") }, packet, table: "nat"));
            }
            return null;
        }

        /// <summary>nat POSTROUTING: MASQUERADE/SNAT rewrite the source.</summary>
        private (string, PathText)? Postrouting(string inName, InterfaceNode outIf)
        {
            var packet = new HookPacket(_source!, _destination, protocol, _port, inName, outIf.Name, false, IsHostLocal);
            var decision = book.Walk("nat", "POSTROUTING", packet);
            if (decision.Verdict == "UNDECIDED") return (PathVerdicts.Undecided, FilterHop("POSTROUTING", decision, packet, table: "nat"));
            if (decision.Rule is not { } rule) return null;
            IPAddress? newSource = decision.Verdict switch
            {
                "MASQUERADE" => PathIndex.PrimaryAddress(outIf),
                "SNAT" when rule.ToSource is { } ts && IPAddress.TryParse(ts.Split('-', ':')[0], out var s) => s,
                _ => null,
            };
            if (newSource is null) return null;
            var old = _source;
            _source = newSource;
            _hops.Add(NatHop("POSTROUTING", decision, PathText.Of("nat.source.detail", decision.Verdict, rule.Position, decision.Chain, old, newSource, outIf.Name)));
            return null;
        }

        private PathHop NatHop(string builtIn, ChainDecision decision, PathText detail) => Hop(PathHopKinds.Nat, PathText.Of("nat.title", builtIn), detail) with
        {
            Netns = index.Host?.Id,
            Elements = [.. new[] { decision.Rule is { } r ? NatRuleId(r) : null }.OfType<string>()],
            Table = "nat",
            Chain = decision.Chain,
            RulePosition = decision.Rule?.Position,
            Rule = decision.Rule?.Rule,
            Trace = decision.Trace,
            Command = $"iptables -t nat -L {ShellQuote.Word(decision.Chain)} -v -n --line-numbers; conntrack -L -d {_destination}   # package conntrack",
        };

        /// <summary>The node id the topology gives a nat rule (see TopologyBuilder), found by table, chain and position.</summary>
        private string? NatRuleId(Sources.NatRule rule) =>
            index.Snapshot.Nodes.OfType<NatRuleNode>().FirstOrDefault(n => n.Parsed.Chain == rule.Chain && n.Parsed.Position == rule.Position)?.Id;

        private bool IsHostLocal(IPAddress ip) => index.Host is { } h && index.IsLocal(h.Inode, ip);

        /// <summary>Walks a filter chain; returns the verdict when the packet stops there, null when it is accepted.</summary>
        private (string, PathText)? Filter(string builtIn, string inName, string outName, bool bridged = false)
        {
            var packet = new HookPacket(_source!, _destination, protocol, _port, inName, outName, false, IsHostLocal);
            var decision = book.Walk("filter", builtIn, packet);
            var reason = FilterHop(builtIn, decision, packet, bridged: bridged);
            return decision.Verdict switch
            {
                "ACCEPT" => null,
                "DROP" or "REJECT" => (PathVerdicts.Dropped, reason),
                _ => (PathVerdicts.Undecided, reason),
            };
        }

        /// <summary>Adds the hop of a chain walk; returns the plain-sentence reason for a stop.</summary>
        private PathText FilterHop(string builtIn, ChainDecision decision, HookPacket packet, string table = "filter", bool bridged = false, bool isReply = false)
        {
            var where = decision.Rule is { } r ? PathText.Of("filter.at-rule", r.Position, decision.Chain) : PathText.Of("filter.at-policy", builtIn);
            var what = PathText.Of("filter.packet", isReply ? PathText.Of("filter.packet.reply") : PathText.Empty, packet.Source, packet.Destination,
                packet.InInterface.Length == 0 ? "-" : packet.InInterface, packet.OutInterface.Length == 0 ? "-" : packet.OutInterface,
                bridged ? PathText.Of("filter.packet.bridged") : PathText.Empty);
            var why = decision.Why ?? PathText.Empty;
            var (detail, reason) = decision.Verdict switch
            {
                "ACCEPT" => (PathText.Of("filter.accept.detail", table, builtIn, what, where), PathText.Empty),
                "DROP" or "REJECT" => (PathText.Of(decision.Verdict == "DROP" ? "filter.drop.detail" : "filter.reject.detail", table, builtIn, where, what, ExplainRule(decision)),
                    PathText.Of(isReply ? "filter.reply-dropped.reason" : "filter.dropped.reason", where,
                        decision.Rule is null ? PathText.Of("filter.policy-is", book.Policy(table, builtIn)) : PathText.Empty, ExplainRule(decision))),
                "UNDECIDED" => (PathText.Of("filter.undecided.detail", table, builtIn, where, why), PathText.Of("filter.undecided.reason", where, why)),
                var other => (PathText.Of("filter.other.detail", table, builtIn, where, other), PathText.Empty),
            };
            _hops.Add(Hop(isReply ? PathHopKinds.Reply : table == "nat" ? PathHopKinds.Nat : PathHopKinds.Filter,
                PathText.Of(isReply ? "filter.reply.title" : "filter.title", table, builtIn), detail) with
            {
                Netns = index.Host?.Id,
                Table = table,
                Chain = decision.Chain,
                RulePosition = decision.Rule?.Position,
                Rule = decision.Rule?.Rule,
                Trace = decision.Trace,
                Elements = [.. new[] { index.Host?.Id }.OfType<string>()],
                Command = $"iptables -t {table} -L {ShellQuote.Word(decision.Chain)} -v -n --line-numbers",
            });
            return reason;
        }

        /// <summary>What Docker meant by the rule that stopped the packet, for the chains a learner meets.</summary>
        private static PathText ExplainRule(ChainDecision decision) => decision.Rule is null ? PathText.Empty : decision.Chain switch
        {
            "DOCKER-ISOLATION-STAGE-1" or "DOCKER-ISOLATION-STAGE-2" => PathText.Of("rule.isolation"),
            "DOCKER-USER" => PathText.Of("rule.docker-user"),
            "FORWARD" when decision.Rule.InInterface is { } i && i == decision.Rule.OutInterface => PathText.Of("rule.icc"),
            _ => PathText.Empty,
        };

        private (string, PathText)? RpFilter(NetnsNode ns)
        {
            var mode = sysctls.RpFilter(_in!.Name);
            if (mode is null) { _assumptions.Add(PathText.Of("assume.rp-filter")); return null; }
            if (mode == 0) return null;
            var back = index.Lookup(ns.Inode, _source!);
            var ok = mode == 2 ? back is not null : back is { } b && b.Route.Dev == _in.Name;
            if (ok) return null;
            return Stop(PathHopKinds.Sysctl, PathText.Of("rp-filter.title"),
                PathText.Of("rp-filter.detail", PathText.Of(mode == 1 ? "rp-filter.strict" : "rp-filter.loose"), _source, _in.Name),
                PathVerdicts.Dropped, PathText.Of("rp-filter.reason", _source, _in.Name), netns: ns,
                command: $"sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.{ShellQuote.Word(_in.Name)}.rp_filter");
        }

        private IPAddress? SourceFor(NetnsNode ns, Route route)
        {
            if (route.PreferredSource is { } ps && IPAddress.TryParse(ps, out var pref)) return pref;
            var dev = index.InterfaceNamed(ns.Inode, route.Dev);
            return PathIndex.PrimaryAddress(dev) ?? index.InterfacesOf(ns.Inode).Select(PathIndex.PrimaryAddress).FirstOrDefault(a => a is not null);
        }

        private (string, PathText) Stop(string kind, PathText title, PathText detail, string verdict, PathText reason, NetnsNode? netns = null, ImmutableArray<string> elements = default, string? command = null)
        {
            _hops.Add(Hop(kind, title, detail) with
            {
                Netns = netns?.Id,
                Elements = elements.IsDefault ? [.. new[] { netns?.Id }.OfType<string>()] : elements,
                Command = command,
            });
            return (verdict, reason);
        }

        /// <summary>A hop with its title and detail, in English for the API and as data for the dashboard, and the packet as it is now.</summary>
        private PathHop Hop(string kind, PathText title, PathText detail) => new()
        {
            Kind = kind,
            Title = title.ToString(),
            TitleText = title,
            Detail = detail.ToString(),
            DetailText = detail,
            Packet = Packet,
        };

        private string RouteCommand(NetnsNode ns) =>
            NsExec(ns, $"ip route get {_destination}{(_in is not null && _source is not null ? $" from {_source} iif {ShellQuote.Word(_in.Name)}" : "")}");

        private string TcpdumpFilter() => protocol == "icmp" ? "icmp" : ShellQuote.Quoted($"{protocol} port {_port}");

        private PathText Label(NetnsNode ns) => EndpointResolver.Label(index, ns);

        private static string NsExec(NetnsNode ns, string command) => EndpointResolver.NsExec(ns, command);
    }
}
