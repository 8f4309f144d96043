using MudBlazor.Services;
using NetViz.Web.Live;
using NetViz.Web.Localization;
using NetViz.Web.Settings;

namespace NetViz.Web;

public static class NetVizWebExtensions
{
    /// <summary>Registers the dashboard's UI services (MudBlazor, per-circuit view state and its browser storage).</summary>
    public static IServiceCollection AddNetVizWeb(this IServiceCollection services)
    {
        services.AddMudServices();
        services.AddNetVizLocalization();
        services.AddSingleton<Lessons.LessonCatalog>();
        services.AddScoped<DashboardSettingsStore>();
        services.AddScoped<DashboardViewState>();
        return services;
    }
}
