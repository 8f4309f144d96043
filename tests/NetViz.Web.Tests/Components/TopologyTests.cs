using NetViz.Web.Components;
using Bunit;
using Microsoft.JSInterop;
using MudBlazor;
using NetViz.Web.Components.Pages;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Fakes;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

public class TopologyTests : DashboardTestContext
{
    private readonly BunitJSModuleInterop _module;

    public TopologyTests()
    {
        _module = JSInterop.SetupModule(JsModules.Import, [Topology.ModulePath]);
        _module.Mode = JSRuntimeMode.Loose;
    }

    private IRenderedComponent<Topology> RenderTopology() => RenderReadyTopology();

    private IReadOnlyList<JSRuntimeInvocation> Calls(string identifier) => _module.Invocations[identifier];

    [Fact]
    public void Imports_the_module_creates_an_instance_on_the_graph_element_and_resets_with_the_mapped_snapshot()
    {
        var page = RenderTopology();

        var create = Assert.Single(Calls("create"));
        Assert.IsType<Microsoft.AspNetCore.Components.ElementReference>(create.Arguments[0]);
        Assert.IsAssignableFrom<DotNetObjectReference<Topology>>(create.Arguments[1]);
        var reset = Assert.Single(Calls("reset"));
        var elements = Assert.IsAssignableFrom<IReadOnlyList<CytoscapeElement>>(reset.Arguments[0]);
        Assert.Equal(CytoscapeElementMapper.ToElements(Feed.Current), elements);
        Assert.Equal(1L, reset.Arguments[1]);
        Assert.Equal("1", page.Find("[data-testid='graph']").GetAttribute("data-sequence"));
    }

    [Fact]
    public void A_feed_change_is_sent_as_applyDiff_with_the_mapped_diff()
    {
        _module.Setup<bool>("applyDiff", _ => true).SetResult(true);
        var page = RenderTopology();
        var before = Feed.Current;

        var change = Feed.Publish(WithCacheContainer(before));

        page.WaitForAssertion(() => Assert.Equal(change.Sequence.ToString(), page.Find("[data-testid='graph']").GetAttribute("data-sequence")));
        var payload = Assert.IsType<CytoscapeDiff>(Assert.Single(Calls("applyDiff")).Arguments[0]);
        var expected = CytoscapeElementMapper.ToDiff(new TopologyIndex(before), change.Diff);
        Assert.Equal(expected.Remove, payload.Remove);
        Assert.Equal(expected.Add, payload.Add);
        Assert.Equal(expected.Update, payload.Update);
        Assert.NotEmpty(payload.Add);
        Assert.Equal(2, payload.Sequence);
        Assert.Contains(payload.Add, e => e.Data.Label == "cache");
        Assert.Single(Calls("reset"));
    }

    [Fact]
    public void The_first_picture_is_the_prefetched_one_when_the_module_has_that_very_snapshot_and_diffs_follow_it()
    {
        _module.Setup<bool>("adoptPrefetched", i => (long)i.Arguments[0]! == 1L).SetResult(true);
        _module.Setup<bool>("applyDiff", _ => true).SetResult(true);
        var page = RenderTopology();

        Assert.Equal(1L, Assert.Single(Calls("adoptPrefetched")).Arguments[0]);
        Assert.DoesNotContain("reset", _module.Invocations.Identifiers);
        Assert.Equal("1", page.Find("[data-testid='graph']").GetAttribute("data-sequence"));
        Assert.Equal("true", page.Find("[data-testid='graph']").GetAttribute("data-graph-ready"));
        Assert.Equal(Topology.FirstPicturePrefetched, page.Find("[data-testid='graph']").GetAttribute("data-first-picture"));

        var change = Feed.Publish(WithCacheContainer(Feed.Current));

        page.WaitForAssertion(() => Assert.Equal(change.Sequence.ToString(), page.Find("[data-testid='graph']").GetAttribute("data-sequence")));
        Assert.Equal(2L, Assert.IsType<CytoscapeDiff>(Assert.Single(Calls("applyDiff")).Arguments[0]).Sequence);
        Assert.DoesNotContain("reset", _module.Invocations.Identifiers);
    }

