using System.Collections.Immutable;
using NetViz.Core.Model;

namespace NetViz.Web.Tests.Fakes;

/// <summary>
/// A realistic snapshot of a host running Docker 20.10, as the collector would emit it: the default bridge with a
/// web container publishing 127.0.0.1:8080->80, a user network "appnet" with a db container, a sidecar sharing
/// web's netns, a --network none container, a host-mode container, a named netns "lab1", and the NAT rules.
/// </summary>
public static class SampleTopology
{
    public const string HostNs = "netns:4026531840";
    public const string WebNs = "netns:4026532301";
    public const string DbNs = "netns:4026532402";
    public const string IsolatedNs = "netns:4026532503";
    public const string Lab1Ns = "netns:4026532604";
    public const string WebId = "3f1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809";
    public const string DbId = "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9";
    public const string SidecarId = "5555aaaabbbbccccddddeeeeffff00001111222233334444555566667777888a";
    public const string IsolatedId = "7777aaaabbbbccccddddeeeeffff00001111222233334444555566667777888b";
    public const string HostnetId = "8888aaaabbbbccccddddeeeeffff00001111222233334444555566667777888c";
    public const string BridgeNetId = "b1b1b1b1c2c2c2c2d3d3d3d3e4e4e4e4f5f5f5f5a6a6a6a6b7b7b7b7c8c8c8c8";
    public const string AppnetId = "a0a0a0a0b1b1b1b1c2c2c2c2d3d3d3d3e4e4e4e4f5f5f5f5a6a6a6a6b7b7b7b7";
    public const string NoneNetId = "e5e5e5e5f6f6f6f6a7a7a7a7b8b8b8b8c9c9c9c9d0d0d0d0e1e1e1e1f2f2f2f2";
    public const int WebPid = 43121;
    public const int DbPid = 43377;

    public static string Ctr(string id) => "ctr:" + id;
    public static string Net(string id) => "net:" + id;

