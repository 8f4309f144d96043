using System.Diagnostics;
using NetViz.Core.Collection;
using NetViz.Core.Model;
using NetViz.Core.Paths;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Docker;
using static NetViz.IntegrationTests.Docker.DockerCli;

namespace NetViz.IntegrationTests.Paths;

/// <summary>
/// Given a lab this fixture builds and takes back exactly (everything named nvpath*, Docker objects labelled
/// netviz.test=nvpath, iptables rules commented nvpath): two user networks nvpath-a (a1, a2, the sidecar side) and
/// nvpath-b (b1), an internal network (i1), a container d1 on the default bridge publishing 127.0.0.1:PORT, a manual
/// bridge nvpathbrm with the namespace nvpath-m1 (10.251.7.0/24, let through by DOCKER-USER ACCEPT rules for that
/// bridge), and "the outside": the namespace nvpath-out behind a direct veth (10.251.8.0/24) holding 10.251.9.9,
/// which the host reaches by a host route and which has no default route back. Every container and the outside
/// runs a busybox httpd, so TCP probes are real HTTP requests. Packets only ever go between these.
/// </summary>
public sealed class PathLabFixture : IAsyncLifetime
{
    public const string Prefix = "nvpath";
    public const string TestLabel = "netviz.test=nvpath";
    public const string ManualNs = "nvpath-m1", OutsideNs = "nvpath-out";
    public const string ManualBridge = "nvpathbrm", OutsideVeth = "nvpathvo";
    public const string OutsideAddress = "10.251.9.9";
    public const int ContainerPort = 8080, OutsidePort = 8081;
    /// <summary>The rule comment that marks every iptables rule this fixture or its tests add.</summary>
    public const string RuleComment = "nvpath";

    public int PublishedPort { get; } = FreeLoopbackPort();
    private readonly List<Process> _servers = [];
    private readonly string _www = Path.Combine(Path.GetTempPath(), $"nvpath-www-{Environment.ProcessId}");

