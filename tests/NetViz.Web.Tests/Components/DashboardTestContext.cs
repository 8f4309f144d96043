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
    // bUnit waits one second by default; on this 2-core machine a debounced field or a pump's batch interval can take
    // longer while a build or another suite runs. Patience only: every wait still needs its assertion to come true.
    static DashboardTestContext() => DefaultWaitTimeout = TimeSpan.FromSeconds(10);

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
        Services.AddSingleton(new NetViz.Core.Traffic.TrafficMonitor(TrafficOverride ?? Traffic, TimeProvider.System, TimeSpan.FromMilliseconds(20)));
        Services.AddSingleton<NetViz.Core.Paths.IPathSysctlsSource>(new FixedPathSysctls(NetViz.Core.Paths.PathSysctls.DockerDefaults));
        SetRendererInfo(new RendererInfo("Server", true));
    }

    protected FakeTopologyFeed Feed { get; } = new(SampleTopology.Create());

    /// <summary>Settings a test may change before rendering (NetViz:LessonsPath, ...).</summary>
    protected Microsoft.Extensions.Configuration.ConfigurationManager Configuration { get; } = new();

    /// <summary>The timeline the panels read (empty unless a test records into it).</summary>
    protected NetViz.Core.Timeline.TopologyHistory History { get; } = new(100, 1 << 20, TimeSpan.FromSeconds(3), TimeProvider.System);
    /// <summary>A clock to register as the components' TimeProvider (read in the constructor: set it in a field initializer), or null.</summary>
    protected virtual TimeProvider? ClockOverride => null;
    /// <summary>Link counters to sample instead of <see cref="Traffic"/> (read in the constructor: set it in a field initializer), or null.</summary>
    protected virtual NetViz.Core.Traffic.ITrafficCounterSource? TrafficOverride => null;
    /// <summary>Link counters that grow by a fixed amount per read, for the busiest-cables list.</summary>
    protected FakeTrafficCounters Traffic { get; } = new();

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

/// <summary>Fixed kernel settings for the path panel (the real ones are read from /proc/sys).</summary>
public sealed class FixedPathSysctls(NetViz.Core.Paths.PathSysctls value) : NetViz.Core.Paths.IPathSysctlsSource
{
    public NetViz.Core.Paths.PathSysctls Read(IEnumerable<string> hostDevices) => value;
}

/// <summary>
/// Counters of the sample topology's web veth that grow by 1 MiB received and 10 KiB sent per read, and of a host
/// interface without a peer that grows by 1 KiB.
/// </summary>
public sealed class FakeTrafficCounters : NetViz.Core.Traffic.ITrafficCounterSource
{
    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The sample topology's first host interface that is not a veth end nor loopback.</summary>
    public static NetViz.Core.Model.InterfaceNode HostNic => SampleTopology.Create().Nodes.OfType<NetViz.Core.Model.InterfaceNode>()
        .First(i => i.InHostNamespace && i.Peer is null && i.Type != "loopback" && i.Type != "bridge");

    public NetViz.Core.Traffic.TrafficSample Read(DateTimeOffset at)
    {
        var n = (ulong)Interlocked.Increment(ref _reads);
        var web = SampleTopology.Create().Nodes.OfType<NetViz.Core.Model.InterfaceNode>().First(i => i.InHostNamespace && i.Peer is not null);
        var nic = HostNic;
        return new NetViz.Core.Traffic.TrafficSample(at, web.NetnsInode,
        [
            new NetViz.Core.Traffic.LinkCounterReading(web.Ifindex, web.Name, new NetViz.Core.Sources.LinkCounters(n * 100, n * 10, n * 1024 * 1024, n * 10240, 0, 0, 0, 0)),
            // Less busy: a host interface without a veth peer (the second row of the busiest cables).
            new NetViz.Core.Traffic.LinkCounterReading(nic.Ifindex, nic.Name, new NetViz.Core.Sources.LinkCounters(n * 10, n, n * 1024, n * 100, 0, 0, 0, 0)),
        ]);
    }
}
