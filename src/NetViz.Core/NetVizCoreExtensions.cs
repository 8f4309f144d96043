using NetViz.Core.Sources.Namespaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetViz.Core.Collection;
using NetViz.Core.Live;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.Core.Sources.Processes;

namespace NetViz.Core;

public static class NetVizCoreExtensions
{
    /// <summary>
    /// Registers the sources (netlink, Docker, iptables), the collector, the live monitor (a hosted service) and the
    /// broadcaster it publishes to, as the <see cref="ITopologyFeed"/> every subscriber reads. The options are checked
    /// when the host starts.
    /// </summary>
    public static IServiceCollection AddNetVizCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetVizOptions>().Bind(configuration.GetSection(NetVizOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NetVizOptions>, NetVizOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IHostNetworkSource, NetlinkHostNetworkSource>(_ => new NetlinkHostNetworkSource());
        services.AddSingleton<INetlinkChangeSource, NetlinkChangeSource>();
        services.AddSingleton<INamespaceChangeSource>(_ => new NamespaceDirectoryWatcher());
        services.AddSingleton<IDockerSource>(sp => new DockerEngineSource(sp.GetRequiredService<IOptions<NetVizOptions>>().Value.DockerHost));
        services.AddSingleton<INatSource>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NetVizOptions>>().Value;
            return new IptablesNatSource(options.IptablesSavePath, limits: IptablesSaveLimits.Default with
            {
                MaxBytes = Math.Max(64 * 1024, options.NatMaxBytes),
                MaxRules = Math.Max(1, options.NatMaxRules),
            });
        });
        // Rules inside container namespaces, read by the host's iptables-save and ip6tables-save entered into each (nsenter);
        // on iptables-nft read again only when the namespace's nftables generation moved, and not at all while it holds no
        // nftables table (no process to find either out).
        services.AddSingleton<NftablesGeneration>();
        services.AddSingleton<INamespaceRuleSource>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NetVizOptions>>().Value;
            var rules = new IptablesNatSource(options.IptablesSavePath);
            var generations = sp.GetRequiredService<NftablesGeneration>();
            return new NamespaceRuleReader(rules.ReadNamespaceAsync, sp.GetRequiredService<TimeProvider>(),
                OnNftables(generations.ReadAsync), OnNftables(generations.HasTablesAsync));

            // Only iptables-nft's rules live in nftables: on the legacy backend neither question means anything (null).
            Func<string, CancellationToken, Task<T?>> OnNftables<T>(Func<string, CancellationToken, Task<T?>> ask) where T : struct =>
                async (path, ct) => await rules.UsesNftablesAsync(ct).ConfigureAwait(false) ? await ask(path, ct).ConfigureAwait(false) : null;
        });
        services.AddSingleton<TopologyCollector>();
        // Link counters are sampled only while a dashboard watches (TrafficMonitor), from the host namespace.
        services.AddSingleton<Traffic.ITrafficCounterSource>(_ => new Traffic.NetlinkTrafficCounterSource());
        services.AddSingleton(sp => new Traffic.TrafficMonitor(sp.GetRequiredService<Traffic.ITrafficCounterSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Paths.IPathSysctlsSource>(sp => new Paths.ProcSysctlsSource(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<INamespaceNetlinkSource>(sp => new NamespaceNetlinkListeners(
            sp.GetRequiredService<IOptions<NetVizOptions>>().Value.MaxNamespaceListeners, sp.GetRequiredService<ILogger<NamespaceNetlinkListeners>>()));
        services.AddSingleton<INamespaceLifecycleSource>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NetVizOptions>>().Value;
            return new NamespaceLifecycleWatch(o.NamespaceSweepMinInterval, o.NamespaceSweepFallbackInterval,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NamespaceLifecycleWatch>>());
        });
        services.AddSingleton(sp =>
        {
            // The host's nftables notifications announce what iptables' own iptables-save prints, not what a stand-in
            // program does: that one is polled (NatPollInterval).
            var o = sp.GetRequiredService<IOptions<NetVizOptions>>().Value;
            var announced = o.WatchNftables && IptablesNatSource.IsIptablesOwn(o.IptablesSavePath);
            return new LiveChangeSources(sp.GetRequiredService<INamespaceNetlinkSource>(), sp.GetRequiredService<INamespaceLifecycleSource>(),
                announced ? new NftablesChangeSource(time: sp.GetRequiredService<TimeProvider>()) : null);
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NetVizOptions>>().Value;
            return new Timeline.TopologyHistory(o.HistoryMaxEntries, o.HistoryMaxBytes, o.EpisodeGap, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new TopologyBroadcaster(sp.GetRequiredService<IOptions<NetVizOptions>>().Value.SubscriberBufferSize,
            sp.GetService<Diagnostics.NetVizMetrics>(), // [ops hook]
            sp.GetRequiredService<Timeline.TopologyHistory>()));
        services.AddSingleton<ITopologyFeed>(sp => sp.GetRequiredService<TopologyBroadcaster>());
        if (Hub.HubOptions.IsHub(configuration))
        {
            // A hub shows its agents, not the machine it runs on: the broadcaster is fed by the agents' merge.
            services.AddOptions<Hub.HubOptions>().Bind(configuration.GetSection(NetVizOptions.Section)).ValidateOnStart();
            services.AddSingleton<IValidateOptions<Hub.HubOptions>, Hub.HubOptionsValidator>();
            services.AddOptions<Hub.KubernetesDiscoveryOptions>().Bind(configuration.GetSection(Hub.KubernetesDiscoveryOptions.Section));
            services.AddSingleton<Hub.IAgentDirectory>(sp =>
            {
                var kubernetes = sp.GetRequiredService<IOptions<Hub.KubernetesDiscoveryOptions>>().Value;
                return string.IsNullOrWhiteSpace(kubernetes.AgentSelector)
                    ? new Hub.ConfiguredAgents(sp.GetRequiredService<IOptions<Hub.HubOptions>>().Value.Agents)
                    : Hub.KubernetesAgentDiscovery.InCluster(kubernetes);
            });
            services.AddHostedService(sp => new Hub.HubAggregator(sp.GetRequiredService<TopologyBroadcaster>(),
                sp.GetRequiredService<Hub.IAgentDirectory>(), sp.GetRequiredService<IOptions<Hub.HubOptions>>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TopologyCollector>().Hostname));
            return services;
        }
        services.AddSingleton(sp => new TopologyMonitor(
            sp.GetRequiredService<TopologyCollector>(), sp.GetRequiredService<TopologyBroadcaster>(), sp.GetRequiredService<IDockerSource>(),
            sp.GetRequiredService<INetlinkChangeSource>(), sp.GetRequiredService<IOptions<NetVizOptions>>(),
            sp.GetRequiredService<ILogger<TopologyMonitor>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<INamespaceChangeSource>(),
            sp.GetService<Diagnostics.NetVizMetrics>(), // [ops hook] registered by AddNetVizMetrics
            sp.GetRequiredService<LiveChangeSources>()));
        services.AddHostedService(sp => sp.GetRequiredService<TopologyMonitor>());
        return services;
    }
}
