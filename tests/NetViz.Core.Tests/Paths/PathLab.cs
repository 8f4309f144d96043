using System.Collections.Immutable;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Paths;

/// <summary>
/// A constructed host shaped like Docker 20.10's: docker0 (172.17.0.0/16) with web (published 127.0.0.1:8080 and
/// 0.0.0.0:8081 → 80) and db; a user network br-333333333333 (10.88.0.0/24) with app; an internal network
/// br-222222222222 (10.99.0.0/24) with iso; a manual bridge mbr0 (10.77.0.0/24) with the namespace "manual"; a
/// namespace "far" behind a direct veth and a host route (10.66.0.0/24); the uplink eth0. The rules are the
/// iptables-save text Docker writes for that, with optional extra lines.
/// </summary>
internal static class PathLab
{
    public const ulong Host = 4026531840, Web = 4026532301, Db = 4026532402, App = 4026532503, Iso = 4026532604, Manual = 4026532705, Far = 4026532806;
    public const string WebId = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001";
    public const string DbId = "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002";
    public const string AppId = "cccccccccccc0000000000000000000000000000000000000000000000000003";
    public const string IsoId = "dddddddddddd0000000000000000000000000000000000000000000000000004";
    public const string SideId = "eeeeeeeeeeee0000000000000000000000000000000000000000000000000005";
    public const string BridgeNetId = "1111111111110000000000000000000000000000000000000000000000000000";
    public const string InternalNetId = "2222222222220000000000000000000000000000000000000000000000000000";
    public const string UserNetId = "3333333333330000000000000000000000000000000000000000000000000000";

    public const string Filter = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :DOCKER - [0:0]
        :DOCKER-ISOLATION-STAGE-1 - [0:0]
        :DOCKER-ISOLATION-STAGE-2 - [0:0]
        :DOCKER-USER - [0:0]
        -A FORWARD -j DOCKER-USER
        -A FORWARD -j DOCKER-ISOLATION-STAGE-1
        -A FORWARD -i br-222222222222 -o br-222222222222 -j ACCEPT
        -A FORWARD -o br-333333333333 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -o br-333333333333 -j DOCKER
        -A FORWARD -i br-333333333333 ! -o br-333333333333 -j ACCEPT
        -A FORWARD -i br-333333333333 -o br-333333333333 -j ACCEPT
        -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -o docker0 -j DOCKER
        -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
        -A FORWARD -i docker0 -o docker0 -j ACCEPT
        -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
        -A DOCKER-ISOLATION-STAGE-1 ! -s 10.99.0.0/24 -o br-222222222222 -j DROP
        -A DOCKER-ISOLATION-STAGE-1 ! -d 10.99.0.0/24 -i br-222222222222 -j DROP
        -A DOCKER-ISOLATION-STAGE-1 -i br-333333333333 ! -o br-333333333333 -j DOCKER-ISOLATION-STAGE-2
        -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
        -A DOCKER-ISOLATION-STAGE-1 -j RETURN
        -A DOCKER-ISOLATION-STAGE-2 -o br-333333333333 -j DROP
        -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
        -A DOCKER-ISOLATION-STAGE-2 -j RETURN
        -A DOCKER-USER -j RETURN
        COMMIT
        """;

    public const string Nat = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :DOCKER - [0:0]
        -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
        -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
        -A POSTROUTING -s 10.88.0.0/24 ! -o br-333333333333 -j MASQUERADE
        -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
        -A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
        -A DOCKER -i br-333333333333 -j RETURN
        -A DOCKER -i docker0 -j RETURN
        -A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
        -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.2:80
        COMMIT
        """;

