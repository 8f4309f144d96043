using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Collection;

/// <summary>Reads every source once, concurrently, and hands the readings to the pure <see cref="TopologyBuilder"/>.</summary>
public sealed class TopologyCollector(IHostNetworkSource host, IDockerSource docker, INatSource nat, TimeProvider time)
{
    public IHostNetworkSource Host { get; } = host;
    public IDockerSource Docker { get; } = docker;
    public INatSource Nat { get; } = nat;
    public string Hostname { get; } = ReadHostname();

    public async Task<SourceReadings> ReadAllAsync(CancellationToken cancellationToken)
    {
        var dockerTask = Docker.CollectAsync(cancellationToken);
        var natTask = Nat.CollectAsync(cancellationToken);
        var hostTask = Host.CollectAsync(cancellationToken);
        await Task.WhenAll(dockerTask, natTask, hostTask).ConfigureAwait(false);
        return new SourceReadings
        {
            Hostname = Hostname,
            CollectedAt = time.GetUtcNow(),
            Host = await hostTask.ConfigureAwait(false),
            Docker = await dockerTask.ConfigureAwait(false),
            Nat = await natTask.ConfigureAwait(false),
        };
    }

    public async Task<TopologySnapshot> CollectAsync(CancellationToken cancellationToken) =>
        TopologyBuilder.Build(await ReadAllAsync(cancellationToken).ConfigureAwait(false));

    private static string ReadHostname()
    {
        try { return File.ReadAllText("/proc/sys/kernel/hostname").Trim(); }
        catch (IOException) { return Environment.MachineName; }
        catch (UnauthorizedAccessException) { return Environment.MachineName; }
    }
}
