using System.Text.Json;
using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;
using Xunit.Abstractions;
using static NetViz.E2E.Infrastructure.HostCommand;

namespace NetViz.E2E;

/// <summary>
/// The Topology page as a team screen shows it: the lab plus 20 containers at 1920x1080, measured in real
/// Chromium against what docker and ip say. Legibility of every container and bridge name at the fitted view,
/// veth cables that do not cross, live placement in lanes, layout switching, keyboard, saved settings and
/// narrow screens. Screenshots go to the screenshots folder for a person to look at.
/// </summary>
[Collection(NetVizAppCollection.Name)]
public sealed class LayoutTests(NetVizAppFixture app, LabWithExtraContainers lab, ITestOutputHelper output) : IClassFixture<LabWithExtraContainers>
{
    private const float Patience = 60_000;

    private async Task<(IBrowserContext Context, IPage Page)> OpenAsync(int width, int height, string path = "/")
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        return (context, page);
    }

    /// <summary>Waits until every named container is a node of the graph and the graph stopped changing for a second.</summary>
    private async Task WaitForContainersAsync(IPage page, IEnumerable<string> names)
    {
        await page.WaitForFunctionAsync(
            "names => names.every(n => window.netvizCy.nodes('[kind = \"container\"]').some(c => c.data('label') === n))",
            names.ToArray());
        string? sequence = null;
        for (var stable = 0; stable < 4;)
        {
            await page.WaitForTimeoutAsync(300);
            var now = await page.GetAttributeAsync("[data-testid=graph]", "data-sequence");
            stable = now == sequence ? stable + 1 : 0;
            sequence = now;
        }
    }

    /// <summary>The Linux bridge behind each of the lab's and the test's networks, named as `ip link` names it.</summary>
    private static List<string> BridgeNames()
    {
        var names = new List<string> { "br-lab" };
        foreach (var network in new[] { "bridge", "netviz-lab-net", "netviz-lab-internal", LabWithExtraContainers.Network })
        {
            var option = Run("docker", "network", "inspect", "-f", "{{index .Options \"com.docker.network.bridge.name\"}}", network);
            var id = Run("docker", "network", "inspect", "-f", "{{.Id}}", network);
            names.Add(option is { Length: > 0 } and not "<no value>" ? option : "br-" + id[..12]);
        }
        var onHost = Run("ip", "-br", "link", "show", "type", "bridge").Split('\n').Select(l => l.Split(' ')[0]).ToHashSet();
        Assert.All(names, n => Assert.Contains(n, onHost));
        return names;
    }

    /// <summary>
    /// <c>?show=</c> for exactly the lab and the test's containers: each one's namespace box (with the ports,
    /// bridge, tags and NAT rules it hangs on), the host-mode container and the lab's ip netns. The machine is
    /// shared: other sessions' containers and namespaces on it are not this scenario and would only shrink it.
    /// </summary>
    private string ShowLabAndTest()
    {
        var ids = new List<string>();
        foreach (var name in lab.ContainerNames)
        {
            if (Run("docker", "inspect", "-f", "{{.HostConfig.NetworkMode}}", name) == "host")
            {
                ids.Add("ctr:" + Run("docker", "inspect", "-f", "{{.Id}}", name));
                continue;
            }
            var pid = Run("docker", "inspect", "-f", "{{.State.Pid}}", name);
            ids.Add("netns:" + Run("stat", "-L", "-c", "%i", $"/proc/{pid}/ns/net"));
        }
        ids.Add("netns:" + Run("stat", "-L", "-c", "%i", "/var/run/netns/netviz-lab-blue"));
        return "/?show=" + Uri.EscapeDataString(string.Join(',', ids.Distinct()));
    }

    private sealed record LabelSize(string Name, double Px, bool Drawn, bool Inside);

    /// <summary>
    /// For each name, the node of the graph whose drawn label has a line equal to it (a tile, a badge, a bridge), at
    /// its on-screen font size; drawn = above Cytoscape's min-zoomed-font-size, inside = within the viewport.
    /// </summary>
    private static async Task<List<LabelSize>> LabelSizesAsync(IPage page, IEnumerable<string> names, bool firstLineOnly)
    {
        var json = await page.EvaluateAsync<JsonElement>("""
            ([names, firstLineOnly]) => {
              const cy = window.netvizCy;
              const z = cy.zoom();
              const ext = cy.extent();
              const inside = bb => bb.x1 >= ext.x1 - 1 && bb.x2 <= ext.x2 + 1 && bb.y1 >= ext.y1 - 1 && bb.y2 <= ext.y2 + 1;
              const px = n => parseFloat(n.style('font-size')) * z;
              const labelled = cy.nodes().filter(n => n.visible() && String(n.style('label') ?? '') !== '');
              return names.map(name => {
                const lines = n => { const l = String(n.style('label')).split('\n').map(s => s.trim()); return firstLineOnly ? l.slice(0, 1) : l; };
                const carriers = labelled.filter(n => lines(n).includes(name)).sort((a, b) => px(b) - px(a));
                const n = carriers[0];
                return n
                  ? { name, px: px(n), drawn: px(n) >= parseFloat(n.style('min-zoomed-font-size')), inside: inside(n.boundingBox()) }
                  : { name, px: 0, drawn: false, inside: false };
              });
            }
            """, new object[] { names.ToArray(), firstLineOnly });
        return json.EnumerateArray().Select(e => new LabelSize(e.GetProperty("name").GetString()!, e.GetProperty("px").GetDouble(),
            e.GetProperty("drawn").GetBoolean(), e.GetProperty("inside").GetBoolean())).ToList();
    }

    [Theory]
    [InlineData(false, 12)]
    [InlineData(true, 20)]
    public async Task At_the_fitted_view_every_container_and_bridge_name_is_drawn_large_enough_to_read(bool projector, double minPx)
    {
        var (context, page) = await OpenAsync(1920, 1080, ShowLabAndTest());
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);
        if (projector)
        {
            await page.ClickAsync("[data-testid=projector-toggle]");
            await page.WaitForFunctionAsync(BridgeFontAbove30);
        }
        // The fitted view, as F gives it.
        await page.FocusAsync("[data-testid=graph]");
        await page.Keyboard.PressAsync("f");
        await page.WaitForTimeoutAsync(500);

        var containers = await LabelSizesAsync(page, lab.ContainerNames, firstLineOnly: false);
        var bridges = await LabelSizesAsync(page, BridgeNames(), firstLineOnly: true);
        var screenshot = await Screenshots.SaveAsync(page, projector ? "lanes-1920x1080-projector" : "lanes-1920x1080");
        output.WriteLine($"screenshot: {screenshot}");
        foreach (var l in containers.Concat(bridges)) output.WriteLine($"{l.Name}: {l.Px:F1} px drawn={l.Drawn} inside={l.Inside}");

        Assert.True(containers.Count >= 27, $"{containers.Count} containers");
        // 100 %: every one of them at the size a person at the back of the room can read.
        Assert.All(containers.Concat(bridges), l => Assert.True(l.Px >= minPx && l.Drawn && l.Inside, $"{l.Name}: {l.Px:F1} px, drawn {l.Drawn}, inside {l.Inside}"));
    }

    /// <summary>Projector mode is drawn: the shown bridges' labels are large (38 px in the model).</summary>
    private const string BridgeFontAbove30 =
        "() => window.netvizCy.nodes('[kind = \"interface\"][type = \"bridge\"]').filter(n => n.visible()).max(n => parseFloat(n.style('font-size'))).value > 30";

    [Fact]
    public async Task Veth_cables_of_single_network_containers_hang_straight_down_and_never_cross()
    {
        var (context, page) = await OpenAsync(1920, 1080);
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);
        // Single-network containers by docker's own account.
        var single = lab.ContainerNames.Where(n => n != "netviz-lab-host" && n != "netviz-lab-none" && n != "netviz-lab-sidecar")
            .Where(n => Run("docker", "inspect", "-f", "{{len .NetworkSettings.Networks}}", n) == "1").ToArray();
        Assert.True(single.Length >= 20, $"{single.Length} single-network containers");

        var json = await page.EvaluateAsync<JsonElement>("""
            single => {
              const cy = window.netvizCy;
              const cables = cy.edges('[kind = "veth"]').filter(e => e.visible()).map(e => {
                const ends = [e.source(), e.target()];
                const inBox = ends.find(n => n.parent().nonempty() && !n.parent().hasClass('host'));
                const names = inBox ? inBox.parent().children('[kind = "container"]').map(c => c.data('label')) : [];
                const [a, b] = ends.map(n => n.position());
                return { id: e.id(), a, b, single: names.some(n => single.includes(n)) };
              });
              const cross = (p, q) => {
                const d = (o, r, s) => (r.x - o.x) * (s.y - o.y) - (r.y - o.y) * (s.x - o.x);
                const d1 = d(q.a, q.b, p.a), d2 = d(q.a, q.b, p.b), d3 = d(p.a, p.b, q.a), d4 = d(p.a, p.b, q.b);
                return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
              };
              let crossings = 0;
              for (let i = 0; i < cables.length; i++)
                for (let j = i + 1; j < cables.length; j++)
                  if ((cables[i].single || cables[j].single) && cross(cables[i], cables[j])) crossings++;
              const slanted = cables.filter(c => c.single && Math.abs(c.a.x - c.b.x) > 0.5).map(c => c.id);
              return { crossings, slanted, single: cables.filter(c => c.single).length };
            }
            """, single);
        output.WriteLine(json.ToString());

        Assert.True(json.GetProperty("single").GetInt32() >= single.Length - 1);
        Assert.Equal(0, json.GetProperty("crossings").GetInt32());
        Assert.Empty(json.GetProperty("slanted").EnumerateArray());
    }

    [Fact]
    public async Task A_docker_run_lands_in_its_bridges_lane_and_nothing_in_that_lane_moves()
    {
        var (context, page) = await OpenAsync(1920, 1080);
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);
        const string laneBridge = "br-netviz-lab";
        const string laneTiles = """
            bridge => {
              const cy = window.netvizCy;
              const b = cy.nodes('[kind = "interface"][type = "bridge"]').filter(n => String(n.data('label')).split('\n')[0] === bridge)[0];
              const ports = b.connectedEdges('[kind = "bridge-port"]').connectedNodes().not(b);
              const boxes = ports.connectedEdges('[kind = "veth"]').connectedNodes().not(ports).parents();
              const cables = x => x.children('[kind = "interface"]').connectedEdges('[kind = "veth"]').length;
              return { bridge: b.boundingBox(), boxes: boxes.map(x => ({ id: x.id(), names: x.children('[kind = "container"]').map(c => c.data('label')), bb: x.boundingBox(), pos: x.position(), cables: cables(x) })) };
            }
            """;
        var before = await page.EvaluateAsync<JsonElement>(laneTiles, laneBridge);
        var name = $"{LabWithExtraContainers.Prefix}-run";
        Run("docker", "run", "-d", "--name", name, "--label", LabWithExtraContainers.Label, "--network", LabWithExtraContainers.LabNetwork, "netviz/busybox:lab", "sleep", "600");
        try
        {
            await WaitForContainersAsync(page, [name]);
            var after = await page.EvaluateAsync<JsonElement>(laneTiles, laneBridge);
            var screenshot = await Screenshots.SaveAsync(page, "lanes-docker-run");
            output.WriteLine($"screenshot: {screenshot}");

            var boxes = after.GetProperty("boxes").EnumerateArray().ToList();
            var mine = boxes.Single(b => b.GetProperty("names").EnumerateArray().Any(n => n.GetString() == name));
            var others = boxes.Where(b => b.GetProperty("id").GetString() != mine.GetProperty("id").GetString()).ToList();
            var bb = mine.GetProperty("bb");
            double X1(JsonElement r) => r.GetProperty("x1").GetDouble();
            double X2(JsonElement r) => r.GetProperty("x2").GetDouble();
            double Y1(JsonElement r) => r.GetProperty("y1").GetDouble();
            double Y2(JsonElement r) => r.GetProperty("y2").GetDouble();
            // Beneath its bridge, within the columns its lane-mates use (the lane), overlapping none of them.
            Assert.True(Y1(bb) > Y2(after.GetProperty("bridge")));
            var slot = others.Max(o => X2(o.GetProperty("bb")) - X1(o.GetProperty("bb")));
            Assert.InRange((X1(bb) + X2(bb)) / 2, others.Min(o => X1(o.GetProperty("bb"))) - slot, others.Max(o => X2(o.GetProperty("bb"))) + slot);
            Assert.All(others, o => Assert.False(X1(bb) < X2(o.GetProperty("bb")) && X1(o.GetProperty("bb")) < X2(bb) && Y1(bb) < Y2(o.GetProperty("bb")) && Y1(o.GetProperty("bb")) < Y2(bb), "overlaps " + o.GetProperty("id")));
            // And none of the boxes already in the lane moved (one on two networks sits between two lanes: a lane that
            // grew wider may push it along).
            var was = before.GetProperty("boxes").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!, b => b.GetProperty("pos"));
            Assert.All(others.Where(o => o.GetProperty("cables").GetInt32() == 1), o =>
            {
                var p = was[o.GetProperty("id").GetString()!];
                Assert.Equal(p.GetProperty("x").GetDouble(), o.GetProperty("pos").GetProperty("x").GetDouble(), 3);
                Assert.Equal(p.GetProperty("y").GetDouble(), o.GetProperty("pos").GetProperty("y").GetDouble(), 3);
            });
        }
        finally
        {
            Run("docker", "rm", "-f", name);
        }
    }

    [Fact]
    public async Task A_docker_network_create_adds_a_lane_inside_the_viewport()
    {
        var (context, page) = await OpenAsync(1920, 1080);
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);
        var network = $"{LabWithExtraContainers.Prefix}-new";
        var id = Run("docker", "network", "create", "--label", LabWithExtraContainers.Label, "--subnet", "10.141.0.0/24", network);
        var bridge = "br-" + id[..12];
        try
        {
            await page.WaitForFunctionAsync(
                "b => window.netvizCy.nodes('[kind = \"interface\"][type = \"bridge\"]').some(n => String(n.data('label')).startsWith(b))", bridge);
            // The graph pans/zooms to reveal what landed outside the view (animated, after the last diff of the burst).
            await page.WaitForFunctionAsync("""
                b => {
                  const cy = window.netvizCy;
                  const n = cy.nodes('[kind = "interface"][type = "bridge"]').filter(x => String(x.data('label')).startsWith(b))[0];
                  const r = n.renderedBoundingBox();
                  return !cy.animated() && r.x1 >= 0 && r.y1 >= 0 && r.x2 <= cy.width() && r.y2 <= cy.height();
                }
                """, bridge, new PageWaitForFunctionOptions { Timeout = 15_000 });
            var inView = await page.EvaluateAsync<JsonElement>("""
                b => {
                  const cy = window.netvizCy;
                  const n = cy.nodes('[kind = "interface"][type = "bridge"]').filter(x => String(x.data('label')).startsWith(b))[0];
                  const r = n.renderedBoundingBox();
                  const others = cy.nodes('[kind = "interface"][type = "bridge"]').not(n).filter(x => x.visible());
                  const bb = n.boundingBox();
                  const overlaps = others.filter(o => { const ob = o.boundingBox(); return bb.x1 < ob.x2 && ob.x1 < bb.x2 && bb.y1 < ob.y2 && ob.y1 < bb.y2; }).length;
                  return { inside: r.x1 >= 0 && r.y1 >= 0 && r.x2 <= cy.width() && r.y2 <= cy.height(), overlaps };
                }
                """, bridge);
            var screenshot = await Screenshots.SaveAsync(page, "lanes-network-create");
            output.WriteLine($"screenshot: {screenshot} {inView}");
            Assert.True(inView.GetProperty("inside").GetBoolean());
            Assert.Equal(0, inView.GetProperty("overlaps").GetInt32());
        }
        finally
        {
            Run("docker", "network", "rm", network);
        }
    }

    [Fact]
    public async Task Switching_through_every_offered_layout_and_back_keeps_every_element_in_view()
    {
        var (context, page) = await OpenAsync(1920, 1080);
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);
        await page.ClickAsync("[data-testid=layout-select]");
        await page.WaitForSelectorAsync(".mud-popover-open [role=option]");
        var offered = (await page.Locator(".mud-popover-open [role=option]").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        await page.Keyboard.PressAsync("Escape");
        Assert.Contains("lanes", offered);
        Assert.True(offered.Count >= 2);
        foreach (var layout in offered.Skip(1).Append("lanes"))
        {
            await page.ClickAsync("[data-testid=layout-select]");
            await page.Locator(".mud-popover-open [role=option]", new PageLocatorOptions { HasTextString = layout }).First.ClickAsync();
            await page.WaitForSelectorAsync($"[data-testid=graph][data-layout={layout}]");
            // Layouts animate for up to 600 ms, then fit.
            await page.WaitForTimeoutAsync(2500);
            var view = await page.EvaluateAsync<JsonElement>("""
                () => {
                  const cy = window.netvizCy;
                  const ext = cy.extent();
                  const out = cy.elements().filter(e => e.visible()).filter(e => {
                    const bb = e.boundingBox();
                    return !(bb.x1 >= ext.x1 - 1 && bb.x2 <= ext.x2 + 1 && bb.y1 >= ext.y1 - 1 && bb.y2 <= ext.y2 + 1);
                  }).map(e => e.id());
                  const bad = cy.nodes().filter(n => !Number.isFinite(n.position().x) || !Number.isFinite(n.position().y)).length;
                  return { out, bad, visible: cy.elements().filter(e => e.visible()).length };
                }
                """);
            output.WriteLine($"{layout}: {view}");
            Assert.Empty(view.GetProperty("out").EnumerateArray());
            Assert.Equal(0, view.GetProperty("bad").GetInt32());
            Assert.True(view.GetProperty("visible").GetInt32() > 100);
        }
    }

    [Fact]
    public async Task Keyboard_alone_selects_an_element_opens_its_details_and_closes_them()
    {
        var (context, page) = await OpenAsync(1440, 900);
        await using var _ = context;
        // Tab from the top of the page until the graph has the focus, as someone without a mouse does.
        var tabs = 0;
        while (!await page.EvaluateAsync<bool>("() => document.activeElement?.dataset?.testid === 'graph'"))
        {
            Assert.True(++tabs < 60, "the graph never took the focus");
            await page.Keyboard.PressAsync("Tab");
        }
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowDown");
        var selected = await page.EvaluateAsync<string>("() => window.netvizCy.elements(':selected')[0]?.id()");
        Assert.False(string.IsNullOrEmpty(selected));

        await page.Keyboard.PressAsync("Enter");

        await page.WaitForSelectorAsync($"[data-testid=element-details][data-element-id='{selected}']");
        Assert.Contains("focus=" + Uri.EscapeDataString(selected), page.Url, StringComparison.Ordinal);
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForSelectorAsync("[data-testid=element-details]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        Assert.DoesNotContain("focus=", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Theme_projector_mode_filters_and_what_is_shown_survive_a_reload()
    {
        var (context, page) = await OpenAsync(1440, 900, "/?show=lesson");
        await using var _ = context;
        var lightBackground = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        await page.ClickAsync("[data-testid=toggle-nat]");
        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.ClickAsync("[data-testid=projector-toggle]");
        await page.WaitForFunctionAsync(BridgeFontAbove30);

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        await page.WaitForTimeoutAsync(1000);

        Assert.NotEqual(lightBackground, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        Assert.True(await page.EvaluateAsync<bool>(BridgeFontAbove30));
        Assert.True(await page.EvaluateAsync<bool>("() => window.netvizCy.nodes('[kind = \"nat-rule\"]').every(n => !n.visible())"));
        Assert.Equal("lesson", await page.GetAttributeAsync("[data-testid=graph]", "data-show"));
        // The lesson hides the test's own network and its containers.
        Assert.False(await page.EvaluateAsync<bool>("n => window.netvizCy.nodes('[kind = \"container\"]').some(c => c.data('label') === n && c.parent().visible())", $"{LabWithExtraContainers.Prefix}-shop1"));
        var screenshot = await Screenshots.SaveAsync(page, "lanes-lesson-dark-projector");
        output.WriteLine($"screenshot: {screenshot}");
    }

    [Fact]
    public async Task On_a_phone_the_app_bar_buttons_stay_reachable_and_the_side_panel_opens_over_the_graph()
    {
        var (context, page) = await OpenAsync(414, 896);
        await using var _ = context;
        foreach (var button in new[] { "theme-toggle", "projector-toggle", "pause-toggle" })
        {
            var box = await page.Locator($"[data-testid={button}]").BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.InRange(box.X, 0, 414 - box.Width);
        }
        // Starts folded on a phone; opens over the graph, which keeps its width.
        Assert.Equal(0, await page.Locator("[data-testid=side-panel]:visible").CountAsync());
        var graphWidth = await page.EvaluateAsync<double>("() => window.netvizCy.width()");
        await page.ClickAsync("[data-testid=panel-open]");
        await page.WaitForSelectorAsync("[data-testid=side-panel]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible });
        Assert.Equal(graphWidth, await page.EvaluateAsync<double>("() => window.netvizCy.width()"));
        var screenshot = await Screenshots.SaveAsync(page, "lanes-414-panel");
        output.WriteLine($"screenshot: {screenshot}");
    }

    [Fact]
    public async Task At_1280x720_the_details_drawer_leaves_the_graph_most_of_the_width_and_the_selection_in_view()
    {
        var (context, page) = await OpenAsync(1280, 720);
        await using var _ = context;
        var id = await page.EvaluateAsync<string>("() => window.netvizCy.nodes('[kind = \"container\"]').filter(n => n.data('label') === 'netviz-lab-web')[0].parent().id()");
        await page.GotoAsync("/?focus=" + Uri.EscapeDataString(id));
        await page.WaitForSelectorAsync($"[data-testid=element-details][data-element-id='{id}']");

        var drawer = await page.Locator("[data-testid=details-drawer]").BoundingBoxAsync();
        Assert.NotNull(drawer);
        Assert.True(drawer.Width <= 1280 * 0.35, $"drawer {drawer.Width} px wide");
        // The graph keeps the selected box in what is left of the width once the drawer is open (it pans, animated).
        await page.WaitForFunctionAsync("""
            id => { const cy = window.netvizCy; const r = cy.getElementById(id).renderedBoundingBox(); return !cy.animated() && r.x1 >= 0 && r.y1 >= 0 && r.x2 <= cy.width() && r.y2 <= cy.height(); }
            """, id, new PageWaitForFunctionOptions { Timeout = 10_000 });
        var screenshot = await Screenshots.SaveAsync(page, "lanes-1280x720-details");
        output.WriteLine($"screenshot: {screenshot}");
    }
}
