using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using NetViz.Core.Live;
using NetViz.Web.Components.Pages;
using NetViz.Web.Live;
using NetViz.Web.Localization;
using NetViz.Web.Settings;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>bUnit context with MudBlazor, the view state and a fake feed seeded with the sample topology.</summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    // MudBlazor's services are only IAsyncDisposable: xunit must dispose the context asynchronously.
    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    protected DashboardTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<DashboardSettingsStore>();
        Services.AddScoped<DashboardViewState>();
        Services.AddSingleton<ITopologyFeed>(Feed);
        Services.AddNetVizLocalization();
        Services.AddSingleton(History);
        Services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(Configuration);
        Services.AddSingleton<NetViz.Web.Lessons.LessonCatalog>();
        // MudBlazor's debounce reads TimeProvider too: only tests that drive the clock replace it.
        if (ClockOverride is { } clock) Services.AddSingleton(clock);
        SetRendererInfo(new RendererInfo("Server", true));
    }

    protected FakeTopologyFeed Feed { get; } = new(SampleTopology.Create());

    /// <summary>Settings a test may change before rendering (NetViz:LessonsPath, ...).</summary>
    protected Microsoft.Extensions.Configuration.ConfigurationManager Configuration { get; } = new();

    /// <summary>The timeline the panels read (empty unless a test records into it).</summary>
    protected NetViz.Core.Timeline.TopologyHistory History { get; } = new(100, 1 << 20, TimeSpan.FromSeconds(3), TimeProvider.System);
    /// <summary>A clock to register as the components' TimeProvider (read in the constructor: set it in a field initializer), or null.</summary>
    protected virtual TimeProvider? ClockOverride => null;

    /// <summary>The Topology page (with the popover provider its selects need), once it reports the graph drawn.</summary>
    protected IRenderedComponent<Topology> RenderReadyTopology()
    {
        var host = Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<Topology>(1);
            builder.CloseComponent();
        });
        var page = host.FindComponent<Topology>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid='graph']").GetAttribute("data-graph-ready")));
        return page;
    }
}
