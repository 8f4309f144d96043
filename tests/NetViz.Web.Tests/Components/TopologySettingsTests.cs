using NetViz.Web.Components;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using NetViz.Web.Components.Pages;
using NetViz.Web.Live;
using NetViz.Web.Settings;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// What survives a reload (theme, projector mode, filters, layout, side panel: the browser's localStorage through
/// netviz-settings.js) and what a link carries (?show= and ?focus=), checked on the JS contract.
/// </summary>
public class TopologySettingsTests : DashboardTestContext
{
    private readonly BunitJSModuleInterop _graph;
    private readonly BunitJSModuleInterop _storage;

    public TopologySettingsTests()
    {
        _graph = JSInterop.SetupModule(JsModules.Import, [Topology.ModulePath]);
        _graph.Mode = JSRuntimeMode.Loose;
        _storage = JSInterop.SetupModule(JsModules.Import, [DashboardSettingsStore.ModulePath]);
        _storage.Mode = JSRuntimeMode.Loose;
    }

    private void BrowserHolds(string? json, bool narrow = false) =>
        _storage.Setup<DashboardSettingsStore.BrowserSettings>("load").SetResult(new DashboardSettingsStore.BrowserSettings(json, narrow));

    private IRenderedComponent<Topology> RenderTopology() => RenderReadyTopology();

    private List<DashboardSettings> Saved() =>
        _storage.Invocations["save"].Select(i => DashboardSettingsStore.Parse((string)i.Arguments[0]!)!).ToList();

    private DashboardViewState ViewState => Services.GetRequiredService<DashboardViewState>();

    /// <summary>The filter the graph is created with (create's options.filter): the first picture is drawn with it.</summary>
    private Topology.GraphFilter? CreatedFilter()
    {
        var options = Assert.Single(_graph.Invocations["create"]).Arguments[2]!;
        return (Topology.GraphFilter?)options.GetType().GetProperty("filter")!.GetValue(options);
    }

    [Fact]
    public void Saved_settings_are_applied_before_the_graph_is_drawn()
    {
        BrowserHolds("""{"dark":true,"projector":false,"hideLoopback":false,"hideHostDevices":true,"hideNat":true,"layout":"layered","panelOpen":false}""");

        var page = RenderTopology();

        var options = Assert.Single(_graph.Invocations["create"]).Arguments[2]!;
        Assert.Equal("dark", options.GetType().GetProperty("theme")!.GetValue(options));
        Assert.Equal("layered", options.GetType().GetProperty("layout")!.GetValue(options));
        Assert.Equal(new Topology.GraphFilter(HideLoopback: false, HideHostDevices: true, HideNat: true, Focus: null), CreatedFilter());
        Assert.Empty(_graph.Invocations["setFilter"]);
        Assert.Contains("topology--panel-closed", page.Find("[data-testid='topology']").ClassList);
        Assert.Single(page.FindAll("[data-testid='panel-open']"));
        Assert.True(ViewState.IsDarkMode);
        // Restoring is not a change to save.
        Assert.Empty(_storage.Invocations["save"]);
    }

    [Fact]
    public void Stored_text_that_is_not_ours_means_the_defaults()
    {
        BrowserHolds("""{"layout":"grid","hideNat":"yes"}""");

        RenderTopology();

        var options = Assert.Single(_graph.Invocations["create"]).Arguments[2]!;
        Assert.Equal("lanes", options.GetType().GetProperty("layout")!.GetValue(options));
        Assert.Equal(new Topology.GraphFilter(true, false, false, null), CreatedFilter());
        Assert.Null(DashboardSettingsStore.Parse(new string(' ', 10) + "{" + new string('x', 5000) + "}"));
        Assert.Equal("lanes", DashboardSettingsStore.Parse("""{"layout":"grid"}""")!.Layout);
    }

    [Fact]
    public void A_changed_filter_and_layout_are_saved_in_the_browser_and_sent_to_the_graph()
    {
        BrowserHolds(null);
        var page = RenderTopology();

        page.FindAll("input[type=checkbox]")[2].Change(false); // NAT rules off

        page.WaitForAssertion(() => Assert.Single(_graph.Invocations["setFilter"]));
        Assert.True(Saved().Last().HideNat);
        Assert.Equal(new Topology.GraphFilter(true, false, true, null), _graph.Invocations["setFilter"][0].Arguments[0]);

        page.InvokeAsync(() => ViewState.Update(s => s with { Layout = "fcose" }));
        page.WaitForAssertion(() => Assert.Equal("fcose", Assert.Single(_graph.Invocations["setLayout"]).Arguments[0]));
        Assert.Equal("fcose", Saved().Last().Layout);
        Assert.True(Saved().Last().HideNat);
    }

