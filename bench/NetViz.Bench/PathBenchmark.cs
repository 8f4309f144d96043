using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Paths;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Bench;

/// <summary>
/// <c>path [--containers 100] [--networks 5] [--iterations 200]</c>: how long <see cref="PathExplainer"/> takes on a
/// snapshot of a Docker host with that many containers (built in memory the way the collector builds one: netlink
/// and Docker readings through <see cref="TopologyBuilder"/>, iptables-save text as Docker 20.10 writes it, a
/// published port per container). "cold" is the first explanation after a new snapshot (it builds the per-snapshot
/// indexes), "warm" every later one. Pure CPU: no root, no engine.
/// </summary>
public static class PathBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var containers = Option(args, "--containers", 100);
        var networks = Math.Max(1, Option(args, "--networks", 5));
        var iterations = Option(args, "--iterations", 200);
        Console.WriteLine($"path explain: {containers} containers on {networks} user networks + docker0; {Machine.Describe()}");
        var queries = new List<PathQuery>();
        for (var i = 0; i < 8; i++)
        {
            var a = $"c{i % containers}";
            var b = $"c{(i * 7 + 3) % containers}";
            queries.Add(new PathQuery("container:" + a, "container:" + b, "tcp", 80));
            queries.Add(new PathQuery("container:" + a, "outside", "icmp", null));
            queries.Add(new PathQuery("host", $"127.0.0.1:{20000 + i}", "tcp", null));
            queries.Add(new PathQuery("outside", $"10.0.2.15:{20000 + i}", "tcp", null));
        }
        var sysctls = PathSysctls.DockerDefaults;
        var cold = new List<double>();
        var warm = new List<double>();
        var verdicts = new Dictionary<string, int>();
        for (var round = 0; round < Math.Max(1, iterations / queries.Count); round++)
        {
            // A new snapshot each round, as after a change: the first explanation pays for its indexes.
            var snapshot = Build(containers, networks, round);
            var first = true;
            foreach (var q in queries)
            {
                var clock = Stopwatch.StartNew();
                var e = PathExplainer.Explain(snapshot, sysctls, q);
                clock.Stop();
                (first ? cold : warm).Add(clock.Elapsed.TotalMilliseconds);
                first = false;
                verdicts[e.Verdict] = verdicts.GetValueOrDefault(e.Verdict) + 1;
            }
        }
        var nodes = Build(containers, networks, 0);
        Console.WriteLine($"snapshot: {nodes.Nodes.Length} nodes, {nodes.Filter.Rules.Count} filter rules, {nodes.Nodes.OfType<NatRuleNode>().Count()} nat rules");
        Console.WriteLine($"verdicts: {string.Join(", ", verdicts.OrderBy(v => v.Key).Select(v => $"{v.Key} {v.Value}"))}");
        Console.WriteLine($"cold (first after a new snapshot): {Stats.Of(cold)}");
        Console.WriteLine($"warm: {Stats.Of(warm)}");
        return Task.FromResult(0);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    /// <summary>docker0 plus <paramref name="networks"/> user bridges; container i on bridge i % (networks + 1), publishing 127.0.0.1:20000+i.</summary>
    public static TopologySnapshot Build(int containers, int networks, int salt)
    {
        const ulong host = 4026531840;
        var hostLinks = ImmutableArray.CreateBuilder<LinkInfo>();
        var hostAddresses = ImmutableArray.CreateBuilder<AddressInfo>();
        var hostRoutes = ImmutableArray.CreateBuilder<RouteInfo>();
        var namespaces = ImmutableArray.CreateBuilder<NetworkNamespaceView>();
        var nsIds = ImmutableDictionary.CreateBuilder<int, ulong>();
        var dockerContainers = ImmutableArray.CreateBuilder<ContainerInfo>();
        var dockerNetworks = ImmutableArray.CreateBuilder<DockerNetworkInfo>();
        var filter = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:DOCKER-ISOLATION-STAGE-1 - [0:0]\n:DOCKER-ISOLATION-STAGE-2 - [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-ISOLATION-STAGE-1\n");
        var isolation1 = new StringBuilder();
        var isolation2 = new StringBuilder();
        var docker = new StringBuilder();
        var nat = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n");
        var natDocker = new StringBuilder();
        hostLinks.Add(new LinkInfo { Index = 1, Name = "lo", Type = "loopback", Up = true });
        hostLinks.Add(new LinkInfo { Index = 2, Name = "eth0", Type = "device", Up = true });
        hostAddresses.Add(new AddressInfo { Index = 1, Family = 4, Address = "127.0.0.1", PrefixLength = 8, Scope = "host" });
        hostAddresses.Add(new AddressInfo { Index = 2, Family = 4, Address = "10.0.2.15", PrefixLength = 24, Scope = "global" });
        hostRoutes.Add(new RouteInfo { Family = 4, Destination = "default", Gateway = "10.0.2.2", OutIndex = 2, Table = 254 });
        var bridges = new List<(int Index, string Name, string Prefix, string NetId)>();
        for (var n = 0; n <= networks; n++)
        {
            var name = n == 0 ? "docker0" : $"br-{n:x12}";
            var prefix = n == 0 ? "172.17" : $"172.{17 + n}";
            var netId = $"{n + 1:x4}".PadRight(64, '0');
            var index = 10 + n;
            bridges.Add((index, name, prefix, netId));
            hostLinks.Add(new LinkInfo { Index = index, Name = name, Type = "bridge", Up = true });
            hostAddresses.Add(new AddressInfo { Index = index, Family = 4, Address = prefix + ".0.1", PrefixLength = 16, Scope = "global" });
            hostRoutes.Add(new RouteInfo { Family = 4, Destination = prefix + ".0.0/16", OutIndex = index, Table = 254 });
            dockerNetworks.Add(new DockerNetworkInfo { Id = netId, Name = n == 0 ? "bridge" : $"net{n}", Driver = "bridge", Subnets = [prefix + ".0.0/16"], Gateways = [prefix + ".0.1"],
                Options = n == 0 ? ImmutableDictionary<string, string>.Empty : ImmutableDictionary<string, string>.Empty.Add("com.docker.network.bridge.name", name) });
            filter.Append($"-A FORWARD -o {name} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A FORWARD -o {name} -j DOCKER\n-A FORWARD -i {name} ! -o {name} -j ACCEPT\n-A FORWARD -i {name} -o {name} -j ACCEPT\n");
            isolation1.Append($"-A DOCKER-ISOLATION-STAGE-1 -i {name} ! -o {name} -j DOCKER-ISOLATION-STAGE-2\n");
            isolation2.Append($"-A DOCKER-ISOLATION-STAGE-2 -o {name} -j DROP\n");
            nat.Append($"-A POSTROUTING -s {prefix}.0.0/16 ! -o {name} -j MASQUERADE\n");
            natDocker.Append($"-A DOCKER -i {name} -j RETURN\n");
        }
        for (var i = 0; i < containers; i++)
        {
            var (bridgeIndex, bridgeName, prefix, netId) = bridges[i % bridges.Count];
            var inode = host + 1000 + (ulong)i;
            var ip = $"{prefix}.{i / 250 + 1}.{i % 250 + 2}";
            var hostIndex = 1000 + i;
            hostLinks.Add(new LinkInfo { Index = hostIndex, Name = $"veth{i:x7}", Type = "veth", Up = true, Master = bridgeIndex, Link = 2, LinkNetnsId = i });
            nsIds[i] = inode;
            namespaces.Add(new NetworkNamespaceView
            {
                Inode = inode, IsHost = false, Paths = [$"/var/run/docker/netns/{inode:x12}"],
                Links = [new LinkInfo { Index = 1, Name = "lo", Type = "loopback", Up = true }, new LinkInfo { Index = 2, Name = "eth0", Type = "veth", Up = true, Link = hostIndex, LinkNetnsId = 0 }],
                Addresses = [new AddressInfo { Index = 1, Family = 4, Address = "127.0.0.1", PrefixLength = 8, Scope = "host" }, new AddressInfo { Index = 2, Family = 4, Address = ip, PrefixLength = 16, Scope = "global" }],
                Routes = [new RouteInfo { Family = 4, Destination = "default", Gateway = prefix + ".0.1", OutIndex = 2, Table = 254 }, new RouteInfo { Family = 4, Destination = prefix + ".0.0/16", OutIndex = 2, Table = 254 }],
                NsIdToInode = ImmutableDictionary<int, ulong>.Empty.Add(0, host),
            });
            var id = $"{i + 1:x8}{salt:x4}".PadRight(64, 'c');
            var network = dockerNetworks[i % bridges.Count];
            dockerContainers.Add(new ContainerInfo
            {
                Id = id, Name = $"c{i}", Image = "netviz/busybox:lab", State = "running", Pid = 10000 + i, NetworkMode = network.Name, NetnsInode = inode,
                SandboxKey = $"/var/run/docker/netns/{inode:x12}",
                Endpoints = [new ContainerEndpoint { NetworkName = network.Name, NetworkId = netId, IPAddress = ip, PrefixLength = 16, Gateway = prefix + ".0.1" }],
                Ports = [new PortMapping { ContainerPort = 80, Protocol = "tcp", HostIp = "127.0.0.1", HostPort = 20000 + i }],
            });
            docker.Append($"-A DOCKER -d {ip}/32 ! -i {bridgeName} -o {bridgeName} -p tcp -m tcp --dport 80 -j ACCEPT\n");
            nat.Append($"-A POSTROUTING -s {ip}/32 -d {ip}/32 -p tcp -m tcp --dport 80 -j MASQUERADE\n");
            natDocker.Append($"-A DOCKER ! -i {bridgeName} -p tcp -m tcp --dport {20000 + i} -j DNAT --to-destination {ip}:80\n");
        }
        var text = filter.ToString() + docker + isolation1 + "-A DOCKER-ISOLATION-STAGE-1 -j RETURN\n" + isolation2 + "-A DOCKER-ISOLATION-STAGE-2 -j RETURN\n-A DOCKER-USER -j RETURN\nCOMMIT\n"
            + nat + natDocker + "COMMIT\n";
        var parsed = IptablesSaveParser.Parse(text);
        if (!parsed.Warnings.IsEmpty) throw new InvalidOperationException(string.Join("\n", parsed.Warnings));
        namespaces.Insert(0, new NetworkNamespaceView
        {
            Inode = host, IsHost = true, Links = hostLinks.ToImmutable(), Addresses = hostAddresses.ToImmutable(), Routes = hostRoutes.ToImmutable(), NsIdToInode = nsIds.ToImmutable(),
        });
        return TopologyBuilder.Build(new SourceReadings
        {
            Hostname = "bench",
            CollectedAt = DateTimeOffset.UnixEpoch.AddSeconds(salt),
            Host = new HostNetworkView { Ok = true, Error = null, HostInode = host, Namespaces = namespaces.ToImmutable() },
            Docker = new DockerView { Ok = true, Endpoint = "unix:///var/run/docker.sock", Version = "20.10.24", Containers = dockerContainers.ToImmutable(), Networks = dockerNetworks.ToImmutable() },
            Nat = new NatView { Ok = true, Backend = "iptables-nft", Rules = parsed.RulesOf("nat"), FilterRules = parsed.RulesOf("filter"), Chains = parsed.Chains },
        });
    }
}
