using System.Collections.Immutable;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Web.Tests.Fakes;

/// <summary>
/// A realistic snapshot of a host running Docker 20.10, as the collector would emit it: the default bridge with a
/// web container publishing 127.0.0.1:8080->80, a user network "appnet" with a db container, a sidecar sharing
/// web's netns, a --network none container, a host-mode container, a named netns "lab1", and the NAT rules.
/// Built from typed nodes by hand; the facts Core derives from the whole graph (network membership, empty
/// namespaces, ...) are then derived by Core's own <see cref="DerivedFacts"/>, as the builder does.
/// </summary>
public static class SampleTopology
{
    public const ulong HostInode = 4026531840, WebInode = 4026532301, DbInode = 4026532402, IsolatedInode = 4026532503, Lab1Inode = 4026532604;
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

    public static string Ctr(string id) => NodeId.Container(id);
    public static string Net(string id) => NodeId.Network(id);

    public static TopologySnapshot Create(bool dockerOk = true, string dockerError = "connect: no such file or directory /var/run/docker.sock")
    {
        var nodes = ImmutableArray.CreateBuilder<TopologyNode>();
        var edges = ImmutableArray.CreateBuilder<TopologyEdge>();

        nodes.Add(Netns(HostInode, "host", null, true, [1], [(HostnetId, "hostnet")]));
        nodes.Add(Iface(HostInode, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));
        nodes.Add(Iface(HostInode, 2, "eth0", "device", "52:54:00:12:34:56", ["10.0.2.15/24"]));
        nodes.Add(Iface(HostInode, 3, "docker0", "bridge", "02:42:8e:1a:2b:3c", ["172.17.0.1/16"]));
        nodes.Add(Iface(HostInode, 4, "br-a0a0a0a0b1b1", "bridge", "02:42:11:22:33:44", ["172.18.0.1/16"]));
        nodes.Add(Iface(HostInode, 7, "veth1a2b3c4", "veth", "6e:11:22:33:44:55", ["fe80::6c11:22ff:fe33:4455/64"], master: "if:4026531840:3", peer: "if:4026532301:6"));
        nodes.Add(Iface(HostInode, 9, "veth9f8e7d6", "veth", "7a:11:22:33:44:66", [], master: "if:4026531840:4", peer: "if:4026532402:8"));
        nodes.Add(Iface(HostInode, 11, "lab1-host", "veth", "8a:11:22:33:44:77", ["10.200.1.1/24"], peer: "if:4026532604:2"));

        nodes.Add(Netns(WebInode, "web, sidecar", null, false, [WebPid], [(WebId, "web"), (SidecarId, "sidecar")]));
        nodes.Add(Iface(WebInode, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));
        nodes.Add(Iface(WebInode, 6, "eth0", "veth", "02:42:ac:11:00:02", ["172.17.0.2/16"], peer: "if:4026531840:7"));

        nodes.Add(Netns(DbInode, "db", null, false, [DbPid], [(DbId, "db")]));
        nodes.Add(Iface(DbInode, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));
        nodes.Add(Iface(DbInode, 8, "eth0", "veth", "02:42:ac:12:00:02", ["172.18.0.2/16"], peer: "if:4026531840:9"));

        nodes.Add(Netns(IsolatedInode, "isolated", null, false, [43555], [(IsolatedId, "isolated")]));
        nodes.Add(Iface(IsolatedInode, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]));

        nodes.Add(Netns(Lab1Inode, "lab1", "lab1", false, [], []));
        nodes.Add(Iface(Lab1Inode, 1, "lo", "loopback", "00:00:00:00:00:00", [], up: false));
        nodes.Add(Iface(Lab1Inode, 2, "lab1-ns", "veth", "9a:11:22:33:44:88", ["10.200.1.2/24"], peer: "if:4026531840:11"));

        nodes.Add(Container(WebId, "web", WebPid, "bridge", WebNs,
            [Attachment("bridge", BridgeNetId, "172.17.0.2", "172.17.0.1", "02:42:ac:11:00:02")],
            [new PublishedPort { ContainerPort = 80, Protocol = "tcp", HostIp = "127.0.0.1", HostPort = 8080 }]));
        nodes.Add(Container(SidecarId, "sidecar", 43200, "container:" + WebId, WebNs, [], []));
        nodes.Add(Container(DbId, "db", DbPid, "appnet", DbNs, [Attachment("appnet", AppnetId, "172.18.0.2", "172.18.0.1", "02:42:ac:12:00:02")], []));
        nodes.Add(Container(IsolatedId, "isolated", 43555, "none", IsolatedNs, [], []));
        nodes.Add(Container(HostnetId, "hostnet", 43666, "host", HostNs, [], []));