    [Fact]
    public void The_side_panel_folds_away_comes_back_and_is_remembered()
    {
        BrowserHolds(null);
        var page = RenderTopology();
        Assert.Contains("topology--panel-open", page.Find("[data-testid='topology']").ClassList);
        Assert.Empty(page.FindAll("[data-testid='panel-open']"));

        page.Find("[data-testid='panel-close']").Click();

        page.WaitForAssertion(() => Assert.Contains("topology--panel-closed", page.Find("[data-testid='topology']").ClassList));
        Assert.False(Saved().Last().PanelOpen);

        page.Find("[data-testid='panel-open']").Click();

        page.WaitForAssertion(() => Assert.Contains("topology--panel-open", page.Find("[data-testid='topology']").ClassList));
        Assert.True(Saved().Last().PanelOpen);
    }

    [Fact]
    public void Projector_mode_gives_the_graph_the_whole_width_and_normal_mode_gives_the_panel_back()
    {
        BrowserHolds(null);
        var page = RenderTopology();

        page.InvokeAsync(() => ViewState.SetProjectorMode(true));
        page.WaitForAssertion(() => Assert.Contains("topology--panel-closed", page.Find("[data-testid='topology']").ClassList));
        Assert.True(Saved().Last().Projector);

        page.InvokeAsync(() => ViewState.SetProjectorMode(false));
        page.WaitForAssertion(() => Assert.Contains("topology--panel-open", page.Find("[data-testid='topology']").ClassList));
    }

    [Fact]
    public void On_a_phone_the_panel_starts_folded_whatever_was_saved()
    {
        BrowserHolds("""{"panelOpen":true}""", narrow: true);

        var page = RenderTopology();

        Assert.Contains("topology--panel-closed", page.Find("[data-testid='topology']").ClassList);
    }

    [Fact]
    public async Task The_url_carries_what_is_shown_and_what_is_selected()
    {
        BrowserHolds(null);
        var nav = Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo("/?show=lesson");
        var page = RenderTopology();
        Assert.Equal(new Topology.GraphFilter(true, false, false, Topology.ShowLesson), CreatedFilter());

        await page.InvokeAsync(() => page.Instance.OnElementSelected(Ctr(WebId)));

        // Shown in the address bar without a navigation (a navigation's JS call logs an error when the tab closes).
        string Address() => (string)_storage.Invocations["replaceAddress"].Last().Arguments[0]!;
        page.WaitForAssertion(() => Assert.Contains("focus=" + Uri.EscapeDataString(Ctr(WebId)), Address(), StringComparison.Ordinal));
        Assert.Contains("show=lesson", Address(), StringComparison.Ordinal);
        Assert.Equal("http://localhost/?show=lesson", nav.Uri);
        // Selecting by click does not make the graph zoom onto the element (only a link's ?focus= does).
        Assert.Empty(_graph.Invocations["focus"]);

        await page.InvokeAsync(() => page.Instance.OnBackgroundSelected());
        page.WaitForAssertion(() => Assert.DoesNotContain("focus=", Address(), StringComparison.Ordinal));
        Assert.Contains("show=lesson", Address(), StringComparison.Ordinal);

        nav.NavigateTo("/?show=" + Uri.EscapeDataString(DbNs));
        page.WaitForAssertion(() => Assert.Equal(new Topology.GraphFilter(true, false, false, DbNs), _graph.Invocations["setFilter"].Last().Arguments[0]));
    }

    [Fact]
    public void The_show_list_offers_the_lesson_each_network_each_hand_made_bridge_and_each_ip_netns()
    {
        var index = new NetViz.Web.Graph.TopologyIndex(Create());

        var values = Topology.ShowOptionsFor(index, null).Select(o => o.Value).ToList();

        Assert.Equal(["", Topology.ShowLesson, Topology.ShowSelection], values.Take(3));
        Assert.Contains(Net(BridgeNetId), values);
        Assert.Contains(Net(AppnetId), values);
        Assert.Contains(Lab1Ns, values);
        // Networks without a bridge (none) have no lane to show; container namespaces are reached through their network.
        Assert.DoesNotContain(Net(NoneNetId), values);
        Assert.DoesNotContain(WebNs, values);
        // A shared link naming something this host does not have stays selectable.
        Assert.Contains("netns:1", Topology.ShowOptionsFor(index, "netns:1").Select(o => o.Value));
    }
}
