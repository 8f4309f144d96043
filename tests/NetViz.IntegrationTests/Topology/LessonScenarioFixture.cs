using System.Text.Json;
using NetViz.Core.Collection;
using NetViz.Core.Model;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Docker;
using static NetViz.IntegrationTests.Docker.DockerCli;

namespace NetViz.IntegrationTests.Topology;

/// <summary>
/// Given the lesson's scenario built on the real engine (every network mode, a custom-named bridge, a container on
/// two networks, a published port, an internal network), when NetViz collects one snapshot with its real sources,
/// then each test compares a part of it with what docker, ip, nsenter and iptables-save say.
/// Everything is named nvsn-* and labelled netviz.test=nvsn.
/// </summary>
public sealed class LessonScenarioFixture : IAsyncLifetime
{
    public const string TestLabel = "netviz.test=nvsn";
    public const string CustomBridge = "nvsn-br0";

    public TopologySnapshot Snapshot { get; private set; } = TopologySnapshot.Empty;
    public int PublishedPort { get; } = FreeLoopbackPort();

    /// <summary>The subnets Docker gave nvsn-net and nvsn-internal.</summary>
    public string NetSubnet { get; private set; } = "";
    public string InternalSubnet { get; private set; } = "";

    private static string SubnetOf(string network) =>
        InspectNetwork(network).GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString()!;

    public async Task InitializeAsync()
    {
        RequireEngine();
        Cleanup();
        try
        {
            // Subnets chosen by Docker from its free pools: a fixed one may be taken by other work on the machine.
            DockerCli.Docker("network", "create", "--label", TestLabel, "-o", $"com.docker.network.bridge.name={CustomBridge}", "nvsn-net");
            DockerCli.Docker("network", "create", "--label", TestLabel, "--internal", "nvsn-internal");
            NetSubnet = SubnetOf("nvsn-net");
            InternalSubnet = SubnetOf("nvsn-internal");
            Run("nvsn-web", "-p", $"127.0.0.1:{PublishedPort}:80");
            Run("nvsn-none", "--network", "none");
            Run("nvsn-host", "--network", "host");
            Run("nvsn-side", "--network", "container:nvsn-web");
            Run("nvsn-app", "--network", "nvsn-net");
            DockerCli.Docker("network", "connect", "bridge", "nvsn-app"); // a container on two networks
            Run("nvsn-iso", "--network", "nvsn-internal");

            using var host = new NetlinkHostNetworkSource();
            using var docker = new DockerEngineSource();
            var collector = new TopologyCollector(host, docker, new IptablesNatSource(), TimeProvider.System);
            // The tests compare this one snapshot with what the tools say later: take it once the scenario has
            // settled, i.e. when two collections in a row draw the same graph.
            Snapshot = await Eventually.PassesAsync("two collections in a row draw the same graph", async () =>
            {
                var first = await collector.CollectAsync(CancellationToken.None);
                var second = await collector.CollectAsync(CancellationToken.None);
                Assert.Null(SnapshotShape.Difference(first, second));
                return second;
            });
        }
        catch
        {
            Cleanup();
            throw;
        }
    }

    private static void Run(string name, params string[] args) =>
        DockerCli.Docker(["run", "-d", "--name", name, "--label", TestLabel, .. args, Image, "sleep", "3600"]);

    public Task DisposeAsync()
    {
        Cleanup();
        return Task.CompletedTask;
    }

    /// <summary>Everything labelled netviz.test=nvsn (leftovers of an interrupted run included).</summary>
    private static void Cleanup() => RemoveLabelled(TestLabel);

    // ---- ground truth, read independently of NetViz ----------------------------------------------

    public static int PidOf(string container) => Inspect(container).GetProperty("State").GetProperty("Pid").GetInt32();

    /// <summary>`stat -L -c %i`: the inode of a namespace file.</summary>
    public static ulong InodeOf(string path) => ulong.Parse(Must("stat", "-L", "-c", "%i", path));

    /// <summary>`nsenter --target PID --net ip -j ...`, the lesson's way into a container's namespace.</summary>
    public static JsonElement IpIn(int pid, params string[] args) =>
        JsonDocument.Parse(Must("nsenter", ["--target", pid.ToString(), "--net", "ip", "-j", .. args])).RootElement.Clone();

    public static JsonElement IpOnHost(params string[] args) => JsonDocument.Parse(Must("ip", ["-j", .. args])).RootElement.Clone();

    public static string IptablesSaveNat() => Must("iptables-save", "-t", "nat");

    // ---- snapshot lookups ------------------------------------------------------------------------

    public TopologyNode Node(string id) => Assert.Single(Snapshot.Nodes, n => n.Id == id);

    public TopologyNode ContainerNode(string name) =>
        Assert.Single(Snapshot.Nodes, n => n.Kind == NodeKinds.Container && n.Label == name);

    public IEnumerable<TopologyNode> InterfacesIn(ulong netnsInode) =>
        Snapshot.Nodes.Where(n => n.Kind == NodeKinds.Interface && n.Parent == $"netns:{netnsInode}");

    public IEnumerable<TopologyEdge> EdgesOf(string nodeId, string kind) =>
        Snapshot.Edges.Where(e => e.Kind == kind && (e.Source == nodeId || e.Target == nodeId));

    public static string Other(TopologyEdge e, string id) => e.Source == id ? e.Target : e.Source;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LessonScenarioCollection : ICollectionFixture<LessonScenarioFixture>
{
    public const string Name = "nvsn lesson scenario";
}
