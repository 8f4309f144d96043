using MudBlazor.Services;
using NetViz.Web.Live;

namespace NetViz.Web;

public static class NetVizWebExtensions
{
    /// <summary>Registers the dashboard's UI services (MudBlazor, per-circuit view state).</summary>
    public static IServiceCollection AddNetVizWeb(this IServiceCollection services)
    {
        services.AddMudServices();
        services.AddScoped<DashboardViewState>();
        return services;
    }
}