    public static TopologySnapshot Create(bool dockerOk = true, string dockerError = "connect: no such file or directory /var/run/docker.sock")
    {
        var nodes = ImmutableArray.CreateBuilder<TopologyNode>();
        var edges = ImmutableArray.CreateBuilder<TopologyEdge>();

        nodes.Add(Netns(HostNs, "host", 4026531840, null, true, [1], []));
        nodes.Add(Iface(HostNs, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));
        nodes.Add(Iface(HostNs, 2, "eth0", "device", "52:54:00:12:34:56", ["10.0.2.15/24"]));
        nodes.Add(Iface(HostNs, 3, "docker0", "bridge", "02:42:8e:1a:2b:3c", ["172.17.0.1/16"]));
        nodes.Add(Iface(HostNs, 4, "br-a0a0a0a0b1b1", "bridge", "02:42:11:22:33:44", ["172.18.0.1/16"]));
        nodes.Add(Iface(HostNs, 7, "veth1a2b3c4", "veth", "6e:11:22:33:44:55", ["fe80::6c11:22ff:fe33:4455/64"], master: "if:4026531840:3", peer: "if:4026532301:6"));
        nodes.Add(Iface(HostNs, 9, "veth9f8e7d6", "veth", "7a:11:22:33:44:66", [], master: "if:4026531840:4", peer: "if:4026532402:8"));
        nodes.Add(Iface(HostNs, 11, "lab1-host", "veth", "8a:11:22:33:44:77", ["10.200.1.1/24"], peer: "if:4026532604:2"));

        nodes.Add(Netns(WebNs, "web, sidecar", 4026532301, null, false, [WebPid], [Ctr(WebId), Ctr(SidecarId)]));
        nodes.Add(Iface(WebNs, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));
        nodes.Add(Iface(WebNs, 6, "eth0", "veth", "02:42:ac:11:00:02", ["172.17.0.2/16"], peer: "if:4026531840:7"));

        nodes.Add(Netns(DbNs, "db", 4026532402, null, false, [DbPid], [Ctr(DbId)]));
        nodes.Add(Iface(DbNs, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));
        nodes.Add(Iface(DbNs, 8, "eth0", "veth", "02:42:ac:12:00:02", ["172.18.0.2/16"], peer: "if:4026531840:9"));

        nodes.Add(Netns(IsolatedNs, "isolated", 4026532503, null, false, [43555], [Ctr(IsolatedId)]));
        nodes.Add(Iface(IsolatedNs, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));

        nodes.Add(Netns(Lab1Ns, "lab1", 4026532604, "lab1", false, [], []));
        nodes.Add(Iface(Lab1Ns, 1, "lo", "loopback", "00:00:00:00:00:00", [], up: false));
        nodes.Add(Iface(Lab1Ns, 2, "lab1-ns", "veth", "9a:11:22:33:44:88", ["10.200.1.2/24"], peer: "if:4026531840:11"));

        nodes.Add(Container(WebId, "web", "netviz/busybox:lab", WebPid, "running", "bridge", WebNs,
            [new { name = "bridge", networkId = BridgeNetId, ipAddress = "172.17.0.2", prefixLength = 16, gateway = "172.17.0.1", macAddress = "02:42:ac:11:00:02" }],
            [new { containerPort = 80, protocol = "tcp", hostIp = "127.0.0.1", hostPort = 8080 }]));
        nodes.Add(Container(SidecarId, "sidecar", "netviz/busybox:lab", 43200, "running", "container:" + WebId, WebNs, [], []));
        nodes.Add(Container(DbId, "db", "netviz/busybox:lab", DbPid, "running", "appnet", DbNs,
            [new { name = "appnet", networkId = AppnetId, ipAddress = "172.18.0.2", prefixLength = 16, gateway = "172.18.0.1", macAddress = "02:42:ac:12:00:02" }],
            []));
        nodes.Add(Container(IsolatedId, "isolated", "netviz/busybox:lab", 43555, "running", "none", IsolatedNs, [], []));
        nodes.Add(Container(HostnetId, "hostnet", "netviz/busybox:lab", 43666, "running", "host", HostNs, [], []));

        nodes.Add(Network(BridgeNetId, "bridge", "172.17.0.0/16", "172.17.0.1", "if:4026531840:3", "docker0", false));
        nodes.Add(Network(AppnetId, "appnet", "172.18.0.0/16", "172.18.0.1", "if:4026531840:4", "br-a0a0a0a0b1b1", false));
        nodes.Add(new TopologyNode
        {
            Id = Net(NoneNetId), Kind = NodeKinds.Network, Label = "none",
            Props = TopologyJson.Props(new { id = NoneNetId, name = "none", driver = "null", subnets = Array.Empty<string>(), gateways = Array.Empty<string>(), @internal = false, bridge = (string?)null, bridgeName = (string?)null }),
        });

        nodes.Add(new TopologyNode
        {
            Id = "nat:nat:POSTROUTING:m1", Kind = NodeKinds.NatRule, Label = "MASQUERADE", Props = TopologyJson.Props(new
            {
                table = "nat", chain = "POSTROUTING", target = "MASQUERADE", rule = "[1234:98765] -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
                packets = 1234, bytes = 98765, position = 1, translating = true, source = "172.17.0.0/16", outInterface = "docker0", outInterfaceNegated = true,
            }),
        });
        nodes.Add(new TopologyNode
        {
            Id = "nat:nat:POSTROUTING:m2", Kind = NodeKinds.NatRule, Label = "MASQUERADE", Props = TopologyJson.Props(new
            {
                table = "nat", chain = "POSTROUTING", target = "MASQUERADE", rule = "-A POSTROUTING -s 172.18.0.0/16 ! -o br-a0a0a0a0b1b1 -j MASQUERADE",
                packets = 7, bytes = 420, position = 2, translating = true, source = "172.18.0.0/16", outInterface = "br-a0a0a0a0b1b1", outInterfaceNegated = true,
            }),
        });
        nodes.Add(new TopologyNode
        {
            Id = "nat:nat:DOCKER:d1", Kind = NodeKinds.NatRule, Label = "DNAT", Props = TopologyJson.Props(new
            {
                table = "nat", chain = "DOCKER", target = "DNAT",
                rule = "-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
                packets = 42, bytes = 2520, position = 2, translating = true, protocol = "tcp", hostIp = "127.0.0.1", hostPort = 8080, toIp = "172.17.0.2", toPort = 80,
            }),
        });
        nodes.Add(new TopologyNode
        {
            Id = "nat:nat:DOCKER:r1", Kind = NodeKinds.NatRule, Label = "RETURN", Props = TopologyJson.Props(new
            {
                table = "nat", chain = "DOCKER", target = "RETURN", rule = "-A DOCKER -i docker0 -j RETURN",
                packets = 0, bytes = 0, position = 1, translating = false, inInterface = "docker0",
            }),
        });
        nodes.Add(new TopologyNode
        {
            Id = "external", Kind = NodeKinds.External, Label = "outside world",
            Props = TopologyJson.Props(new { via = "if:4026531840:2", gateway = "10.0.2.2" }),
        });

        edges.Add(Edge("veth:web", EdgeKinds.Veth, "if:4026531840:7", "if:4026532301:6"));
        edges.Add(Edge("veth:db", EdgeKinds.Veth, "if:4026531840:9", "if:4026532402:8"));
        edges.Add(Edge("veth:lab1", EdgeKinds.Veth, "if:4026531840:11", "if:4026532604:2"));
        edges.Add(Edge("port:web", EdgeKinds.BridgePort, "if:4026531840:7", "if:4026531840:3"));
        edges.Add(Edge("port:db", EdgeKinds.BridgePort, "if:4026531840:9", "if:4026531840:4"));
        edges.Add(Edge("nb:bridge", EdgeKinds.NetworkBridge, Net(BridgeNetId), "if:4026531840:3"));
        edges.Add(Edge("nb:appnet", EdgeKinds.NetworkBridge, Net(AppnetId), "if:4026531840:4"));
        edges.Add(Edge("nat:m1", EdgeKinds.Nat, "nat:nat:POSTROUTING:m1", "if:4026531840:3", new { role = "masquerade" }));
        edges.Add(Edge("nat:m2", EdgeKinds.Nat, "nat:nat:POSTROUTING:m2", "if:4026531840:4", new { role = "masquerade" }));
        edges.Add(Edge("nat:d1", EdgeKinds.Nat, "nat:nat:DOCKER:d1", "if:4026532301:6", new { role = "dnat-to" }));
        edges.Add(Edge("nat:d1c", EdgeKinds.Nat, "nat:nat:DOCKER:d1", Ctr(WebId), new { role = "dnat-to-container" }));
        edges.Add(Edge("nat:d1from", EdgeKinds.Nat, "if:4026531840:1", "nat:nat:DOCKER:d1", new { role = "dnat-from" }));
        edges.Add(Edge("nat:m1out", EdgeKinds.Nat, "nat:nat:POSTROUTING:m1", "external", new { role = "egress" }));
        edges.Add(Edge("route:web", EdgeKinds.Route, "if:4026532301:6", "if:4026531840:3", new { gateway = "172.17.0.1" }));
        edges.Add(Edge("route:default", EdgeKinds.Route, "if:4026531840:2", "external", new { gateway = "10.0.2.2" }));

        return new TopologySnapshot
        {
            GeneratedAt = new DateTimeOffset(2026, 11, 28, 10, 30, 15, TimeSpan.Zero),
            Host = new HostInfo { Hostname = "labhost", Netns = HostNs },
            Sources = new SourcesStatus
            {
                Docker = new DockerSourceStatus { Ok = dockerOk, Endpoint = "unix:///var/run/docker.sock", Version = dockerOk ? "20.10.24" : null, Error = dockerOk ? null : dockerError },
                Netlink = new SourceStatus { Ok = true, Error = null },
                Nat = new NatSourceStatus { Ok = true, Backend = "iptables-nft", Error = null },
            },
            Nodes = nodes.ToImmutable(),
            Edges = edges.ToImmutable(),
        };
    }