        nodes.Add(Network(BridgeNetId, "bridge", "bridge", "172.17.0.0/16", "172.17.0.1", "if:4026531840:3", "docker0"));
        nodes.Add(Network(AppnetId, "appnet", "bridge", "172.18.0.0/16", "172.18.0.1", "if:4026531840:4", "br-a0a0a0a0b1b1"));
        nodes.Add(Network(NoneNetId, "none", "null", null, null, null, null));

        nodes.Add(Nat("nat:nat:POSTROUTING:m1", new NatRule
        {
            Table = "nat", Chain = "POSTROUTING", Position = 1, Target = "MASQUERADE", Rule = "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
            Packets = 1234, Bytes = 98765, Source = "172.17.0.0/16", OutInterface = "docker0", OutInterfaceNegated = true,
        }));
        nodes.Add(Nat("nat:nat:POSTROUTING:m2", new NatRule
        {
            Table = "nat", Chain = "POSTROUTING", Position = 2, Target = "MASQUERADE", Rule = "-A POSTROUTING -s 172.18.0.0/16 ! -o br-a0a0a0a0b1b1 -j MASQUERADE",
            Packets = 7, Bytes = 420, Source = "172.18.0.0/16", OutInterface = "br-a0a0a0a0b1b1", OutInterfaceNegated = true,
        }));
        nodes.Add(Nat("nat:nat:DOCKER:d1", new NatRule
        {
            Table = "nat", Chain = "DOCKER", Position = 2, Target = "DNAT",
            Rule = "-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
            Packets = 42, Bytes = 2520, Protocol = "tcp", Destination = "127.0.0.1/32", InInterface = "docker0", InInterfaceNegated = true,
            DestinationPort = "8080", ToDestination = "172.17.0.2:80", ToIp = "172.17.0.2", ToPort = 80,
        }));
        nodes.Add(Nat("nat:nat:DOCKER:r1", new NatRule
        {
            Table = "nat", Chain = "DOCKER", Position = 1, Target = "RETURN", Rule = "-A DOCKER -i docker0 -j RETURN", InInterface = "docker0",
        }));
        nodes.Add(new ExternalNode { Id = NodeId.External, Label = "outside world", Via = "if:4026531840:2", ViaName = "eth0", Gateway = "10.0.2.2" });

        edges.Add(new VethEdge { Id = "veth:web", Source = "if:4026531840:7", Target = "if:4026532301:6" });
        edges.Add(new VethEdge { Id = "veth:db", Source = "if:4026531840:9", Target = "if:4026532402:8" });
        edges.Add(new VethEdge { Id = "veth:lab1", Source = "if:4026531840:11", Target = "if:4026532604:2" });
        edges.Add(Port("port:web", "if:4026531840:7", "if:4026531840:3", "docker0"));
        edges.Add(Port("port:db", "if:4026531840:9", "if:4026531840:4", "br-a0a0a0a0b1b1"));
        edges.Add(new NetworkBridgeEdge { Id = "nb:bridge", Source = Net(BridgeNetId), Target = "if:4026531840:3", BridgeName = "docker0" });
        edges.Add(new NetworkBridgeEdge { Id = "nb:appnet", Source = Net(AppnetId), Target = "if:4026531840:4", BridgeName = "br-a0a0a0a0b1b1" });
        edges.Add(NatEdge("nat:m1", "nat:nat:POSTROUTING:m1", "if:4026531840:3", NatRoles.Masquerade));
        edges.Add(NatEdge("nat:m2", "nat:nat:POSTROUTING:m2", "if:4026531840:4", NatRoles.Masquerade));
        edges.Add(NatEdge("nat:d1", "nat:nat:DOCKER:d1", "if:4026532301:6", NatRoles.DnatTo));
        edges.Add(NatEdge("nat:d1c", "nat:nat:DOCKER:d1", Ctr(WebId), NatRoles.DnatToContainer));
        edges.Add(NatEdge("nat:d1from", "if:4026531840:1", "nat:nat:DOCKER:d1", NatRoles.DnatFrom));
        edges.Add(NatEdge("nat:m1out", "nat:nat:POSTROUTING:m1", NodeId.External, NatRoles.Egress));
        edges.Add(new RouteEdge { Id = "route:web", Source = "if:4026532301:6", Target = "if:4026531840:3", Gateway = "172.17.0.1" });
        edges.Add(new RouteEdge { Id = "route:default", Source = "if:4026531840:2", Target = NodeId.External, Gateway = "10.0.2.2" });