    [Fact]
    public void Without_a_matching_prefetched_snapshot_the_elements_go_over_the_circuit_and_the_prefetch_is_asked_only_once()
    {
        // Loose mode answers false: the module had no copy of sequence 1.
        _module.Setup<bool>("applyDiff", _ => true).SetResult(true);
        var page = RenderTopology();
        Assert.Equal(1L, Assert.Single(Calls("adoptPrefetched")).Arguments[0]);
        Assert.Equal(CytoscapeElementMapper.ToElements(Feed.Current), Assert.IsAssignableFrom<IReadOnlyList<CytoscapeElement>>(Assert.Single(Calls("reset")).Arguments[0]));
        Assert.Equal(Topology.FirstPictureCircuit, page.Find("[data-testid='graph']").GetAttribute("data-first-picture"));

        Feed.Publish(WithCacheContainer(Feed.Current), skipped: 1);

        page.WaitForAssertion(() => Assert.Equal(2, Calls("reset").Count));
        Assert.Single(Calls("adoptPrefetched"));
    }

    [Fact]
    public void When_applyDiff_returns_false_the_graph_is_reset_from_the_current_snapshot()
    {
        _module.Setup<bool>("applyDiff", _ => true).SetResult(false);
        var page = RenderTopology();

        var change = Feed.Publish(WithCacheContainer(Feed.Current));

        page.WaitForAssertion(() => Assert.Equal(2, Calls("reset").Count));
        Assert.Single(Calls("applyDiff"));
        var reset = Calls("reset")[1];
        var elements = Assert.IsAssignableFrom<IReadOnlyList<CytoscapeElement>>(reset.Arguments[0]);
        Assert.Contains(elements, e => e.Data.Label == "cache");
        Assert.Equal(change.Sequence, reset.Arguments[1]);
    }

    [Fact]
    public void A_gap_in_the_numbering_resets_the_graph_instead_of_applying_the_diff()
    {
        _module.Setup<bool>("applyDiff", _ => true).SetResult(true);
        var page = RenderTopology();

        var change = Feed.Publish(WithCacheContainer(Feed.Current), skipped: 1);

        page.WaitForAssertion(() => Assert.Equal(2, Calls("reset").Count));
        Assert.Equal(3, change.Sequence);
        Assert.DoesNotContain("applyDiff", _module.Invocations.Identifiers);
        var reset = Calls("reset")[1];
        Assert.Contains(Assert.IsAssignableFrom<IReadOnlyList<CytoscapeElement>>(reset.Arguments[0]), e => e.Data.Label == "cache");
        Assert.Equal(change.Sequence, reset.Arguments[1]);
    }