    /// <summary>The snapshot; <paramref name="filterExtra"/> lines go right after the <c>:DOCKER-USER</c> declaration block (before the first rule).</summary>
    public static TopologySnapshot Snapshot(string? filterExtra = null, string? natExtra = null, bool withRules = true)
    {
        var filter = filterExtra is null ? Filter : Filter.Replace("-A FORWARD -j DOCKER-USER", filterExtra + "\n-A FORWARD -j DOCKER-USER", StringComparison.Ordinal);
        var nat = natExtra is null ? Nat : Nat.Replace("COMMIT", natExtra + "\nCOMMIT", StringComparison.Ordinal);
        var parsed = IptablesSaveParser.Parse(filter + "\n" + nat + "\n");
        Assert.Empty(parsed.Warnings);
        var natView = withRules
            ? new NatView { Ok = true, Backend = "iptables-nft", Rules = parsed.RulesOf("nat"), FilterRules = parsed.RulesOf("filter"), Chains = parsed.Chains }
            : new NatView { Ok = false, Error = "iptables-save not found" };
        return TopologyBuilder.Build(new SourceReadings
        {
            Hostname = "lab",
            CollectedAt = DateTimeOffset.Parse("2026-11-29T10:00:00Z"),
            Host = HostView(),
            Docker = Docker(),
            Nat = natView,
        });
    }

    private static LinkInfo Lo => new() { Index = 1, Name = "lo", Type = "loopback", Up = true, Mtu = 65536 };
    private static AddressInfo Loopback => new() { Index = 1, Family = 4, Address = "127.0.0.1", PrefixLength = 8, Scope = "host" };

    private static RouteInfo R(string destination, int dev, string? gateway = null, int? metric = null) =>
        new() { Family = 4, Destination = destination, Gateway = gateway, OutIndex = dev, Table = 254, Type = "unicast", Metric = metric };

    public static HostNetworkView HostView() => new()
    {
        Ok = true,
        Error = null,
        HostInode = Host,
        Namespaces =
        [
            new NetworkNamespaceView
            {
                Inode = Host, IsHost = true, Pids = [1],
                Links =
                [
                    Lo,
                    new() { Index = 2, Name = "eth0", Type = "device", Up = true, Mtu = 1500 },
                    new() { Index = 3, Name = "docker0", Type = "bridge", Up = true },
                    new() { Index = 4, Name = "br-333333333333", Type = "bridge", Up = true },
                    new() { Index = 5, Name = "br-222222222222", Type = "bridge", Up = true },
                    new() { Index = 6, Name = "mbr0", Type = "bridge", Up = true },
                    new() { Index = 7, Name = "vethweb", Type = "veth", Up = true, Master = 3, Link = 2, LinkNetnsId = 0 },
                    new() { Index = 8, Name = "vethdb", Type = "veth", Up = true, Master = 3, Link = 2, LinkNetnsId = 1 },
                    new() { Index = 9, Name = "vethapp", Type = "veth", Up = true, Master = 4, Link = 2, LinkNetnsId = 2 },
                    new() { Index = 10, Name = "vethiso", Type = "veth", Up = true, Master = 5, Link = 2, LinkNetnsId = 3 },
                    new() { Index = 11, Name = "vethman", Type = "veth", Up = true, Master = 6, Link = 2, LinkNetnsId = 4 },
                    new() { Index = 12, Name = "vethfar", Type = "veth", Up = true, Link = 2, LinkNetnsId = 5 },
                ],
                Addresses =
                [
                    Loopback,
                    new() { Index = 2, Family = 4, Address = "10.0.2.15", PrefixLength = 24, Scope = "global" },
                    new() { Index = 3, Family = 4, Address = "172.17.0.1", PrefixLength = 16, Scope = "global" },
                    new() { Index = 4, Family = 4, Address = "10.88.0.1", PrefixLength = 24, Scope = "global" },
                    new() { Index = 5, Family = 4, Address = "10.99.0.1", PrefixLength = 24, Scope = "global" },
                    new() { Index = 6, Family = 4, Address = "10.77.0.1", PrefixLength = 24, Scope = "global" },
                    new() { Index = 12, Family = 4, Address = "10.66.0.1", PrefixLength = 24, Scope = "global" },
                ],
                Routes =
                [
                    R("default", 2, "10.0.2.2"),
                    R("10.0.2.0/24", 2),
                    R("172.17.0.0/16", 3),
                    R("10.88.0.0/24", 4),
                    R("10.99.0.0/24", 5),
                    R("10.77.0.0/24", 6),
                    R("10.66.0.0/24", 12),
                ],
                NsIdToInode = ImmutableDictionary<int, ulong>.Empty.Add(0, Web).Add(1, Db).Add(2, App).Add(3, Iso).Add(4, Manual).Add(5, Far),
            },
            Peer(Web, 7, "172.17.0.2", 16, "172.17.0.1", path: "/var/run/docker/netns/web1"),
            Peer(Db, 8, "172.17.0.3", 16, "172.17.0.1", path: "/var/run/docker/netns/db1"),
            Peer(App, 9, "10.88.0.2", 24, "10.88.0.1", path: "/var/run/docker/netns/app1"),
            Peer(Iso, 10, "10.99.0.2", 24, gateway: null, path: "/var/run/docker/netns/iso1"),
            Peer(Manual, 11, "10.77.0.2", 24, "10.77.0.1", name: "manual"),
            Peer(Far, 12, "10.66.0.2", 24, gateway: null, name: "far", routeToHostOnly: true),
        ],
    };

