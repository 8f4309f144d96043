using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetViz.Core;
using NetViz.Core.Collection;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.IntegrationTests.Docker;
using NetViz.IntegrationTests.Engine;

namespace NetViz.IntegrationTests.Live;

/// <summary>
/// NetViz's live monitor, wired as the app wires it (<see cref="NetVizCoreExtensions.AddNetVizCore"/>), pointed by
/// <c>NetViz:DockerHost</c> at a <see cref="PrivateDockerEngine"/> the tests may stop and restart. The safety-net
/// resync is pushed out to an hour, so what a test sees came through events or the NAT poll.
/// Also starts a witness container on the host's engine, which the tests check is untouched by anything they do.
/// Everything is named nvpe* and labelled netviz.test=nvpe.
/// </summary>
public sealed class PrivateEngineMonitorFixture : IAsyncLifetime
{
    public const string Label = "netviz.test=nvpe";
    public const string HostWitness = "nvpe-host-witness";

    private ServiceProvider? _services;
    private PrivateDockerEngine? _engine;

    public PrivateDockerEngine Engine => _engine ?? throw new InvalidOperationException("not initialized");
    public ITopologyFeed Feed => _services?.GetRequiredService<ITopologyFeed>() ?? throw new InvalidOperationException("not initialized");
    public TopologyCollector Collector => _services?.GetRequiredService<TopologyCollector>() ?? throw new InvalidOperationException("not initialized");

    /// <summary>The host witness's container id and start time, as docker said before any test ran.</summary>
    public (string Id, string StartedAt) Witness { get; private set; }

    /// <summary>The host engine's docker0 before the private engine started (<see cref="HostDocker0"/>).</summary>
    public string Docker0 { get; private set; } = "";

    public async Task InitializeAsync()
    {
        DockerCli.RequireEngine();
        CleanUp();
        try
        {
            DockerCli.Docker("run", "-d", "--name", HostWitness, "--label", Label, "--network", "none", DockerCli.Image, "sleep", "3600");
            var witness = HostContainerState(HostWitness) ?? throw new InvalidOperationException($"{HostWitness} did not start");
            Witness = (witness.Id, witness.StartedAt);
            Docker0 = HostDocker0();
            _engine = PrivateDockerEngine.Start("monitor");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{NetVizOptions.Section}:{nameof(NetVizOptions.DockerHost)}"] = _engine.Endpoint,
                [$"{NetVizOptions.Section}:{nameof(NetVizOptions.ResyncInterval)}"] = "01:00:00",
                [$"{NetVizOptions.Section}:{nameof(NetVizOptions.NatPollInterval)}"] = "00:00:01",
            }).Build();
            _services = new ServiceCollection().AddLogging().AddNetVizCore(configuration).BuildServiceProvider();
            foreach (var service in _services.GetServices<IHostedService>()) await service.StartAsync(CancellationToken.None);
            await WaitForAsync(s => s.Sources.Docker.Ok, "the first snapshot with the private engine answering");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            foreach (var service in _services.GetServices<IHostedService>()) await service.StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
        }
        _engine?.Dispose();
        CleanUp();
    }

    /// <summary>This suite's host-engine containers and host links, leftovers of an interrupted run included.</summary>
    private static void CleanUp()
    {
        DockerCli.RemoveLabelled(Label);
        DockerCli.Run("ip", "link", "del", "nvpe0");
    }

    /// <summary>docker inspect on the host's engine: (id, running, started at), or null when there is no such container.</summary>
    public static (string Id, bool Running, string StartedAt)? HostContainerState(string name)
    {
        var (code, stdout, _) = DockerCli.Run("docker", "inspect", "-f", "{{.Id}} {{.State.Running}} {{.State.StartedAt}}", name);
        return code == 0 && stdout.Trim().Split(' ') is [var id, var running, var startedAt] ? (id, running == "true", startedAt) : null;
    }

    /// <summary>
    /// The host's docker0 as `ip` sees it: ifindex and IPv4 addresses, "missing" when there is none. A dockerd with
    /// --bridge none deletes the docker0 of the namespace it runs in; the private engine must never reach the host's.
    /// </summary>
    public static string HostDocker0()
    {
        var (code, stdout, _) = DockerCli.Run("ip", "-j", "-4", "addr", "show", "dev", "docker0");
        if (code != 0) return "missing";
        var link = System.Text.Json.JsonDocument.Parse(stdout).RootElement[0];
        return $"ifindex {link.GetProperty("ifindex").GetInt32()} " + string.Join(' ', link.GetProperty("addr_info").EnumerateArray()
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}"));
    }

    /// <summary>Waits until the monitor's current snapshot satisfies the condition; fails with what it last saw.</summary>
    public Task<TopologySnapshot> WaitForAsync(Func<TopologySnapshot, bool> condition, string what) => LiveMonitorFixture.WaitForAsync(Feed, condition, what);
}

/// <summary>These tests stop and restart the private engine: nothing else runs beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrivateEngineCollection : ICollectionFixture<PrivateEngineMonitorFixture>
{
    public const string Name = "nvpe private engine";
}
