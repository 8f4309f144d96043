using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using NetViz.Core.Model;

namespace NetViz.Core.Paths;

/// <summary>Lookups over one snapshot that a path walk needs (built once per snapshot, then shared).</summary>
internal sealed class PathIndex
{
    private static readonly ConditionalWeakTable<TopologySnapshot, PathIndex> Cache = [];

    public TopologySnapshot Snapshot { get; }
    public NetnsNode? Host { get; }
    public IReadOnlyDictionary<ulong, NetnsNode> Namespaces { get; }
    public IReadOnlyDictionary<string, InterfaceNode> Interfaces { get; }
    public IReadOnlyList<ContainerNode> Containers { get; }
    public ExternalNode? External { get; }
    private readonly Dictionary<ulong, List<InterfaceNode>> _byNamespace = [];
    private readonly Dictionary<IPAddress, List<InterfaceNode>> _owners = [];
    private readonly Dictionary<string, List<InterfaceNode>> _ports = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, List<(IPNetwork Network, Route Route)>> _routes = [];

    private PathIndex(TopologySnapshot snapshot)
    {
        Snapshot = snapshot;
        var namespaces = new Dictionary<ulong, NetnsNode>();
        var interfaces = new Dictionary<string, InterfaceNode>(StringComparer.Ordinal);
        var containers = new List<ContainerNode>();
        foreach (var node in snapshot.Nodes)
        {
            switch (node)
            {
                case NetnsNode ns:
                    namespaces[ns.Inode] = ns;
                    var routes = new List<(IPNetwork, Route)>();
                    foreach (var r in ns.Routes)
                        if (r.Family == 4 && ParseNetwork(r.Destination == "default" ? "0.0.0.0/0" : r.Destination) is { } net) routes.Add((net, r));
                    _routes[ns.Inode] = routes;
                    break;
                case InterfaceNode i:
                    interfaces[i.Id] = i;
                    if (!_byNamespace.TryGetValue(i.NetnsInode, out var list)) _byNamespace[i.NetnsInode] = list = [];
                    list.Add(i);
                    foreach (var a in i.Addresses)
                        if (a.Family == 4 && IPAddress.TryParse(a.Address, out var ip))
                        {
                            if (!_owners.TryGetValue(ip, out var owners)) _owners[ip] = owners = [];
                            owners.Add(i);
                        }
                    if (i.Master is { } master)
                    {
                        if (!_ports.TryGetValue(master, out var ports)) _ports[master] = ports = [];
                        ports.Add(i);
                    }
                    break;
                case ContainerNode c:
                    containers.Add(c);
                    break;
                case ExternalNode e:
                    External = e;
                    break;
            }
        }
        Namespaces = namespaces;
        Interfaces = interfaces;
        Containers = containers;
        Host = namespaces.Values.FirstOrDefault(n => n.IsHost);
    }

    public static PathIndex For(TopologySnapshot snapshot) => Cache.GetValue(snapshot, s => new PathIndex(s));

    /// <summary>A CIDR as a network, host bits cleared (an interface's "172.17.0.2/16" is the network 172.17.0.0/16).</summary>
    public static IPNetwork? ParseNetwork(string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var ip) || !int.TryParse(cidr[(slash + 1)..], out var bits)) return null;
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (bits < 0 || bits > max) return null;
        var bytes = ip.GetAddressBytes();
        for (var b = 0; b < bytes.Length; b++)
        {
            var keep = Math.Clamp(bits - b * 8, 0, 8);
            bytes[b] &= (byte)(0xFF << (8 - keep));
        }
        return new IPNetwork(new IPAddress(bytes), bits);
    }

    public IReadOnlyList<InterfaceNode> InterfacesOf(ulong inode) => _byNamespace.TryGetValue(inode, out var l) ? l : [];

    public InterfaceNode? InterfaceNamed(ulong inode, string? name) =>
        name is null ? null : InterfacesOf(inode).FirstOrDefault(i => i.Name == name);

    /// <summary>Ports enslaved to a bridge (its node id).</summary>
    public IReadOnlyList<InterfaceNode> PortsOf(string bridgeId) => _ports.TryGetValue(bridgeId, out var l) ? l : [];

    /// <summary>Interfaces (in any namespace) carrying this IPv4 address.</summary>
    public IReadOnlyList<InterfaceNode> Owners(IPAddress ip) => _owners.TryGetValue(ip, out var l) ? l : [];

    /// <summary>The address is the namespace's own: on one of its interfaces, or in 127.0.0.0/8 (the local table's loopback route).</summary>
    public bool IsLocal(ulong inode, IPAddress ip) =>
        IsLoopback(ip) ? InterfacesOf(inode).Any(i => i.Type == "loopback") : Owners(ip).Any(i => i.NetnsInode == inode);

    public static bool IsLoopback(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork && ip.GetAddressBytes()[0] == 127;

    /// <summary>The main table's choice for a destination: longest prefix, then the lowest metric.</summary>
    public (Route Route, IPNetwork Network)? Lookup(ulong inode, IPAddress destination)
    {
        if (!_routes.TryGetValue(inode, out var routes)) return null;
        (Route, IPNetwork)? best = null;
        var bestBits = -1;
        var bestMetric = int.MaxValue;
        foreach (var (network, route) in routes)
        {
            if (!network.Contains(destination)) continue;
            var metric = route.Metric ?? 0;
            if (network.PrefixLength > bestBits || (network.PrefixLength == bestBits && metric < bestMetric))
            {
                best = (route, network);
                bestBits = network.PrefixLength;
                bestMetric = metric;
            }
        }
        return best;
    }

    /// <summary>The first global IPv4 address of an interface.</summary>
    public static IPAddress? PrimaryAddress(InterfaceNode? i)
    {
        if (i is null) return null;
        foreach (var a in i.Addresses)
            if (a.Family == 4 && a.Scope is null or "global" && IPAddress.TryParse(a.Address, out var ip)) return ip;
        return null;
    }

    /// <summary>The veth peer of an interface, when it is in the snapshot.</summary>
    public InterfaceNode? Peer(InterfaceNode i) => i.Peer is { } id && Interfaces.TryGetValue(id, out var p) ? p : null;

    public NetnsNode? NamespaceOf(InterfaceNode i) => Namespaces.GetValueOrDefault(i.NetnsInode);
}
