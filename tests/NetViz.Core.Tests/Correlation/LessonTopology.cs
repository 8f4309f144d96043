using System.Collections.Immutable;
using NetViz.Core.Correlation;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Correlation;

/// <summary>
/// Readings shaped like the lesson's host: docker0 with two bridged containers whose eth0 both have ifindex 5
/// (ifindexes repeat across namespaces), a --network none container, a host-mode one, a container:x one,
/// a user-defined bridge, an internal network, MASQUERADE, a published port's DNAT and its hairpin rule.
/// Values mirror what this machine's kernel and Docker 20.10 report.
/// </summary>
internal static class LessonTopology
{
    public const ulong Host = 4026531840, Web = 4026532301, Db = 4026532402, None = 4026532503, Iso = 4026532604;
    public const string WebId = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001";
    public const string DbId = "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002";
    public const string NoneId = "cccccccccccc0000000000000000000000000000000000000000000000000003";
    public const string HostModeId = "dddddddddddd0000000000000000000000000000000000000000000000000004";
    public const string SidecarId = "eeeeeeeeeeee0000000000000000000000000000000000000000000000000005";
    public const string IsoId = "ffffffffffff0000000000000000000000000000000000000000000000000006";
    public const string BridgeNetId = "1111111111110000000000000000000000000000000000000000000000000000";
    public const string InternalNetId = "2222222222220000000000000000000000000000000000000000000000000000";
    public const string HostNetId = "3333333333330000000000000000000000000000000000000000000000000000";

    public static LinkInfo Lo => new() { Index = 1, Name = "lo", Type = "loopback", Up = true, Mtu = 65536, Mac = "00:00:00:00:00:00" };

    public static SourceReadings Readings(NatView? nat = null, DockerView? docker = null) => new()
    {
        Hostname = "lab",
        CollectedAt = DateTimeOffset.Parse("2026-11-28T10:00:00Z"),
        Host = HostView(),
        Docker = docker ?? Docker(),
        Nat = nat ?? Nat(),
    };

    public static HostNetworkView HostView() => new()
    {
        Ok = true,
        Error = null,
        HostInode = Host,
        Namespaces =
        [
            new NetworkNamespaceView
            {
                Inode = Host, IsHost = true, Pids = [1, 77],
                Links =
                [
                    Lo,
                    new() { Index = 2, Name = "eth0", Type = "device", Up = true, Mtu = 1500, Mac = "02:fc:00:00:00:01" },
                    new() { Index = 3, Name = "docker0", Type = "bridge", Up = true, Mtu = 1500, Mac = "02:42:b8:fc:07:cf" },
                    // Host ends of the two containers' pairs; each peer is ifindex 5 in its own namespace.
                    new() { Index = 7, Name = "veth1a2b3c4", Type = "veth", Up = true, Master = 3, Link = 5, LinkNetnsId = 0 },
                    new() { Index = 9, Name = "veth5d6e7f8", Type = "veth", Up = true, Master = 3, Link = 5, LinkNetnsId = 1 },
                    new() { Index = 10, Name = "br-222222222222", Type = "bridge", Up = true },
                    new() { Index = 12, Name = "veth9a9a9a9", Type = "veth", Up = true, Master = 10, Link = 5, LinkNetnsId = 2 },
                    new() { Index = 13, Name = "macv0", Type = "macvlan", Up = true, Link = 2 },
                ],
                Addresses =
                [
                    new() { Index = 1, Family = 4, Address = "127.0.0.1", PrefixLength = 8, Scope = "host" },
                    new() { Index = 2, Family = 4, Address = "10.0.2.15", PrefixLength = 24, Scope = "global" },
                    new() { Index = 3, Family = 4, Address = "172.17.0.1", PrefixLength = 16, Scope = "global" },
                    new() { Index = 10, Family = 4, Address = "10.99.0.1", PrefixLength = 24, Scope = "global" },
                ],
                Routes =
                [
                    new() { Family = 4, Destination = "default", Gateway = "10.0.2.2", OutIndex = 2, Table = 254, Type = "unicast" },
                    new() { Family = 4, Destination = "172.17.0.0/16", OutIndex = 3, Table = 254, Type = "unicast" },
                ],
                NsIdToInode = ImmutableDictionary<int, ulong>.Empty.Add(0, Web).Add(1, Db).Add(2, Iso),
            },
            ContainerNs(Web, "172.17.0.2", "02:42:ac:11:00:02", peerIndex: 7),
            ContainerNs(Db, "172.17.0.3", "02:42:ac:11:00:03", peerIndex: 9),
            new NetworkNamespaceView
            {
                Inode = None, IsHost = false, Paths = ["/var/run/docker/netns/0e0e0e0e0e0e"],
                Links = [Lo], Addresses = [new() { Index = 1, Family = 4, Address = "127.0.0.1", PrefixLength = 8, Scope = "host" }], Routes = [],
            },
            new NetworkNamespaceView
            {
                Inode = Iso, IsHost = false,
                Links = [Lo, new() { Index = 5, Name = "eth0", Type = "veth", Up = true, Link = 12, LinkNetnsId = 0 }],
                Addresses = [new() { Index = 5, Family = 4, Address = "10.99.0.2", PrefixLength = 24, Scope = "global" }],
                Routes = [],
                NsIdToInode = ImmutableDictionary<int, ulong>.Empty.Add(0, Host),
            },
        ],
    };