        return DerivedFacts.Complete(new TopologySnapshot
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
        });
    }

    /// <summary>The snapshot after `docker run --name cache` on the default bridge (new netns, veth pair, bridge port).</summary>
    public static TopologySnapshot WithCacheContainer(TopologySnapshot before)
    {
        const string cacheId = "cccc0000aaaabbbbccccddddeeeeffff0000111122223333444455556666777d";
        const ulong ns = 4026532705;
        var added = new TopologyNode[]
        {
            Netns(ns, "cache", null, false, [44001], [(cacheId, "cache")]),
            Iface(ns, 1, "lo", "loopback", "00:00:00:00:00:00", ["127.0.0.1/8"]),
            Iface(ns, 12, "eth0", "veth", "02:42:ac:11:00:03", ["172.17.0.3/16"], peer: "if:4026531840:13"),
            Iface(HostInode, 13, "vethc0ffee1", "veth", "3e:11:22:33:44:99", [], master: "if:4026531840:3", peer: "if:4026532705:12"),
            Container(cacheId, "cache", 44001, "bridge", NodeId.Netns(ns), [Attachment("bridge", BridgeNetId, "172.17.0.3", "172.17.0.1", "02:42:ac:11:00:03")], []),
        };
        return DerivedFacts.Complete(before with
        {
            GeneratedAt = before.GeneratedAt.AddSeconds(2),
            Nodes = before.Nodes.AddRange(added),
            Edges = before.Edges.AddRange(new TopologyEdge[]
            {
                new VethEdge { Id = "veth:cache", Source = "if:4026531840:13", Target = "if:4026532705:12" },
                Port("port:cache", "if:4026531840:13", "if:4026531840:3", "docker0"),
            }.AsEnumerable()),
        });
    }

    private static NetnsNode Netns(ulong inode, string label, string? name, bool isHost, int[] pids, (string Id, string Name)[] containers) => new()
    {
        Id = NodeId.Netns(inode), Label = label, Inode = inode, Name = name, IsHost = isHost,
        Paths = name is null ? [] : [$"/var/run/netns/{name}"], Pids = [.. pids],
        Containers = [.. containers.Select(c => new ContainerRef(Ctr(c.Id), c.Name))],
    };

    private static InterfaceNode Iface(ulong netns, int ifindex, string name, string type, string mac, string[] addresses,
        string? master = null, string? peer = null, bool up = true) => new()
    {
        Id = NodeId.Interface(netns, ifindex), Label = name, Parent = NodeId.Netns(netns),
        Name = name, Ifindex = ifindex, Type = type, Mac = mac, Mtu = type == "loopback" ? 65536 : 1500, Up = up, OperState = up ? "up" : "down",
        Addresses = [.. addresses.Select(Address)], Master = master, Peer = peer,
        RxBytes = 1000 + (ulong)ifindex, TxBytes = 2000 + (ulong)ifindex, RxPackets = 10 + (ulong)ifindex, TxPackets = 20 + (ulong)ifindex, NetnsInode = netns,
    };

    private static InterfaceAddress Address(string cidr)
    {
        var slash = cidr.IndexOf('/');
        return new InterfaceAddress { Address = cidr[..slash], PrefixLength = int.Parse(cidr[(slash + 1)..]), Family = cidr.Contains(':') ? 6 : 4 };
    }

    private static NetworkAttachment Attachment(string network, string networkId, string ip, string gateway, string mac) => new()
    {
        Name = network, NetworkId = networkId, IPAddress = ip, PrefixLength = 16, Gateway = gateway, MacAddress = mac,
    };

    private static ContainerNode Container(string id, string name, int pid, string networkMode, string netns, NetworkAttachment[] networks, PublishedPort[] ports) => new()
    {
        Id = Ctr(id), Label = name, Parent = netns, ContainerId = id, Name = name, Image = "netviz/busybox:lab", Pid = pid, State = "running",
        NetworkMode = networkMode, Netns = netns, Networks = [.. networks], Ports = [.. ports],
    };

    private static NetworkNode Network(string id, string name, string driver, string? subnet, string? gateway, string? bridge, string? bridgeName) => new()
    {
        Id = Net(id), Label = name, NetworkId = id, Name = name, Driver = driver,
        Subnets = subnet is null ? [] : [subnet], Gateways = gateway is null ? [] : [gateway], Bridge = bridge, BridgeName = bridgeName,
    };

    private static NatRuleNode Nat(string id, NatRule rule)
    {
        var node = new NatRuleNode { Id = id, Label = "", Parsed = rule };
        return node with { Label = node.Describe() };
    }

    private static BridgePortEdge Port(string id, string port, string bridge, string bridgeName) => new()
    {
        Id = id, Source = port, Target = bridge, Master = bridgeName, MasterType = "bridge",
    };

    private static NatEdge NatEdge(string id, string source, string target, string role) => new()
    {
        Id = id, Source = source, Target = target, Role = role,
    };
}
