using NetViz.Core.Sources.Namespaces;
using System.Collections.Immutable;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Docker;

/// <summary>
/// The Docker engine through its API (Docker.DotNet): version, container list + inspect, network list,
/// and the event stream. Read-only: only list, inspect, version and events calls are made.
/// </summary>
public sealed class DockerEngineSource : IDockerSource, IDisposable
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";
    /// <summary>Containers inspected per collection (the list is sorted by the engine, newest first); networks kept.</summary>
    public const int MaxContainers = 2048, MaxNetworks = 1024;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    // Actions that change what a container or network looks like on the wire; exec_*, health_status, top,
    // attach and the like do not, and a health check every few seconds would otherwise trigger re-inspects.
    private static readonly string[] WatchedActions =
    [
        "create", "start", "restart", "stop", "kill", "die", "destroy", "rename", "pause", "unpause", "update", "oom",
        "connect", "disconnect", "remove",
    ];

    // GET /version is the dearest call of a collection on Docker 20.10: for every call the daemon asks containerd
    // and runs `runc --version` and `docker-init --version` (moby daemon/info_unix.go, fillPlatformVersion),
    // 40-70 ms on 2 cores, more than inspecting 100 containers. The answer only changes when the engine restarts,
    // which fails a call or breaks the event stream: both move to a new engine generation, which forgets it.
    // MaxVersionAge bounds staleness for a caller that never watches events.
    private static readonly TimeSpan MaxVersionAge = TimeSpan.FromSeconds(60);

    private sealed record CachedVersion(long Generation, long ReadAtMs, VersionResponse Version);

    private readonly DockerClient _client;
    private readonly TimeSpan _timeout;
    private readonly int _maxConcurrentInspects;
    private long _engineGeneration;
    private CachedVersion? _version;

    /// <param name="endpoint">
    /// The engine's address (unix:///path, tcp://host:port). Null: DOCKER_HOST if set, as the docker CLI does,
    /// else unix:///var/run/docker.sock.
    /// </param>
    /// <param name="timeout">Per request (version, list, each inspect); default 2 s. The event stream has none.</param>
    /// <param name="maxConcurrentInspects">Inspects in flight at once during a collection; default 8.</param>
    public DockerEngineSource(string? endpoint = null, TimeSpan? timeout = null, int maxConcurrentInspects = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentInspects, 1);
        Endpoint = ResolveEndpoint(endpoint);
        _timeout = timeout ?? DefaultTimeout;
        _maxConcurrentInspects = maxConcurrentInspects;
        _client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
    }

    public string Endpoint { get; }

    /// <summary>The configured endpoint, else DOCKER_HOST, else unix:///var/run/docker.sock.</summary>
    public static string ResolveEndpoint(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured.Trim();
        var fromEnvironment = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultEndpoint : fromEnvironment.Trim();
    }

    public async Task<DockerView> CollectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await GetVersionAsync(cancellationToken).ConfigureAwait(false);
            var listed = await WithTimeout(
                ct => _client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, ct),
                cancellationToken).ConfigureAwait(false);
            var networks = await WithTimeout(
                ct => _client.Networks.ListNetworksAsync(new NetworksListParameters(), ct),
                cancellationToken).ConfigureAwait(false);
            var containers = await InspectAsync(listed.Take(MaxContainers).Select(c => c.ID).ToList(), cancellationToken).ConfigureAwait(false);
            var warnings = ImmutableArray.CreateBuilder<string>();
            if (listed.Count > MaxContainers) warnings.Add($"Docker: {listed.Count - MaxContainers} containers beyond the newest {MaxContainers} not shown");
            if (networks.Count > MaxNetworks) warnings.Add($"Docker: {networks.Count - MaxNetworks} networks beyond the first {MaxNetworks} not shown");

            return new DockerView
            {
                Warnings = warnings.ToImmutable(),
                Ok = true,
                Endpoint = Endpoint,
                Version = version.Version,
                ApiVersion = version.APIVersion,
                Containers = [.. containers.OrderBy(c => c.Name, StringComparer.Ordinal)],
                Networks = [.. (await WithSwarmEndpointsAsync(networks.Take(MaxNetworks).ToList(), cancellationToken).ConfigureAwait(false))
                    .Select(DockerModelMapper.ToNetworkInfo).OrderBy(n => n.Name, StringComparer.Ordinal)],
                // Only a local engine's proxies run in this process table; a remote engine's are on its own host.
                Proxies = Endpoint.StartsWith("unix://", StringComparison.Ordinal) ? Processes.DockerProxyScanner.Scan() : [],
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ForgetVersion();
            return new DockerView { Ok = false, Endpoint = Endpoint, Error = Describe(e) };
        }
    }

    /// <summary>The engine's version, read once per engine generation (see <see cref="MaxVersionAge"/>).</summary>
    /// <summary>Swarm networks whose members are inspected, at most: one API call each per full read.</summary>
    public const int MaxInspectedNetworks = 32;

    /// <summary>
    /// The network list carries no members. Swarm's networks have members no container's inspect names: docker_gwbridge's
    /// and ingress's sandboxes (<c>gateway_&lt;id&gt;</c>, <c>ingress-sbox</c>, <c>lb-&lt;net&gt;</c>) and containers attached
    /// only through it. Those networks (overlay, docker_gwbridge) are inspected for their endpoints; the rest are not.
    /// </summary>
    private async Task<List<NetworkResponse>> WithSwarmEndpointsAsync(List<NetworkResponse> networks, CancellationToken cancellationToken)
    {
        var inspected = 0;
        for (var i = 0; i < networks.Count && inspected < MaxInspectedNetworks; i++)
        {
            if (networks[i].Driver != "overlay" && networks[i].Name != "docker_gwbridge") continue;
            inspected++;
            var id = networks[i].ID;
            try
            {
                networks[i] = await WithTimeout(ct => _client.Networks.InspectNetworkAsync(id, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException)
            {
                // Removed between the list and the inspect: keep the listed one.
            }
        }
        return networks;
    }

    private async Task<VersionResponse> GetVersionAsync(CancellationToken cancellationToken)
    {
        var generation = Interlocked.Read(ref _engineGeneration);
        if (Volatile.Read(ref _version) is { } cached && cached.Generation == generation
            && Environment.TickCount64 - cached.ReadAtMs < MaxVersionAge.TotalMilliseconds)
            return cached.Version;
        var version = await WithTimeout(ct => _client.System.GetVersionAsync(ct), cancellationToken).ConfigureAwait(false);
        // Stamped with the generation it was asked in: if the engine restarted meanwhile, the entry never matches.
        Volatile.Write(ref _version, new CachedVersion(generation, Environment.TickCount64, version));
        return version;
    }

    private void ForgetVersion()
    {
        Interlocked.Increment(ref _engineGeneration);
        Volatile.Write(ref _version, null);
    }

    public async Task<IReadOnlyList<ContainerInfo>> InspectContainersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return await InspectAsync(ids, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var results = new ContainerInfo?[ids.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrentInspects, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ids.Select((id, index) => (id, index)), options, async (item, ct) =>
        {
            try
            {
                var inspected = await WithTimeout(c => _client.Containers.InspectContainerAsync(item.id, c), ct).ConfigureAwait(false);
                results[item.index] = DockerModelMapper.ToContainerInfo(inspected, Nsfs.InodeOf);
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed between list and inspect: it is simply not there any more.
            }
        }).ConfigureAwait(false);
        return [.. results.OfType<ContainerInfo>()];
    }

    public async IAsyncEnumerable<DockerEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ContainerEventsParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true, ["network"] = true },
                ["event"] = WatchedActions.ToDictionary(a => a, _ => true),
            },
        };
        var channel = Channel.CreateUnbounded<DockerEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // A (re)connected stream may be talking to a restarted, possibly upgraded, engine.
        ForgetVersion();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Progress<T> would post each message to the thread pool and could reorder them; write synchronously.
        var progress = new ChannelProgress(channel.Writer);
        var monitor = _client.System.MonitorEventsAsync(parameters, progress, stop.Token)
            .ContinueWith(
                t => channel.Writer.TryComplete(t.IsFaulted ? new DockerEventStreamException(Endpoint, t.Exception!.GetBaseException()) : null),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var dockerEvent in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return dockerEvent;
        }
        finally
        {
            // Before the caller hears that the stream ended (and re-reads Docker): the engine may be restarting.
            ForgetVersion();
            await stop.CancelAsync().ConfigureAwait(false);
            await monitor.ConfigureAwait(false);
        }
    }

    private sealed class ChannelProgress(ChannelWriter<DockerEvent> writer) : IProgress<Message>
    {
        public void Report(Message value) => writer.TryWrite(DockerModelMapper.ToDockerEvent(value));
    }

    private async Task<T> WithTimeout<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {_timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>A human reason naming the endpoint, in the docker CLI's words where it has them.</summary>
    private string Describe(Exception e)
    {
        var prefix = $"Cannot connect to the Docker engine at {Endpoint}";
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                    return $"{prefix}: Permission denied. Run NetViz as root or as a member of the docker group.";
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.ConnectionRefused }
                    when Endpoint.StartsWith("unix://", StringComparison.Ordinal) && !Path.Exists(Endpoint["unix://".Length..]):
                    return $"{prefix}: No such file or directory. Is dockerd running?";
                case SocketException s:
                    return $"{prefix}: {s.Message}. Is dockerd running?";
                case TimeoutException t:
                    return $"{prefix}: {t.Message}. Is dockerd running and responsive?";
                case DockerApiException api:
                    return $"The Docker engine at {Endpoint} answered {(int)api.StatusCode} {api.StatusCode}: {api.ResponseBody?.Trim()}";
            }
        }
        return $"{prefix}: {e.GetBaseException().Message}";
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>The Docker event stream failed (engine stopped, socket closed); the caller reconnects.</summary>
public sealed class DockerEventStreamException(string endpoint, Exception inner)
    : Exception($"The Docker event stream from {endpoint} failed: {inner.Message}", inner);
