using System.Net;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace NetViz.Core.Hub;

/// <summary>Settings under "NetViz:Kubernetes": how a hub inside a cluster finds its agents (deploy/kubernetes/).</summary>
public sealed class KubernetesDiscoveryOptions
{
    public const string Section = "NetViz:Kubernetes";

    /// <summary>Label selector of the agent DaemonSet's pods, e.g. <c>app.kubernetes.io/name=netviz,app.kubernetes.io/component=agent</c>.</summary>
    public string? AgentSelector { get; set; }
    /// <summary>The port the agents listen on (their <c>--urls</c>).</summary>
    public int AgentPort { get; set; } = 5001;
    /// <summary>The agents' token (one Secret for the DaemonSet).</summary>
    public string? AgentToken { get; set; }
    /// <summary>Where the pods are; null: the hub's own namespace (the service account's namespace file).</summary>
    public string? Namespace { get; set; }
    /// <summary>How often the pod list is read again (agents come and go with nodes).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Where the hub's agents come from: the configured list, or the Kubernetes API.</summary>
public interface IAgentDirectory
{
    /// <summary>How often to ask again; null: the list never changes.</summary>
    TimeSpan? RefreshInterval { get; }
    Task<IReadOnlyList<AgentEndpoint>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>The agents of <c>NetViz:Agents</c>: fixed for the life of the process.</summary>
public sealed class ConfiguredAgents(IReadOnlyList<AgentEndpoint> agents) : IAgentDirectory
{
    public TimeSpan? RefreshInterval => null;
    public Task<IReadOnlyList<AgentEndpoint>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(agents);
}

/// <summary>
/// The agents inside Kubernetes: the running pods of the agent DaemonSet, listed with the official client and the
/// in-cluster configuration (the pod's service account; rbac.yaml lets it list pods in its namespace only). Each
/// host is named after its node, and reached at the pod's IP (the node's, with hostNetwork).
/// </summary>
public sealed partial class KubernetesAgentDiscovery(KubernetesDiscoveryOptions options, IKubernetes client, string @namespace) : IAgentDirectory
{
    private const string NamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    public TimeSpan? RefreshInterval => options.RefreshInterval;

    /// <summary>In-cluster: the service account's token, CA and namespace mounted in the pod.</summary>
    public static KubernetesAgentDiscovery InCluster(KubernetesDiscoveryOptions options)
    {
        var config = KubernetesClientConfiguration.InClusterConfig();
        var ns = options.Namespace ?? (File.Exists(NamespaceFile) ? File.ReadAllText(NamespaceFile).Trim() : config.Namespace) ?? "default";
        return new KubernetesAgentDiscovery(options, new Kubernetes(config), ns);
    }

    public async Task<IReadOnlyList<AgentEndpoint>> ListAsync(CancellationToken cancellationToken)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: options.AgentSelector, limit: 5000,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return Agents(pods, options);
    }

    [GeneratedRegex("[^a-z0-9.-]")]
    private static partial Regex NotInLabel();

    /// <summary>
    /// The agents among <paramref name="pods"/>: running, with an IP, not being deleted; named after their node (a DNS
    /// label, as <see cref="HubOptionsValidator"/> wants), sorted by name; one per node (a rolling update briefly has two:
    /// the newer wins).
    /// </summary>
    public static IReadOnlyList<AgentEndpoint> Agents(V1PodList pods, KubernetesDiscoveryOptions options) =>
        [.. pods.Items
            .Where(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null && !string.IsNullOrEmpty(p.Status.PodIP))
            .Select(p => (Pod: p, Name: HostName(p.Spec?.NodeName ?? p.Metadata.Name)))
            .Where(p => p.Name.Length > 0)
            .GroupBy(p => p.Name)
            .Select(g => g.OrderByDescending(p => p.Pod.Metadata.CreationTimestamp ?? DateTime.MinValue).First())
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new AgentEndpoint { Name = p.Name, Url = Url(p.Pod.Status.PodIP, options.AgentPort), Token = options.AgentToken })];

    private static string HostName(string node)
    {
        var name = NotInLabel().Replace(node.ToLowerInvariant(), "-").Trim('-', '.');
        return name.Length > 63 ? name[..63].TrimEnd('-', '.') : name;
    }

    private static string Url(string ip, int port) =>
        IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"http://[{address}]:{port}/" : $"http://{ip}:{port}/";
}
