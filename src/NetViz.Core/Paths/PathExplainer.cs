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
        if (protocol is not ("tcp" or "udp" or "icmp")) throw new PathQueryException($"protocol must be tcp, udp or icmp, not '{query.Protocol}'");
        var from = EndpointResolver.Source(index, query.From);
        var to = EndpointResolver.Destination(index, query.To, from);
        var port = protocol == "icmp" ? null : to.Port ?? query.Port;
        if (protocol != "icmp" && port is null) throw new PathQueryException($"{protocol} needs a port (port=80, or to=ADDRESS:PORT)");
        var walk = new Walk(index, RuleBook.For(snapshot), sysctls, protocol, port, from, to);
        return walk.Run(query);
    }

    /// <summary>One walk's state: where the packet is, what it looks like, the hops so far.</summary>
    private sealed class Walk(PathIndex index, RuleBook book, PathSysctls sysctls, string protocol, int? port, ResolvedSource from, ResolvedDestination to)
    {
        private readonly List<PathHop> _hops = [];
        private readonly List<string> _assumptions = [];
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
            if (!book.HasFilter) _assumptions.Add("The host's filter rules were not read: no filtering is assumed.");
            _hops.Add(new PathHop
            {
                Kind = PathHopKinds.Start,
                Title = $"start in {from.Label}",
                Detail = from.Netns is null
                    ? $"A packet from the outside world ({_source}) arrives on the host's uplink {_in?.Name ?? "(unknown)"}."
                    : $"{(protocol == "icmp" ? "An ICMP" : "A " + protocol.ToUpperInvariant())} packet leaves {from.Label} for {to.Label}{(to.Label.Contains(_destination.ToString(), StringComparison.Ordinal) ? "" : $" at {_destination}")}{(_port is { } p ? $", port {p}" : "")}.",
                Netns = (from.Netns ?? index.Host)?.Id,
                Elements = [.. new[] { from.Element, _in?.Id }.OfType<string>()],
                Packet = Packet,
            });
            if (from.Netns is null && _in is not null) _ns = index.Host;
            var (verdict, reason) = Step();
            var stopped = verdict is PathVerdicts.Delivered or PathVerdicts.LeavesHost ? (int?)null : _hops.Count - 1;
            return new PathExplanation
            {
                From = query.From,
                To = query.To,
                Protocol = protocol,
                Port = _requestedPort,
                Verdict = verdict,
                Reason = reason,
                Hops = [.. _hops],
                StoppedAt = stopped,
                Assumptions = [.. _assumptions.Distinct()],
            };
        }

        private (string Verdict, string Reason) Step()
        {
            if (_destination.AddressFamily != AddressFamily.InterNetwork)
                return Stop(PathHopKinds.Route, "IPv6", "NetViz models IPv4 paths only.", PathVerdicts.Undecided, "IPv6 paths are not modelled yet.");
            for (var step = 0; step < MaxSteps; step++)
            {
                if (_ns is null) return Stop(PathHopKinds.Route, "no namespace", "The packet's namespace is not in the snapshot.", PathVerdicts.Undecided, "The source namespace is not in the snapshot.");
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
                            return Stop(PathHopKinds.Sysctl, "ip_forward is off", $"The host does not forward: net.ipv4.ip_forward is 0, so a packet from {_in!.Name} to another interface is dropped.",
                                PathVerdicts.Dropped, "net.ipv4.ip_forward is 0 on the host: it does not route between interfaces.", command: "sysctl net.ipv4.ip_forward");
                        if (sysctls.IpForward is null) _assumptions.Add("net.ipv4.ip_forward could not be read: forwarding is assumed on.");
                        if (RpFilter(ns) is { } rp) return rp;
                    }
                    else
                    {
                        return Stop(PathHopKinds.Sysctl, $"{Label(ns)} does not route", $"The packet arrived in {Label(ns)} for {_destination}, which is not one of its addresses; a new namespace has ip_forward 0, so it is dropped (NetViz does not read that namespace's sysctls).",
                            PathVerdicts.Dropped, $"{Label(ns)} received a packet for another address and does not forward it.", netns: ns, command: NsExec(ns, "sysctl net.ipv4.ip_forward"));
                    }
                }

                if (index.Lookup(ns.Inode, _destination) is not { } found)
                    return Stop(PathHopKinds.Route, $"route lookup in {Label(ns)}", $"{Label(ns)} has no route to {_destination}: the kernel answers 'Network is unreachable'.",
                        PathVerdicts.NoRoute, $"{Label(ns)} has no route to {_destination}.", netns: ns, command: RouteCommand(ns));
                var route = found.Route;
                var outIf = index.InterfaceNamed(ns.Inode, route.Dev);
                if (outIf is null)
                    return Stop(PathHopKinds.Route, $"route lookup in {Label(ns)}", $"The route {route.Destination} names the device {route.Dev}, which is not in the snapshot.",
                        PathVerdicts.Undecided, $"The route's device {route.Dev} is unknown.", netns: ns, command: RouteCommand(ns));
                var nextHop = route.Gateway is { } g && IPAddress.TryParse(g, out var gw) ? gw : _destination;
                _hops.Add(new PathHop
                {
                    Kind = PathHopKinds.Route,
                    Title = $"route lookup in {Label(ns)}",
                    Detail = $"{Label(ns)} routes {_destination} by {(route.Destination == "default" ? "its default route" : route.Destination)}"
                        + $"{(route.Metric is { } m ? $" (metric {m})" : "")}: out of {outIf.Name}{(route.Gateway is { } gg ? $" via gateway {gg}" : ", directly (on-link)")}.",
                    Netns = ns.Id,
                    Elements = [ns.Id, outIf.Id],
                    Command = RouteCommand(ns),
                    Packet = Packet,
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
            return Stop(PathHopKinds.Route, "loop", $"The packet went through more than {MaxSteps} steps: a routing loop?", PathVerdicts.Undecided, "The walk did not end (a routing loop?).");
        }

        /// <summary>Leaves by an interface: a veth to its peer, a bridge to the port whose far end owns the next hop, or the uplink.</summary>
        private (string, string)? Transmit(NetnsNode ns, InterfaceNode outIf, IPAddress nextHop)
        {
            if (outIf.Type == "bridge")
            {
                var port = PortTowards(outIf, nextHop, except: null);
                if (port is null)
                    return Stop(PathHopKinds.Bridge, $"bridge {outIf.Name}", $"No port of bridge {outIf.Name} leads to {nextHop}: its ARP request gets no answer.",
                        PathVerdicts.NoRoute, $"Nothing on bridge {outIf.Name} answers for {nextHop}.", netns: ns, elements: [outIf.Id], command: $"{NsExec(ns, "ip neigh show dev " + ShellQuote.Word(outIf.Name))}");
                _hops.Add(new PathHop
                {
                    Kind = PathHopKinds.Bridge,
                    Title = $"bridge {outIf.Name}",
                    Detail = $"Bridge {outIf.Name} sends the frame for {nextHop} out of its port {port.Name}.",
                    Netns = ns.Id,
                    Elements = [outIf.Id, port.Id],
                    Command = NsExec(ns, "bridge fdb show br " + ShellQuote.Word(outIf.Name)),
                    Packet = Packet,
                });
                return CrossVeth(ns, port, nextHop);
            }
            if (outIf.Type == "veth") return CrossVeth(ns, outIf, nextHop);
            if (outIf.Type == "loopback") return Deliver(ns);
            if (ns.IsHost && outIf.Peer is null && outIf.Type is "device" or "macvlan" or "vxlan" or "tun" or "bond")
            {
                _hops.Add(new PathHop
                {
                    Kind = PathHopKinds.Leave,
                    Title = $"leaves by {outIf.Name}",
                    Detail = $"The packet leaves the host by {outIf.Name} towards {nextHop}; beyond the host NetViz cannot see.",
                    Netns = ns.Id,
                    Elements = [.. new[] { outIf.Id, index.External?.Id }.OfType<string>()],
                    Command = $"tcpdump -ni {ShellQuote.Word(outIf.Name)} {TcpdumpFilter()}   # package tcpdump",
                    Packet = Packet,
                });
                return (PathVerdicts.LeavesHost, $"It leaves the host by {outIf.Name} with source {_source}; what happens beyond the host is not visible from here.");
            }
            return Stop(PathHopKinds.Route, $"{outIf.Type} {outIf.Name}", $"The packet leaves by {outIf.Name}, a {outIf.Type} link, which the path model does not follow.",
                PathVerdicts.Undecided, $"Links of type {outIf.Type} are not modelled.", netns: ns, elements: [outIf.Id]);
        }

        /// <summary>A veth end: the frame appears on its peer; if that is a bridge port, the bridge switches or hands it up.</summary>
        private (string, string)? CrossVeth(NetnsNode ns, InterfaceNode end, IPAddress nextHop)
        {
            var peer = index.Peer(end);
            if (peer is null || index.NamespaceOf(peer) is not { } peerNs)
                return Stop(PathHopKinds.Veth, $"veth {end.Name}", $"The other end of {end.Name} is not in the snapshot.", PathVerdicts.Undecided,
                    $"The peer of {end.Name} is unknown.", netns: ns, elements: [end.Id]);
            if (!end.Up || !peer.Up)
                return Stop(PathHopKinds.Veth, $"veth {end.Name}", $"The veth pair {end.Name}/{peer.Name} is down.", PathVerdicts.NoRoute,
                    $"The veth pair {end.Name}/{peer.Name} is down.", netns: ns, elements: [end.Id, peer.Id]);
            var watch = ns.IsHost ? end : peerNs.IsHost ? peer : end;
            _hops.Add(new PathHop
            {
                Kind = PathHopKinds.Veth,
                Title = $"veth {end.Name} → {peer.Name}",
                Detail = $"The frame crosses the veth pair from {end.Name} in {Label(ns)} to {peer.Name} in {Label(peerNs)}.",
                Netns = peerNs.Id,
                Elements = [end.Id, peer.Id],
                Command = NsExec(index.NamespaceOf(watch)!, $"tcpdump -ni {ShellQuote.Word(watch.Name)} {TcpdumpFilter()}") + "   # package tcpdump",
                Packet = Packet,
            });

            if (peer.Master is { } masterId && index.Interfaces.TryGetValue(masterId, out var bridge) && bridge.Type == "bridge")
            {
                if (index.Owners(nextHop).Any(o => o.Id == bridge.Id) || (index.IsLocal(peerNs.Inode, nextHop)))
                {
                    _hops.Add(new PathHop
                    {
                        Kind = PathHopKinds.Bridge,
                        Title = $"bridge {bridge.Name} → {Label(peerNs)}",
                        Detail = $"Bridge {bridge.Name} sees the frame is for its own address, so {Label(peerNs)} takes the packet up to routing.",
                        Netns = peerNs.Id,
                        Elements = [peer.Id, bridge.Id],
                        Command = NsExec(peerNs, "bridge link show"),
                        Packet = Packet,
                    });
                    _ns = peerNs;
                    _in = bridge;
                    return null;
                }
                var port = PortTowards(bridge, nextHop, except: peer);
                if (port is null)
                    return Stop(PathHopKinds.Bridge, $"bridge {bridge.Name}", $"No other port of bridge {bridge.Name} leads to {nextHop}: the ARP request for it gets no answer.",
                        PathVerdicts.NoRoute, $"Nothing on bridge {bridge.Name} answers for {nextHop}.", netns: peerNs, elements: [bridge.Id],
                        command: NsExec(peerNs, "bridge fdb show br " + ShellQuote.Word(bridge.Name)));
                _hops.Add(new PathHop
                {
                    Kind = PathHopKinds.Bridge,
                    Title = $"bridge {bridge.Name}",
                    Detail = $"Same bridge: {bridge.Name} switches the frame from {peer.Name} to {port.Name} without routing it.",
                    Netns = peerNs.Id,
                    Elements = [peer.Id, bridge.Id, port.Id],
                    Command = NsExec(peerNs, "bridge fdb show br " + ShellQuote.Word(bridge.Name)),
                    Packet = Packet,
                });
                if (peerNs.IsHost && book.HasFilter)
                {
                    if (sysctls.BridgeNfCallIptables is 1)
                    {
                        // br_netfilter hands bridged IPv4 to iptables' FORWARD with the bridge as both -i and -o.
                        if (Filter("FORWARD", bridge.Name, bridge.Name, bridged: true) is { } f) return f;
                        _crossings.Add((bridge.Name, bridge.Name, _source!, _destination));
                    }
                    else if (sysctls.BridgeNfCallIptables is null) _assumptions.Add("bridge-nf-call-iptables could not be read: bridged frames are assumed not to meet iptables.");
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
        private (string, string) Deliver(NetnsNode ns)
        {
            // The reply: it needs a route back to the (translated) source, and the host's FORWARD must let it through as ESTABLISHED.
            if (!index.IsLocal(ns.Inode, _source!) && !_source!.Equals(IPAddress.Any) && index.Lookup(ns.Inode, _source!) is null)
                return Stop(PathHopKinds.Reply, $"reply from {Label(ns)}", $"The packet arrives in {Label(ns)}, but {Label(ns)} has no route back to {_source}: the reply is never sent.",
                    PathVerdicts.NoRoute, $"{Label(ns)} has no route back to {_source} (no MASQUERADE hid the source?).", netns: ns, command: NsExec(ns, "ip route get " + _source));
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
            var target = to.Netns is { } wanted && wanted.Inode != ns.Inode && _destination.Equals(to.Address) ? $" (not the namespace of {to.Label}: the address is local here)" : "";
            _hops.Add(new PathHop
            {
                Kind = PathHopKinds.Deliver,
                Title = $"delivered in {Label(ns)}",
                Detail = $"{_destination} is an address of {Label(ns)}, so the kernel delivers the packet to it{target}{(protocol == "icmp" ? "" : "; whether a program listens on the port is not in the model")}.",
                Netns = ns.Id,
                Elements = [ns.Id, .. to.Element is { } e ? new[] { e } : []],
                Command = protocol == "icmp" ? null : NsExec(ns, $"ss -{(protocol == "tcp" ? "t" : "u")}lnp " + ShellQuote.Quoted($"sport = :{_port}")),
                Packet = Packet,
            });
            return (PathVerdicts.Delivered, _destination.Equals(to.Address)
                ? $"Delivered: {Label(ns)} receives it at {_destination}, and the reply has a way back."
                : $"Delivered: {Label(ns)} receives it at {_destination} ({(_proxied ? "docker-proxy's new connection" : "translated")} from {to.Address}), and the reply has a way back.");
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
                    _hops.Add(new PathHop
                    {
                        Kind = PathHopKinds.Proxy,
                        Title = "docker-proxy",
                        Detail = $"No DNAT rule rewrites {_destination}:{p} (Docker's OUTPUT rule skips 127.0.0.0/8), so docker-proxy listening on it accepts the connection and opens a new one from the host to {c.Name} at {targetIp}:{published.ContainerPort}.",
                        Netns = index.Host?.Id,
                        Elements = [.. new[] { index.Host?.Id, c.Id }.OfType<string>()],
                        Command = $"ss -{(protocol == "tcp" ? "t" : "u")}lnp {ShellQuote.Quoted($"sport = :{p}")}",
                        Packet = Packet,
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
        private (string, string)? Nat(string chain)
        {
            var packet = new HookPacket(_source!, _destination, protocol, _port, chain == "PREROUTING" ? _in!.Name : "", "", false, IsHostLocal);
            var decision = book.Walk("nat", chain, packet);
            if (decision.Verdict == "UNDECIDED") return (PathVerdicts.Undecided, FilterHop(chain, decision, packet, table: "nat"));
            if (decision.Verdict is "DNAT" && decision.Rule is { ToIp: { } toIp } rule && IPAddress.TryParse(toIp, out var newDestination))
            {
                var before = Packet;
                _destination = newDestination;
                _port = rule.ToPort ?? _port;
                _hops.Add(NatHop(chain, decision, $"DNAT: rule {rule.Position} of {decision.Chain} rewrites the destination {before.Split(' ')[2]} to {rule.ToDestination}."));
            }
            else if (decision.Verdict is "REDIRECT")
            {
                return (PathVerdicts.Undecided, FilterHop(chain, decision with { Verdict = "UNDECIDED", Why = "REDIRECT to a local port is not modelled" }, packet, table: "nat"));
            }
            return null;
        }

        /// <summary>nat POSTROUTING: MASQUERADE/SNAT rewrite the source.</summary>
        private (string, string)? Postrouting(string inName, InterfaceNode outIf)
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
            _hops.Add(NatHop("POSTROUTING", decision, $"{decision.Verdict}: rule {rule.Position} of {decision.Chain} rewrites the source {old} to {newSource} ({outIf.Name}'s address), so replies come back to the host."));
            return null;
        }

        private PathHop NatHop(string builtIn, ChainDecision decision, string detail) => new()
        {
            Kind = PathHopKinds.Nat,
            Title = $"nat {builtIn}",
            Detail = detail,
            Netns = index.Host?.Id,
            Elements = [.. new[] { decision.Rule is { } r ? NatRuleId(r) : null }.OfType<string>()],
            Table = "nat",
            Chain = decision.Chain,
            RulePosition = decision.Rule?.Position,
            Rule = decision.Rule?.Rule,
            Trace = decision.Trace,
            Command = $"iptables -t nat -L {ShellQuote.Word(decision.Chain)} -v -n --line-numbers; conntrack -L -d {_destination}   # package conntrack",
            Packet = Packet,
        };

        /// <summary>The node id the topology gives a nat rule (see TopologyBuilder), found by table, chain and position.</summary>
        private string? NatRuleId(Sources.NatRule rule) =>
            index.Snapshot.Nodes.OfType<NatRuleNode>().FirstOrDefault(n => n.Parsed.Chain == rule.Chain && n.Parsed.Position == rule.Position)?.Id;

        private bool IsHostLocal(IPAddress ip) => index.Host is { } h && index.IsLocal(h.Inode, ip);

        /// <summary>Walks a filter chain; returns the verdict when the packet stops there, null when it is accepted.</summary>
        private (string, string)? Filter(string builtIn, string inName, string outName, bool bridged = false)
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
        private string FilterHop(string builtIn, ChainDecision decision, HookPacket packet, string table = "filter", bool bridged = false, bool isReply = false)
        {
            var where = decision.Rule is { } r ? $"rule {r.Position} of {decision.Chain}" : $"the {builtIn} policy";
            var what = $"{(isReply ? "the reply " : "")}{packet.Source} → {packet.Destination} (in {(packet.InInterface.Length == 0 ? "-" : packet.InInterface)}, out {(packet.OutInterface.Length == 0 ? "-" : packet.OutInterface)}{(bridged ? ", bridged" : "")})";
            var (detail, reason) = decision.Verdict switch
            {
                "ACCEPT" => ($"{table} {builtIn} accepts {what} at {where}.", ""),
                "DROP" or "REJECT" => ($"{table} {builtIn}: {where} {(decision.Verdict == "DROP" ? "drops" : "rejects")} {what}{ExplainRule(decision)}.",
                    $"{(isReply ? "The reply is" : "Dropped")} {(isReply ? "dropped " : "")}at {where}{(decision.Rule is null ? $" ({Policy(table, builtIn)})" : "")}{ExplainRule(decision)}."),
                "UNDECIDED" => ($"{table} {builtIn}: NetViz cannot decide at {where}: {decision.Why}.", $"Cannot decide at {where}: {decision.Why}."),
                var other => ($"{table} {builtIn}: {where} ({other}).", ""),
            };
            _hops.Add(new PathHop
            {
                Kind = isReply ? PathHopKinds.Reply : table == "nat" ? PathHopKinds.Nat : PathHopKinds.Filter,
                Title = $"{(isReply ? "reply: " : "")}{table} {builtIn}",
                Detail = detail,
                Netns = index.Host?.Id,
                Table = table,
                Chain = decision.Chain,
                RulePosition = decision.Rule?.Position,
                Rule = decision.Rule?.Rule,
                Trace = decision.Trace,
                Elements = [.. new[] { index.Host?.Id }.OfType<string>()],
                Command = $"iptables -t {table} -L {ShellQuote.Word(decision.Chain)} -v -n --line-numbers",
                Packet = Packet,
            });
            return reason;
        }

        private string Policy(string table, string chain) => $"policy {book.Policy(table, chain)}";

        /// <summary>What Docker meant by the rule that stopped the packet, for the chains a learner meets.</summary>
        private static string ExplainRule(ChainDecision decision) => decision.Rule is null ? "" : decision.Chain switch
        {
            "DOCKER-ISOLATION-STAGE-1" or "DOCKER-ISOLATION-STAGE-2" => ": Docker isolates its networks from each other (or keeps an internal network inside)",
            "DOCKER-USER" => ": a rule someone added to DOCKER-USER",
            "FORWARD" when decision.Rule.InInterface is { } i && i == decision.Rule.OutInterface => ": inter-container traffic is off on this bridge (icc=false)",
            _ => "",
        };

        private (string, string)? RpFilter(NetnsNode ns)
        {
            var mode = sysctls.RpFilter(_in!.Name);
            if (mode is null) { _assumptions.Add("rp_filter could not be read: it is assumed off."); return null; }
            if (mode == 0) return null;
            var back = index.Lookup(ns.Inode, _source!);
            var ok = mode == 2 ? back is not null : back is { } b && b.Route.Dev == _in.Name;
            if (ok) return null;
            return Stop(PathHopKinds.Sysctl, "rp_filter", $"Reverse-path filtering ({(mode == 1 ? "strict" : "loose")}) drops it: the host's route back to {_source} does not leave by {_in.Name}.",
                PathVerdicts.Dropped, $"rp_filter drops it: the host would not route {_source} back out of {_in.Name}.", netns: ns,
                command: $"sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.{ShellQuote.Word(_in.Name)}.rp_filter");
        }

        private IPAddress? SourceFor(NetnsNode ns, Route route)
        {
            if (route.PreferredSource is { } ps && IPAddress.TryParse(ps, out var pref)) return pref;
            var dev = index.InterfaceNamed(ns.Inode, route.Dev);
            return PathIndex.PrimaryAddress(dev) ?? index.InterfacesOf(ns.Inode).Select(PathIndex.PrimaryAddress).FirstOrDefault(a => a is not null);
        }

        private (string, string) Stop(string kind, string title, string detail, string verdict, string reason, NetnsNode? netns = null, ImmutableArray<string> elements = default, string? command = null)
        {
            _hops.Add(new PathHop
            {
                Kind = kind,
                Title = title,
                Detail = detail,
                Netns = netns?.Id,
                Elements = elements.IsDefault ? [.. new[] { netns?.Id }.OfType<string>()] : elements,
                Command = command,
                Packet = Packet,
            });
            return (verdict, reason);
        }

        private string RouteCommand(NetnsNode ns) =>
            NsExec(ns, $"ip route get {_destination}{(_in is not null && _source is not null ? $" from {_source} iif {ShellQuote.Word(_in.Name)}" : "")}");

        private string TcpdumpFilter() => protocol == "icmp" ? "icmp" : ShellQuote.Quoted($"{protocol} port {_port}");

        private string Label(NetnsNode ns) => EndpointResolver.Label(index, ns);

        private static string NsExec(NetnsNode ns, string command) => EndpointResolver.NsExec(ns, command);
    }
}
