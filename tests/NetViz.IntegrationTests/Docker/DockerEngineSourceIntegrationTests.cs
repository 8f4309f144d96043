using NetViz.Core.Sources.Namespaces;
using System.Text.Json;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Netlink;

namespace NetViz.IntegrationTests.Docker;

/// <summary>
/// Given containers in every network mode on the real engine, when DockerEngineSource collects,
/// then it says what `docker inspect`, `stat` and `ip link` say.
/// </summary>
public sealed class DockerEngineFixture : IDisposable
{
    public const string Net = "nvnd-dk-net";
    public const string Internal = "nvnd-dk-internal";
    public const string BridgeName = "nvnd-br0";
    public static readonly string[] Containers = ["nvnd-dk-none", "nvnd-dk-host", "nvnd-dk-pub", "nvnd-dk-shared", "nvnd-dk-multi"];

    public int HostPort { get; }

    public DockerEngineFixture()
    {
        DockerCli.RequireEngine();
        RemoveAll();
        try
        {
            var label = new[] { "--label", DockerCli.Label };
            DockerCli.Docker([.. "network create".Split(' '), .. label, "-o", $"com.docker.network.bridge.name={BridgeName}", Net]);
            DockerCli.Docker([.. "network create --internal".Split(' '), .. label, Internal]);
            HostPort = DockerCli.FreeLoopbackPort();
            Run("nvnd-dk-none", "--network", "none");
            Run("nvnd-dk-host", "--network", "host");
            Run("nvnd-dk-pub", "-p", $"127.0.0.1:{HostPort}:80");
            Run("nvnd-dk-shared", "--network", "container:nvnd-dk-pub");
            Run("nvnd-dk-multi", "--network", Net);
            DockerCli.Docker("network", "connect", Internal, "nvnd-dk-multi");
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            RemoveAll();
            throw;
        }

        void Run(string name, params string[] options) =>
            DockerCli.Docker([.. "run -d".Split(' '), "--label", DockerCli.Label, "--name", name, .. options, DockerCli.Image, "sleep", "3600"]);
    }

    /// <summary>Everything labelled with this suite's label: leftovers of earlier runs included.</summary>
    public static void RemoveAll() => DockerCli.RemoveLabelled(DockerCli.Label);

    public void Dispose() => RemoveAll();
}

[Collection(DockerCollection.Name)]
public sealed class DockerEngineSourceIntegrationTests(DockerEngineFixture fixture) : IClassFixture<DockerEngineFixture>
{
    private static ulong StatInode(string path) => ulong.Parse(DockerCli.Must("stat", "-L", "-c", "%i", path));

    [Fact]
    public async Task Collect_reports_engine_version_like_the_cli()
    {
        using var source = new DockerEngineSource();

        var view = await source.CollectAsync(CancellationToken.None);

        Assert.True(view.Ok, view.Error);
        Assert.Equal("unix:///var/run/docker.sock", view.Endpoint);
        Assert.Equal(DockerCli.Docker("version", "--format", "{{.Server.Version}}"), view.Version);
        Assert.Equal(DockerCli.Docker("version", "--format", "{{.Server.APIVersion}}"), view.ApiVersion);
    }