    public async Task InitializeAsync()
    {
        RequireEngine();
        Cleanup();
        try
        {
            DockerCli.Docker("network", "create", "--label", TestLabel, "-o", "com.docker.network.bridge.name=nvpathbra", "nvpath-a");
            DockerCli.Docker("network", "create", "--label", TestLabel, "-o", "com.docker.network.bridge.name=nvpathbrb", "nvpath-b");
            DockerCli.Docker("network", "create", "--label", TestLabel, "--internal", "-o", "com.docker.network.bridge.name=nvpathbri", "nvpath-int");
            Server("nvpath-a1", "--network", "nvpath-a");
            Server("nvpath-a2", "--network", "nvpath-a");
            Server("nvpath-b1", "--network", "nvpath-b");
            Server("nvpath-i1", "--network", "nvpath-int");
            Server("nvpath-d1", "-p", $"127.0.0.1:{PublishedPort}:{ContainerPort}");
            DockerCli.Docker("run", "-d", "--name", "nvpath-side", "--label", TestLabel, "--network", "container:nvpath-a1", Image, "sleep", "3600");

            Sh($"ip netns add {ManualNs}");
            Sh($"ip netns add {OutsideNs}");
            Sh($"ip link add {ManualBridge} type bridge");
            Sh($"ip addr add 10.251.7.1/24 dev {ManualBridge}");
            Sh($"ip link set {ManualBridge} up");
            Sh($"ip link add nvpathvm type veth peer name eth0 netns {ManualNs}");
            Sh($"ip link set nvpathvm master {ManualBridge} up");
            Sh($"ip -n {ManualNs} addr add 10.251.7.2/24 dev eth0");
            Sh($"ip -n {ManualNs} link set eth0 up");
            Sh($"ip -n {ManualNs} link set lo up");
            Sh($"ip -n {ManualNs} route add default via 10.251.7.1");
            Sh($"ip link add {OutsideVeth} type veth peer name eth0 netns {OutsideNs}");
            Sh($"ip addr add 10.251.8.1/24 dev {OutsideVeth}");
            Sh($"ip link set {OutsideVeth} up");
            Sh($"ip -n {OutsideNs} addr add 10.251.8.2/24 dev eth0");
            Sh($"ip -n {OutsideNs} addr add {OutsideAddress}/32 dev lo");
            Sh($"ip -n {OutsideNs} link set eth0 up");
            Sh($"ip -n {OutsideNs} link set lo up");
            Sh($"ip route add 10.251.9.0/24 via 10.251.8.2 dev {OutsideVeth}");
            // Docker's FORWARD policy is DROP: the manual bridge needs its own way through, as the lesson shows.
            AddRule("filter", "-I", "DOCKER-USER", "-i", ManualBridge, "-j", "ACCEPT");
            AddRule("filter", "-I", "DOCKER-USER", "-o", ManualBridge, "-j", "ACCEPT");

            Directory.CreateDirectory(_www);
            File.WriteAllText(Path.Combine(_www, "hostname"), "outside\n");
            _servers.Add(Process.Start(new ProcessStartInfo("ip", ["netns", "exec", OutsideNs, "busybox", "httpd", "-f", "-p", $"{OutsideAddress}:{OutsidePort}", "-h", _www]))!);
            await Eventually.PassesAsync("the lab's servers answer", () =>
            {
                Assert.True(Probe(null, "tcp", OutsideAddress, OutsidePort), "outside httpd");
                Assert.True(Probe(null, "tcp", "127.0.0.1", PublishedPort), "published d1");
                return Task.FromResult(true);
            });
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private static void Server(string name, params string[] args) =>
        DockerCli.Docker(["run", "-d", "--name", name, "--label", TestLabel, .. args, Image, "httpd", "-f", "-p", ContainerPort.ToString(), "-h", "/etc"]);

    /// <summary>One fresh collection with NetViz's real sources, taken when two in a row draw the same graph.</summary>
    public async Task<TopologySnapshot> CollectAsync()
    {
        using var host = new NetlinkHostNetworkSource();
        using var docker = new DockerEngineSource();
        var collector = new TopologyCollector(host, docker, new IptablesNatSource(), TimeProvider.System);
        return await Eventually.PassesAsync("two collections in a row draw the same graph", async () =>
        {
            var first = await collector.CollectAsync(CancellationToken.None);
            var second = await collector.CollectAsync(CancellationToken.None);
            Assert.Null(SnapshotShape.Difference(first, second));
            return second;
        });
    }

    public static PathSysctls Sysctls(TopologySnapshot s) =>
        ProcSysctls.Read(s.Nodes.OfType<InterfaceNode>().Where(i => i.InHostNamespace).Select(i => i.Name));

    /// <summary>Where a probe runs: null for the host, an ip netns name, or a container name (by its pid).</summary>
    public static string[] Enter(string? where) => where switch
    {
        null => [],
        ManualNs or OutsideNs => ["ip", "netns", "exec", where],
        // By pid, as the lesson does: a container:x sidecar has no sandbox path of its own.
        _ => ["nsenter", "-t", Inspect(where).GetProperty("State").GetProperty("Pid").GetInt32().ToString(), "-n"],
    };

    /// <summary>
    /// Real traffic: one ping (1 s), or an HTTP GET of /hostname (2 s) with busybox, from inside <paramref name="where"/>.
    /// True when the answer came back.
    /// </summary>
    public static bool Probe(string? where, string protocol, string address, int port)
    {
        if (protocol == "icmp")
        {
            string[] ping = [.. Enter(where), "busybox", "ping", "-c", "1", "-W", "1", address];
            return DockerCli.Run(ping[0], ping[1..]).ExitCode == 0;
        }
        // busybox wget crashes on this machine; nc with an HTTP/1.0 request does the same, and the answer must be
        // busybox httpd's own 200 (a refused or unreachable connection prints nothing).
        string[] nc = ["timeout", "5", .. Enter(where), "busybox", "nc", "-w", "2", address, port.ToString()];
        var psi = new ProcessStartInfo(nc[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in nc[1..]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        process.StandardInput.Write("GET /hostname HTTP/1.0\r\n\r\n");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return stdout.Result.StartsWith("HTTP/1.1 200 OK", StringComparison.Ordinal);
    }

    public static string ContainerIp(string name, string network) =>
        Inspect(name).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(network).GetProperty("IPAddress").GetString()!;

    /// <summary>Adds an iptables rule carrying the nvpath comment (so cleanup finds it whatever happens).</summary>
    public static void AddRule(string table, params string[] rule) =>
        Must("iptables", ["-t", table, .. rule, "-m", "comment", "--comment", RuleComment]);

    /// <summary>Deletes every rule commented nvpath, in both tables, as iptables-save prints them.</summary>
    public static void RemoveRules()
    {
        foreach (var table in new[] { "filter", "nat" })
        {
            foreach (var line in Must("iptables-save", "-t", table).Split('\n'))
            {
                if (!line.StartsWith("-A ", StringComparison.Ordinal) || !line.Contains($"--comment {RuleComment}", StringComparison.Ordinal)) continue;
                Assert.True(ShellTokenizer.TryTokenize(line, out var tokens, out _));
                tokens[0] = "-D";
                Run("iptables", ["-t", table, .. tokens]);
            }
        }
    }

    private static void Sh(string command) => Must(command.Split(' ')[0], command.Split(' ')[1..]);

    private void Cleanup()
    {
        foreach (var server in _servers)
        {
            try { server.Kill(entireProcessTree: true); server.WaitForExit(5000); } catch (InvalidOperationException) { }
            server.Dispose();
        }
        _servers.Clear();
        // A server left by an interrupted run lives in the outside namespace: deleting the namespace does not end it.
        foreach (var pid in Run("ip", "netns", "pids", OutsideNs).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Run("kill", pid.Trim());
        RemoveRules();
        Run("ip", "route", "del", "10.251.9.0/24");
        Run("ip", "link", "del", OutsideVeth);
        Run("ip", "link", "del", "nvpathvm");
        Run("ip", "link", "del", ManualBridge);
        Run("ip", "netns", "del", ManualNs);
        Run("ip", "netns", "del", OutsideNs);
        RemoveLabelled(TestLabel);
        if (Directory.Exists(_www)) Directory.Delete(_www, recursive: true);
    }

    public Task DisposeAsync()
    {
        Cleanup();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PathLabCollection : ICollectionFixture<PathLabFixture>
{
    public const string Name = "nvpath packet paths";
}

/// <summary>Rule helpers that take back exactly what they add.</summary>
public static class PathLabRules
{
    public static void Delete(string table, string chain, params string[] spec) =>
        DockerCli.Run("iptables", ["-t", table, "-D", chain, .. spec, "-m", "comment", "--comment", PathLabFixture.RuleComment]);
}