    private static NetworkNamespaceView ContainerNs(ulong inode, string ip, string mac, int peerIndex) => new()
    {
        Inode = inode,
        IsHost = false,
        Links = [Lo, new() { Index = 5, Name = "eth0", Type = "veth", Up = true, Mac = mac, Link = peerIndex, LinkNetnsId = 0 }],
        Addresses = [new() { Index = 5, Family = 4, Address = ip, PrefixLength = 16, Scope = "global" }],
        Routes =
        [
            new() { Family = 4, Destination = "default", Gateway = "172.17.0.1", OutIndex = 5, Table = 254, Type = "unicast" },
            new() { Family = 4, Destination = "172.17.0.0/16", OutIndex = 5, Table = 254, Type = "unicast" },
        ],
        // In a container namespace, id 0 is the host namespace (the kernel numbers per namespace).
        NsIdToInode = ImmutableDictionary<int, ulong>.Empty.Add(0, Host),
    };

    public static DockerView Docker() => new()
    {
        Ok = true,
        Endpoint = "unix:///var/run/docker.sock",
        Version = "20.10.24",
        Containers =
        [
            Container(WebId, "web", Web, "bridge", [new() { NetworkName = "bridge", NetworkId = BridgeNetId, IPAddress = "172.17.0.2", PrefixLength = 16, Gateway = "172.17.0.1", MacAddress = "02:42:ac:11:00:02" }],
                [new() { ContainerPort = 80, Protocol = "tcp", HostIp = "127.0.0.1", HostPort = 8080 }], pid: 4242),
            Container(DbId, "db", Db, "bridge", [new() { NetworkName = "bridge", NetworkId = BridgeNetId, IPAddress = "172.17.0.3", PrefixLength = 16, Gateway = "172.17.0.1" }], [], pid: 4343),
            Container(NoneId, "quiet", None, "none", [], [], pid: 4444),
            Container(HostModeId, "hosty", Host, "host", [new() { NetworkName = "host", NetworkId = HostNetId }], [], pid: 4545),
            Container(SidecarId, "sidecar", Web, "container:" + WebId, [], [], pid: 4646),
            Container(IsoId, "iso", Iso, "nv-internal", [new() { NetworkName = "nv-internal", NetworkId = InternalNetId, IPAddress = "10.99.0.2", PrefixLength = 24 }], [], pid: 4747),
        ],
        Networks =
        [
            new() { Id = BridgeNetId, Name = "bridge", Driver = "bridge", Subnets = ["172.17.0.0/16"], Gateways = ["172.17.0.1"] },
            new() { Id = InternalNetId, Name = "nv-internal", Driver = "bridge", Internal = true, Subnets = ["10.99.0.0/24"], Gateways = ["10.99.0.1"] },
            new() { Id = HostNetId, Name = "host", Driver = "host" },
        ],
    };

    private static ContainerInfo Container(string id, string name, ulong ns, string mode, ImmutableArray<ContainerEndpoint> eps, ImmutableArray<PortMapping> ports, int pid) => new()
    {
        Id = id, Name = name, Image = "netviz/busybox:lab", State = "running", Pid = pid, NetworkMode = mode, NetnsInode = ns,
        Endpoints = eps, Ports = ports,
    };

    public static NatView Nat() => new()
    {
        Ok = true,
        Backend = "iptables-nft",
        Rules =
        [
            new() { Table = "nat", Chain = "PREROUTING", Position = 1, Target = "DOCKER", Rule = "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER", DstType = "LOCAL", Packets = 10, Bytes = 600 },
            new() { Table = "nat", Chain = "POSTROUTING", Position = 1, Target = "MASQUERADE", Rule = "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", Source = "172.17.0.0/16", OutInterface = "docker0", OutInterfaceNegated = true, Packets = 3, Bytes = 180 },
            new() { Table = "nat", Chain = "POSTROUTING", Position = 2, Target = "MASQUERADE", Rule = "-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE", Source = "172.17.0.2/32", Destination = "172.17.0.2/32", Protocol = "tcp", DestinationPort = "80" },
            new() { Table = "nat", Chain = "DOCKER", Position = 1, Target = "RETURN", Rule = "-A DOCKER -i docker0 -j RETURN", InInterface = "docker0" },
            new() { Table = "nat", Chain = "DOCKER", Position = 2, Target = "DNAT", Rule = "-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80", Destination = "127.0.0.1/32", InInterface = "docker0", InInterfaceNegated = true, Protocol = "tcp", DestinationPort = "8080", ToDestination = "172.17.0.2:80", ToIp = "172.17.0.2", ToPort = 80, Packets = 7, Bytes = 420 },
        ],
    };
}
