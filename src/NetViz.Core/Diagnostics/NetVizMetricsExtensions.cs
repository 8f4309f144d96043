using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetViz.Core.Sources;

namespace NetViz.Core.Diagnostics;

public static class NetVizMetricsExtensions
{
    /// <summary>
    /// Registers <see cref="NetVizMetrics"/> (the live monitor picks it up) and wraps the Docker, netlink and NAT
    /// sources registered by <see cref="NetVizCoreExtensions.AddNetVizCore"/> in metered decorators. Call it after
    /// AddNetVizCore. Needs an <see cref="System.Diagnostics.Metrics.IMeterFactory"/> (every .NET host registers one).
    /// </summary>
    public static IServiceCollection AddNetVizMetrics(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(NetVizMetrics))) return services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NetVizMetrics>();
        services.Decorate<IDockerSource>((inner, sp) => new MeteredDockerSource(inner, sp.GetRequiredService<NetVizMetrics>(), sp.GetRequiredService<TimeProvider>()));
        services.Decorate<IHostNetworkSource>((inner, sp) => new MeteredHostNetworkSource(inner, sp.GetRequiredService<NetVizMetrics>(), sp.GetRequiredService<TimeProvider>()));
        services.Decorate<INatSource>((inner, sp) => new MeteredNatSource(inner, sp.GetRequiredService<NetVizMetrics>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Replaces every registration of <typeparamref name="TService"/> by a decorator around what it made.</summary>
    private static void Decorate<TService>(this IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var found = false;
        for (var i = 0; i < services.Count; i++)
        {
            var original = services[i];
            if (original.ServiceType != typeof(TService) || original.IsKeyedService) continue;
            found = true;
            services[i] = ServiceDescriptor.Describe(typeof(TService), sp => decorate((TService)Create(sp, original), sp), original.Lifetime);
        }
        if (!found) throw new InvalidOperationException($"AddNetVizMetrics: no {typeof(TService).Name} is registered; call AddNetVizCore first.");
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