    private static NetworkNamespaceView Peer(ulong inode, int hostIndex, string ip, int prefix, string? gateway, string? path = null, string? name = null, bool routeToHostOnly = false)
    {
        var subnet = PathsTestNet(ip, prefix);
        return new NetworkNamespaceView
        {
            Inode = inode,
            IsHost = false,
            Name = name,
            Paths = path is null ? [$"/var/run/netns/{name}"] : [path],
            Links = [Lo, new() { Index = 2, Name = "eth0", Type = "veth", Up = true, Link = hostIndex, LinkNetnsId = 0 }],
            Addresses = [Loopback, new() { Index = 2, Family = 4, Address = ip, PrefixLength = prefix, Scope = "global" }],
            Routes = gateway is null ? [R(subnet, 2)] : [R("default", 2, gateway), R(subnet, 2)],
            NsIdToInode = ImmutableDictionary<int, ulong>.Empty.Add(0, Host),
        };
    }

    /// <summary>The network of an IPv4 address (public API only: the dashboard's tests compile this lab too).</summary>
    private static string PathsTestNet(string ip, int prefix)
    {
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Net.IPAddress.Parse(ip).GetAddressBytes());
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value & mask);
        return new System.Net.IPNetwork(new System.Net.IPAddress(bytes), prefix).ToString();
    }

    public static DockerView Docker() => new()
    {
        Ok = true,
        Endpoint = "unix:///var/run/docker.sock",
        Version = "20.10.24",
        Containers =
        [
            Container(WebId, "web", Web, "bridge", [Ep("bridge", BridgeNetId, "172.17.0.2", 16)],
                [new() { ContainerPort = 80, Protocol = "tcp", HostIp = "127.0.0.1", HostPort = 8080 }, new() { ContainerPort = 80, Protocol = "tcp", HostIp = "0.0.0.0", HostPort = 8081 }]),
            Container(DbId, "db", Db, "bridge", [Ep("bridge", BridgeNetId, "172.17.0.3", 16)], []),
            Container(AppId, "app", App, "usernet", [Ep("usernet", UserNetId, "10.88.0.2", 24)], []),
            Container(IsoId, "iso", Iso, "internalnet", [Ep("internalnet", InternalNetId, "10.99.0.2", 24)], []),
            Container(SideId, "side", Web, "container:" + WebId, [], []),
        ],
        Networks =
        [
            new() { Id = BridgeNetId, Name = "bridge", Driver = "bridge", Subnets = ["172.17.0.0/16"], Gateways = ["172.17.0.1"] },
            new() { Id = UserNetId, Name = "usernet", Driver = "bridge", Subnets = ["10.88.0.0/24"], Gateways = ["10.88.0.1"] },
            new() { Id = InternalNetId, Name = "internalnet", Driver = "bridge", Internal = true, Subnets = ["10.99.0.0/24"], Gateways = ["10.99.0.1"] },
        ],
    };

    private static ContainerEndpoint Ep(string network, string id, string ip, int prefix) =>
        new() { NetworkName = network, NetworkId = id, IPAddress = ip, PrefixLength = prefix };

    private static ContainerInfo Container(string id, string name, ulong ns, string mode, ImmutableArray<ContainerEndpoint> eps, ImmutableArray<PortMapping> ports) => new()
    {
        Id = id, Name = name, Image = "netviz/busybox:lab", State = "running", Pid = 4000 + name.Length, NetworkMode = mode, NetnsInode = ns,
        Endpoints = eps, Ports = ports,
    };
}