    /// <summary>The snapshot after `docker run --name cache` on the default bridge (new netns, veth pair, bridge port).</summary>
    public static TopologySnapshot WithCacheContainer(TopologySnapshot before)
    {
        const string cacheId = "cccc0000aaaabbbbccccddddeeeeffff0000111122223333444455556666777d";
        const string ns = "netns:4026532705";
        var added = new[]
        {
            Netns(ns, "cache", 4026532705, null, false, [44001], [Ctr(cacheId)]),
            Iface(ns, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]),
            Iface(ns, 12, "eth0", "veth", "02:42:ac:11:00:03", ["172.17.0.3/16"], peer: "if:4026531840:13"),
            Iface(HostNs, 13, "vethc0ffee1", "veth", "3e:11:22:33:44:99", [], master: "if:4026531840:3", peer: "if:4026532705:12"),
            Container(cacheId, "cache", "netviz/busybox:lab", 44001, "running", "bridge", ns,
                [new { name = "bridge", networkId = BridgeNetId, ipAddress = "172.17.0.3", prefixLength = 16, gateway = "172.17.0.1", macAddress = "02:42:ac:11:00:03" }], []),
        };
        return before with
        {
            GeneratedAt = before.GeneratedAt.AddSeconds(2),
            Nodes = before.Nodes.AddRange(added),
            Edges = before.Edges.AddRange(new[]
            {
                Edge("veth:cache", EdgeKinds.Veth, "if:4026531840:13", "if:4026532705:12"),
                Edge("port:cache", EdgeKinds.BridgePort, "if:4026531840:13", "if:4026531840:3"),
            }.AsEnumerable()),
        };
    }

    private static TopologyNode Netns(string id, string label, long inode, string? name, bool isHost, int[] pids, string[] containers) => new()
    {
        Id = id, Kind = NodeKinds.Netns, Label = label,
        Props = TopologyJson.Props(new { inode, name, isHost, paths = name is null ? Array.Empty<string>() : [$"/var/run/netns/{name}"], pids, containers }),
    };

    private static TopologyNode Iface(string netns, int ifindex, string name, string type, string mac, string[] addresses,
        string? master = null, string? peer = null, bool up = true)
    {
        var inode = long.Parse(netns["netns:".Length..]);
        return new TopologyNode
        {
            Id = $"if:{inode}:{ifindex}", Kind = NodeKinds.Interface, Label = name, Parent = netns,
            Props = TopologyJson.Props(new
            {
                name, ifindex, type, mac, mtu = type == "loopback" ? 65536 : 1500, up, operState = up ? "up" : "down", addresses, master, peer,
                lower = (string?)null, rxBytes = 1000 + ifindex, txBytes = 2000 + ifindex, rxPackets = 10 + ifindex, txPackets = 20 + ifindex, netnsInode = inode,
            }),
        };
    }

    private static TopologyNode Container(string id, string name, string image, int pid, string state, string networkMode, string netns, object[] networks, object[] ports) => new()
    {
        Id = Ctr(id), Kind = NodeKinds.Container, Label = name, Parent = netns,
        Props = TopologyJson.Props(new { id, name, image, pid, state, networkMode, netns, networks, ports }),
    };

    private static TopologyNode Network(string id, string name, string subnet, string gateway, string bridge, string bridgeName, bool @internal) => new()
    {
        Id = Net(id), Kind = NodeKinds.Network, Label = name,
        Props = TopologyJson.Props(new { id, name, driver = "bridge", subnets = new[] { subnet }, gateways = new[] { gateway }, @internal, bridge, bridgeName }),
    };

    private static TopologyEdge Edge(string id, string kind, string source, string target, object? props = null) => new()
    {
        Id = id, Kind = kind, Source = source, Target = target, Props = TopologyJson.Props(props ?? new { }),
    };
}
