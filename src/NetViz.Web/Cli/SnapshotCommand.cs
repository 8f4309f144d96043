using System.Text.Json;
using NetViz.Core;
using NetViz.Core.Collection;
using NetViz.Core.Model;

namespace NetViz.Web.Cli;

/// <summary><c>./run.sh snapshot</c>: one fresh collection, printed as the same JSON as GET /api/topology.</summary>
public static class SnapshotCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNetVizCore(configuration);
        await using var provider = services.BuildServiceProvider();
        var collector = provider.GetRequiredService<TopologyCollector>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var snapshot = await collector.CollectAsync(cts.Token);
        await using var stdout = Console.OpenStandardOutput();
        await JsonSerializer.SerializeAsync(stdout, snapshot, TopologyJson.Indented, cts.Token);
        await stdout.WriteAsync("\n"u8.ToArray(), cts.Token);
        foreach (var warning in snapshot.Host.Warnings) await Console.Error.WriteLineAsync("warning: " + warning);
        if (!snapshot.Sources.Docker.Ok) await Console.Error.WriteLineAsync("warning: Docker: " + snapshot.Sources.Docker.Error);
        if (!snapshot.Sources.Nat.Ok) await Console.Error.WriteLineAsync("warning: NAT: " + snapshot.Sources.Nat.Error);
        return snapshot.Sources.Netlink.Ok ? 0 : 2;
    }
}