    [Fact]
    public async Task Collect_matches_docker_inspect_for_every_network_mode()
    {
        using var source = new DockerEngineSource();

        var view = await source.CollectAsync(CancellationToken.None);

        Assert.True(view.Ok, view.Error);
        foreach (var name in DockerEngineFixture.Containers)
        {
            var truth = DockerCli.Inspect(name);
            var c = Assert.Single(view.Containers, x => x.Name == name);
            Assert.Equal(truth.GetProperty("Id").GetString(), c.Id);
            Assert.Equal(truth.GetProperty("State").GetProperty("Pid").GetInt32(), c.Pid);
            Assert.True(c.Pid > 0);
            Assert.Equal("running", c.State);
            Assert.Equal(DockerCli.Image, c.Image);
            var mode = truth.GetProperty("HostConfig").GetProperty("NetworkMode").GetString();
            Assert.Equal(mode == "default" ? "bridge" : mode, c.NetworkMode);
            var sandbox = truth.GetProperty("NetworkSettings").GetProperty("SandboxKey").GetString();
            Assert.Equal(string.IsNullOrEmpty(sandbox) ? null : sandbox, c.SandboxKey);
            Assert.Equal(StatInode($"/proc/{c.Pid}/ns/net"), c.NetnsInode);
            Assert.Equal("nvnd", c.Labels["netviz.test"]);

            var networks = truth.GetProperty("NetworkSettings").GetProperty("Networks");
            Assert.Equal(networks.EnumerateObject().Select(n => n.Name).Order(StringComparer.Ordinal), c.Endpoints.Select(e => e.NetworkName));
            foreach (var e in c.Endpoints)
            {
                var n = networks.GetProperty(e.NetworkName);
                Assert.Equal(n.GetProperty("NetworkID").GetString(), e.NetworkId);
                Assert.Equal(n.GetProperty("EndpointID").GetString(), e.EndpointId);
                Assert.Equal(NullIfEmpty(n.GetProperty("IPAddress").GetString()), e.IPAddress);
                Assert.Equal(n.GetProperty("IPPrefixLen").GetInt32(), e.PrefixLength);
                Assert.Equal(NullIfEmpty(n.GetProperty("Gateway").GetString()), e.Gateway);
                Assert.Equal(NullIfEmpty(n.GetProperty("MacAddress").GetString()), e.MacAddress);
            }
        }

        var pub = view.Containers.Single(c => c.Name == "nvnd-dk-pub");
        var bridge = Assert.Single(pub.Endpoints);
        Assert.Equal("bridge", bridge.NetworkName);
        Assert.StartsWith("172.17.", bridge.IPAddress);
        Assert.Equal([new PortMapping { ContainerPort = 80, Protocol = "tcp", HostIp = "127.0.0.1", HostPort = fixture.HostPort }], pub.Ports.ToArray());

        // container:<x> shares x's namespace; host mode is NetViz's own namespace.
        Assert.Equal(pub.NetnsInode, view.Containers.Single(c => c.Name == "nvnd-dk-shared").NetnsInode);
        Assert.Equal("container:" + pub.Id, view.Containers.Single(c => c.Name == "nvnd-dk-shared").NetworkMode);
        Assert.Equal(StatInode("/proc/self/ns/net"), view.Containers.Single(c => c.Name == "nvnd-dk-host").NetnsInode);
        Assert.Equal(Nsfs.InodeOf("/proc/self/ns/net"), view.Containers.Single(c => c.Name == "nvnd-dk-host").NetnsInode);
        Assert.NotEqual(pub.NetnsInode, view.Containers.Single(c => c.Name == "nvnd-dk-none").NetnsInode);

        var multi = view.Containers.Single(c => c.Name == "nvnd-dk-multi");
        Assert.Equal([DockerEngineFixture.Internal, DockerEngineFixture.Net], multi.Endpoints.Select(e => e.NetworkName).ToArray());
    }

