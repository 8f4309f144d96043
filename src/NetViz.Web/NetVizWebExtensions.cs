using MudBlazor.Services;

namespace NetViz.Web;

public static class NetVizWebExtensions
{
    /// <summary>Registers the dashboard's UI services (MudBlazor, view state).</summary>
    public static IServiceCollection AddNetVizWeb(this IServiceCollection services)
    {
        services.AddMudServices();
        return services;
    }
}