    [Fact]
    public async Task After_a_diff_the_details_show_what_it_added()
    {
        // What the page shows is the first snapshot with the diff applied: the new container is selectable at once.
        _module.Setup<bool>("applyDiff", _ => true).SetResult(true);
        var page = RenderTopology();
        var change = Feed.Publish(WithCacheContainer(Feed.Current));
        page.WaitForAssertion(() => Assert.Equal(change.Sequence.ToString(), page.Find("[data-testid='graph']").GetAttribute("data-sequence")));

        await page.InvokeAsync(() => page.Instance.OnElementSelected("ctr:cccc0000aaaabbbbccccddddeeeeffff0000111122223333444455556666777d"));

        page.WaitForAssertion(() => Assert.Equal("cache", page.Find("[data-testid='details-title']").TextContent.Trim()));
        Assert.Contains("docker inspect cache", page.FindAll("[data-testid='command']").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public void The_graph_starts_with_the_lanes_layout_and_offers_exactly_the_layouts_the_module_accepts()
    {
        var page = RenderTopology();

        var options = Assert.Single(Calls("create")).Arguments[2]!;
        Assert.Equal("lanes", options.GetType().GetProperty("layout")!.GetValue(options));
        Assert.Equal("lanes", page.Find("[data-testid='graph']").GetAttribute("data-layout"));
        // The names netviz-graph.js accepts come from graph-contract.json, as Topology.Layouts do (GraphContractTests).
        Assert.Equal(["lanes", "layered", "fcose"], Topology.Layouts);
        Assert.Equal(Topology.Layouts, page.FindComponents<MudSelectItem<string>>().Select(i => i.Instance.Value).Where(v => v is not null && Topology.Layouts.Contains(v)));
    }

    [Fact]
    public void Filters_send_the_setFilter_payload()
    {
        var page = RenderTopology();
        // The first filter rides with create (the first picture is drawn filtered); changes go through setFilter.
        var options = Assert.Single(Calls("create")).Arguments[2]!;
        var initial = Assert.IsType<Topology.GraphFilter>(options.GetType().GetProperty("filter")!.GetValue(options));
        Assert.Equal(new Topology.GraphFilter(HideLoopback: true, HideHostDevices: false, HideNat: false, Focus: null), initial);
        Assert.DoesNotContain("setFilter", _module.Invocations.Identifiers);

        var switches = page.FindAll("input[type=checkbox]");
        switches[2].Change(false); // NAT rules off
        page.WaitForAssertion(() => Assert.Single(Calls("setFilter")));
        Assert.Equal(new Topology.GraphFilter(true, false, true, null), Calls("setFilter")[0].Arguments[0]);

        page.FindAll("input[type=checkbox]")[0].Change(true); // loopbacks on
        page.WaitForAssertion(() => Assert.Equal(2, Calls("setFilter").Count));
        Assert.Equal(new Topology.GraphFilter(false, false, true, null), Calls("setFilter")[1].Arguments[0]);
    }

    [Fact]
    public void Search_calls_the_module_and_shows_the_match_count()
    {
        _module.Setup<string[]>("search", i => (string?)i.Arguments[0] == "172.17").SetResult([Ctr(WebId), "if:4026532301:6", "if:4026531840:3"]);
        var page = RenderTopology();

        page.Find("input:not([type=checkbox])").Input("172.17");

        // The field is debounced (250 ms): bUnit's default second of patience was too little on a busy machine.
        page.WaitForAssertion(() => Assert.Equal("3 matches", page.Find("[data-testid='search-count']").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Equal("172.17", Assert.Single(Calls("search")).Arguments[0]);
    }

    [Fact]
    public async Task Selecting_a_container_opens_details_with_commands_holding_its_real_pid_and_name()
    {
        var page = RenderTopology();

        await page.InvokeAsync(() => page.Instance.OnElementSelected(Ctr(WebId)));

        page.WaitForAssertion(() =>
        {
            var commands = page.FindAll("[data-testid='command']").Select(c => c.TextContent.Trim()).ToList();
            Assert.Contains($"nsenter --target {WebPid} --net ip addr", commands);
            Assert.Contains("docker inspect -f '{{.State.Pid}}' web", commands);
        });
        var props = page.Find("[data-testid='details-props']").TextContent;
        Assert.Contains("netviz/busybox:lab", props);
        Assert.Contains(WebPid.ToString(), props);
        Assert.Equal("web", page.Find("[data-testid='details-title']").TextContent.Trim());
    }

    [Fact]
    public async Task The_unnamed_netns_details_flag_the_bind_mount_as_changing_the_host()
    {
        var page = RenderTopology();
        await page.InvokeAsync(() => page.Instance.OnElementSelected(DbNs));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid='changes-host']")));
        Assert.Contains(page.FindAll("[data-testid='command']"), c => c.TextContent.Contains($"mount --bind /proc/{DbPid}/ns/net /var/run/netns/db"));
    }

    [Fact]
    public async Task Disposing_the_page_unsubscribes_and_disposes_the_graph_instance()
    {
        RenderTopology();
        Assert.Equal(1, Feed.SubscriberCount);
        await DisposeComponentsAsync();
        Assert.Equal(0, Feed.SubscriberCount);
        Assert.Single(Calls("dispose"));
    }
}