    [Fact]
    public async Task Networks_match_docker_network_inspect_and_their_bridges_exist()
    {
        using var source = new DockerEngineSource();

        // The engine is shared: compare until a collection and `docker network ls` read after it agree.
        var view = await Eventually.PassesAsync("NetViz's networks equal docker network ls", async () =>
        {
            var collected = await source.CollectAsync(CancellationToken.None);
            Assert.True(collected.Ok, collected.Error);
            Assert.Equal(
                DockerCli.Docker("network", "ls", "--format", "{{.Name}}").Split('\n').Order(StringComparer.Ordinal),
                collected.Networks.Select(n => n.Name));
            return collected;
        });

        foreach (var name in new[] { DockerEngineFixture.Net, DockerEngineFixture.Internal, "bridge" })
        {
            var truth = DockerCli.InspectNetwork(name);
            var n = Assert.Single(view.Networks, x => x.Name == name);
            Assert.Equal(truth.GetProperty("Id").GetString(), n.Id);
            Assert.Equal(truth.GetProperty("Driver").GetString(), n.Driver);
            Assert.Equal(truth.GetProperty("Internal").GetBoolean(), n.Internal);
            Assert.Equal(truth.GetProperty("EnableIPv6").GetBoolean(), n.EnableIPv6);
            Assert.Equal(
                truth.GetProperty("IPAM").GetProperty("Config").EnumerateArray().Select(c => c.GetProperty("Subnet").GetString()),
                n.Subnets);
            // The Linux bridge the network is implemented by is really there.
            var link = JsonDocument.Parse(DockerCli.Must("ip", "-j", "-d", "link", "show", n.BridgeName!)).RootElement[0];
            Assert.Equal("bridge", link.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        }
        Assert.Equal(DockerEngineFixture.BridgeName, view.Networks.Single(n => n.Name == DockerEngineFixture.Net).BridgeName);
        var internalNetwork = view.Networks.Single(n => n.Name == DockerEngineFixture.Internal);
        Assert.True(internalNetwork.Internal);
        Assert.Equal("br-" + internalNetwork.Id[..12], internalNetwork.BridgeName);
        Assert.Equal("docker0", view.Networks.Single(n => n.Name == "bridge").BridgeName);
    }

    [Fact]
    public async Task InspectContainers_returns_the_asked_ones_and_skips_vanished_ids()
    {
        using var source = new DockerEngineSource();
        var pubId = DockerCli.Docker("inspect", "nvnd-dk-pub", "--format", "{{.Id}}");
        var multiId = DockerCli.Docker("inspect", "nvnd-dk-multi", "--format", "{{.Id}}");

        var inspected = await source.InspectContainersAsync([pubId, "0000000000000000deadbeef", multiId], CancellationToken.None);

        Assert.Equal(["nvnd-dk-pub", "nvnd-dk-multi"], inspected.Select(c => c.Name));
        Assert.Equal(DockerCli.Docker("inspect", "nvnd-dk-pub", "--format", "{{.NetworkSettings.Networks.bridge.IPAddress}}"), inspected[0].Endpoints.Single().IPAddress);
    }

    [Fact]
    public async Task An_unreachable_endpoint_gives_a_reason_not_an_exception()
    {
        using var source = new DockerEngineSource("unix:///nonexistent.sock");

        var view = await source.CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.Equal("unix:///nonexistent.sock", view.Endpoint);
        Assert.Equal("Cannot connect to the Docker engine at unix:///nonexistent.sock: No such file or directory. Is dockerd running?", view.Error);
        Assert.Empty(view.Containers);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_gives_a_reason()
    {
        // A unix socket file that exists but has no listener: connection refused.
        var path = Path.Combine(Path.GetTempPath(), $"nvnd-dead-{Environment.ProcessId}.sock");
        File.Delete(path);
        // Bound but never listening; kept open because .NET unlinks a bound unix socket's file on dispose.
        using var bound = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        bound.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        try
        {
            using var source = new DockerEngineSource("unix://" + path);

            var view = await source.CollectAsync(CancellationToken.None);

            Assert.False(view.Ok);
            Assert.StartsWith($"Cannot connect to the Docker engine at unix://{path}: ", view.Error);
            Assert.True(view.Error!.Contains("refused", StringComparison.OrdinalIgnoreCase), view.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_engine_that_never_answers_times_out_with_a_reason()
    {
        // Listening but never accepting: the kernel completes the connect from the backlog, no reply ever comes.
        var path = Path.Combine(Path.GetTempPath(), $"nvnd-mute-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listening = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listening.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listening.Listen(4);
        using var source = new DockerEngineSource("unix://" + path, TimeSpan.FromMilliseconds(300));

        var view = await source.CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.Equal($"Cannot connect to the Docker engine at unix://{path}: no answer within 0.3 s. Is dockerd running and responsive?", view.Error);
    }

    [Fact]
    public async Task Watch_yields_the_start_event_of_a_new_container()
    {
        using var source = new DockerEngineSource();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var started = new List<string>();
        var events = source.WatchAsync(giveUp.Token).GetAsyncEnumerator(giveUp.Token);
        try
        {
            var next = events.MoveNextAsync().AsTask();
            // The subscription is set up asynchronously: start containers until one's start event comes through.
            for (var i = 0; ; i++)
            {
                started.Add(DockerCli.Docker("run", "-d", "--label", DockerCli.Label, "--name", $"nvnd-dk-watch-{i}", DockerCli.Image, "sleep", "3600"));
                var finished = await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(1), giveUp.Token));
                while (finished == next)
                {
                    Assert.True(await next, "event stream ended");
                    var e = events.Current;
                    if (e is { Type: "container", Action: "start" } && started.Contains(e.ActorId))
                    {
                        Assert.Equal($"nvnd-dk-watch-{started.IndexOf(e.ActorId)}", e.Attributes["name"]);
                        Assert.Equal(DockerCli.Image, e.Attributes["image"]);
                        return;
                    }
                    next = events.MoveNextAsync().AsTask();
                    finished = await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(200), giveUp.Token));
                }
                giveUp.Token.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            await events.DisposeAsync();
            foreach (var id in started) DockerCli.Run("docker", "rm", "-f", id);
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
