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
        await WaitForQuietAsync(page);
    }

    /// <summary>Waits until the graph's sequence stopped changing for a second.</summary>
    private static async Task WaitForQuietAsync(IPage page)
    {
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

    /// <summary>
    /// The arrows between the outside world and the lanes' NAT gates (MASQUERADE out, DNAT in) run in the clear
    /// gutters and the margin, not across other containers' boxes: each arrow as drawn (its endpoints and bends) is
    /// tested against every namespace box shown, and against the other such arrows.
    /// </summary>
    [Fact]
    public async Task Arrows_to_and_from_the_outside_world_cross_no_namespace_box()
    {
        var (context, page) = await OpenAsync(1920, 1080);
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);

        var json = await page.EvaluateAsync<JsonElement>("""
            () => {
              const cy = window.netvizCy;
              const arrows = cy.nodes('[kind = "external"]').connectedEdges('[kind = "nat"]').filter(e => e.visible())
                .filter(e => e.source().data('kind') === 'nat-rule' || e.target().data('kind') === 'nat-rule');
              const boxes = cy.nodes('[kind = "netns"]').filter(n => n.visible() && !n.hasClass('host') && n.data('kind') !== 'host')
                .filter(n => !n.data('isHost')).map(n => ({ id: n.id(), b: n.boundingBox({ includeLabels: false, includeOverlays: false }) }));
              const inside = (p, b) => p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2;
              // A segment meets a box when it has a point strictly inside it (sampled finely: boxes are tens of units).
              const meets = (p, q, b) => {
                const n = Math.max(2, Math.ceil(Math.hypot(q.x - p.x, q.y - p.y) / 2));
                for (let i = 0; i <= n; i++) if (inside({ x: p.x + (q.x - p.x) * i / n, y: p.y + (q.y - p.y) * i / n }, b)) return true;
                return false;
              };
              const hits = [];
              const lines = arrows.map(e => ({ id: e.id(), pts: [e.sourceEndpoint(), ...(e.segmentPoints() ?? []), e.targetEndpoint()] }));
              for (const { id, pts } of lines)
                for (const box of boxes)
                  for (let i = 0; i + 1 < pts.length; i++)
                    if (meets(pts[i], pts[i + 1], box.b)) { hits.push(`${id} over ${box.id}`); break; }
              // Nor across each other (running together along the margin into the outside world is not crossing).
              const d = (o, r, t) => (r.x - o.x) * (t.y - o.y) - (r.y - o.y) * (t.x - o.x);
              const cross = (p, q, r, t) => {
                const d1 = d(r, t, p), d2 = d(r, t, q), d3 = d(p, q, r), d4 = d(p, q, t);
                return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
              };
              const crossings = [];
              for (let a = 0; a < lines.length; a++)
                for (let b = a + 1; b < lines.length; b++)
                  for (let i = 0; i + 1 < lines[a].pts.length; i++)
                    for (let j = 0; j + 1 < lines[b].pts.length; j++)
                      if (cross(lines[a].pts[i], lines[a].pts[i + 1], lines[b].pts[j], lines[b].pts[j + 1])) crossings.push(`${lines[a].id} x ${lines[b].id}`);
              return { arrows: arrows.length, boxes: boxes.length, hits, crossings };
            }
            """);
        output.WriteLine(json.ToString());

        // The lab's docker0 and netviz-lab-net MASQUERADE out, and DNAT :8080 in, at least.
        Assert.True(json.GetProperty("arrows").GetInt32() >= 3, json.ToString());
        Assert.True(json.GetProperty("boxes").GetInt32() >= 20, json.ToString());
        Assert.Empty(json.GetProperty("hits").EnumerateArray());
        Assert.Empty(json.GetProperty("crossings").EnumerateArray());
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

    /// <summary>
    /// Per namespace of <paramref name="page"/>'s picture: every pair of namespace boxes that overlap, and for each
    /// name in expected (an ip netns name and the bridge it is cabled to, "" for none) its box, the lane frames it
    /// overlaps, whether it lies inside the frame of its own lane (its bridge's, or "no network"), its veth cables
    /// (host end minus namespace end) and its centre's offset from its bridge.
    /// </summary>
    private static Task<JsonElement> PlacementAsync(IPage page, Dictionary<string, string> expected) =>
        page.EvaluateAsync<JsonElement>("""
            expected => {
              const cy = window.netvizCy;
              const frames = cy.scratch('_netviz')._lastLanes?.decor?.lanes ?? [];
              const first = n => String(n.data('label') ?? '').split('\n')[0];
              const ov = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
              const inside = (a, f) => a.x1 >= f.x1 && a.x2 <= f.x2 && a.y1 >= f.y1 && a.y2 <= f.y2;
              // The box itself: not the title below it, nor the 1.5 s halo that marks what was just added.
              const drawn = { includeLabels: false, includeOverlays: false, includeUnderlays: false };
              const boxes = cy.nodes('[kind = "netns"]').filter(n => n.parent().empty() && !n.data('isHost') && !n.hasClass('host')
                && n.visible() && !n.hasClass('nv-leaving'));
              const all = boxes.map(b => ({ name: first(b).split(' · ')[0], bb: b.boundingBox(drawn) }));
              const overlaps = [];
              for (let i = 0; i < all.length; i++)
                for (let j = i + 1; j < all.length; j++)
                  if (ov(all[i].bb, all[j].bb)) overlaps.push(all[i].name + ' / ' + all[j].name);
              const bridgeNamed = name => cy.nodes('[kind = "interface"][type = "bridge"]').filter(b => first(b) === name)[0];
              const namespaces = {};
              for (const [ns, bridgeName] of Object.entries(expected)) {
                const box = boxes.filter(b => first(b).split(' · ')[0] === ns)[0];
                if (!box) { namespaces[ns] = null; continue; }
                const bb = box.boundingBox(drawn);
                const bridge = bridgeName ? bridgeNamed(bridgeName) : null;
                const own = frames.filter(f => bridge ? f.key === bridge.id() : f.kind === 'isolated');
                const cables = box.descendants('[kind = "interface"]').connectedEdges('[kind = "veth"]').map(e => {
                  const [inBox, host] = e.source().ancestors().contains(box) ? [e.source(), e.target()] : [e.target(), e.source()];
                  return { dx: host.position().x - inBox.position().x, dy: host.position().y - inBox.position().y };
                });
                namespaces[ns] = {
                  bb, cables,
                  lanes: frames.filter(f => ov(f, bb)).map(f => f.key),
                  inOwnLane: own.length === 1 && inside(bb, own[0]),
                  own: own.map(f => f.key),
                  fromBridge: bridge ? (bb.x1 + bb.x2) / 2 - bridge.position().x : null,
                };
              }
              return { overlaps, boxes: all.length, namespaces };
            }
            """, expected);

    [Fact]
    public async Task Namespaces_cables_and_bridges_coming_and_going_live_land_in_their_lanes_and_never_overlap()
    {
        const string br0 = Churn + "-br0", br1 = Churn + "-br1";
        string Ns(string n) => $"{Churn}-{n}";
        var (context, page) = await OpenAsync(1920, 1080);
        await using var _ = context;
        await WaitForContainersAsync(page, lab.ContainerNames);
        // What each step leaves, by this test's own commands: namespace -> the bridge its cables go to ("" for none).
        var expected = new Dictionary<string, string>();
        var relative = new Dictionary<string, double>();
        var step = 0;
        // keepPlaces: nothing in this step grows a box, so every namespace already in a lane keeps its place in it.
        async Task CheckAsync(string what, string waitFor, bool keepPlaces = true)
        {
            await page.WaitForFunctionAsync(waitFor);
            await WaitForQuietAsync(page);
            var placement = await PlacementAsync(page, expected);
            var screenshot = await Screenshots.SaveAsync(page, $"lanes-churn-{++step}-{what}");
            output.WriteLine($"{step} {what}: {placement} ({screenshot})");
            Assert.True(placement.GetProperty("boxes").GetInt32() >= expected.Count);
            Assert.Empty(placement.GetProperty("overlaps").EnumerateArray());
            foreach (var (ns, bridge) in expected)
            {
                var p = placement.GetProperty("namespaces").GetProperty(ns);
                Assert.True(p.ValueKind == JsonValueKind.Object, $"{what}: {ns} is not drawn");
                var own = p.GetProperty("own").EnumerateArray().Select(k => k.GetString()).ToList();
                Assert.True(own.Count == 1, $"{what}: {ns} has no lane ({p})");
                Assert.True(p.GetProperty("inOwnLane").GetBoolean(), $"{what}: {ns} is not inside its lane ({p})");
                Assert.Equal(own, p.GetProperty("lanes").EnumerateArray().Select(k => k.GetString()).ToList());
                // Its cables hang straight down from their ports on its bridge's rail.
                var cables = p.GetProperty("cables").EnumerateArray().ToList();
                if (bridge == "") Assert.Empty(cables);
                else Assert.All(cables, c => Assert.True(Math.Abs(c.GetProperty("dx").GetDouble()) <= 1 && c.GetProperty("dy").GetDouble() < 0, $"{what}: {ns}'s cable {c}"));
                // A namespace keeps its place in its lane while others come and go: a slot is as wide as the widest
                // tile in the lane, so a neighbour's slightly longer name moves it by half the difference (well under
                // 3 px here); a slot further is 170 px.
                if (keepPlaces && bridge != "" && relative.TryGetValue(ns, out var was))
                    Assert.InRange(p.GetProperty("fromBridge").GetDouble(), was - 3, was + 3);
                if (bridge != "") relative[ns] = p.GetProperty("fromBridge").GetDouble();
                else relative.Remove(ns);
            }
        }
        string Box(string ns) => $"() => window.netvizCy.nodes('[kind = \"netns\"]').some(n => String(n.data('label')).startsWith('{ns} '))";
        string Cables(string ns, int count) =>
            $"() => window.netvizCy.nodes('[kind = \"netns\"]').filter(n => String(n.data('label')).startsWith('{ns} ')).descendants().connectedEdges('[kind = \"veth\"]').length === {count}";
        void Veth(string ns, string ifName, string hostEnd, string bridge)
        {
            Run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", hostEnd + "p");
            Run("ip", "link", "set", hostEnd, "master", bridge, "up");
            Run("ip", "link", "set", hostEnd + "p", "netns", ns);
            Run("ip", "-n", ns, "link", "set", hostEnd + "p", "name", ifName);
            Run("ip", "-n", ns, "link", "set", ifName, "up");
        }
        RemoveChurn();
        try
        {
            Run("ip", "link", "add", br0, "type", "bridge");
            Run("ip", "link", "set", br0, "up");
            // An ip netns as people make them: first the namespace alone ("no network"), then its cable.
            Run("ip", "netns", "add", Ns("a"));
            expected[Ns("a")] = "";
            await CheckAsync("netns-alone", Box(Ns("a")));
            Veth(Ns("a"), "eth0", Churn + "-a0", br0);
            expected[Ns("a")] = br0;
            await CheckAsync("first-cable", Cables(Ns("a"), 1));
            foreach (var n in new[] { "b", "c" })
            {
                Run("ip", "netns", "add", Ns(n));
                Veth(Ns(n), "eth0", $"{Churn}-{n}0", br0);
                expected[Ns(n)] = br0;
            }
            await CheckAsync("two-more", Cables(Ns("c"), 1));
            // A box that grows (a second interface) pushes its neighbours instead of covering them.
            Veth(Ns("a"), "eth1", Churn + "-a1", br0);
            await CheckAsync("second-interface", Cables(Ns("a"), 2), keepPlaces: false);
            Run("ip", "link", "add", br1, "type", "bridge");
            Run("ip", "link", "set", br1, "up");
            Run("ip", "netns", "add", Ns("d"));
            Veth(Ns("d"), "eth0", Churn + "-d0", br1);
            expected[Ns("d")] = br1;
            await CheckAsync("new-bridge", Cables(Ns("d"), 1));
            Run("ip", "netns", "del", Ns("b"));
            expected.Remove(Ns("b"));
            await CheckAsync("one-gone", $"() => !({Box(Ns("b"))})()");
            Run("ip", "netns", "del", Ns("d"));
            Run("ip", "link", "del", br1);
            expected.Remove(Ns("d"));
            await CheckAsync("bridge-gone", $"() => !window.netvizCy.nodes('[kind = \"interface\"][type = \"bridge\"]').some(n => String(n.data('label')).startsWith('{br1}'))");
        }
        finally
        {
            RemoveChurn();
        }
    }

    /// <summary>Prefix of what the live placement test creates: namespaces, veths and bridges named nvrender-*.</summary>
    private const string Churn = "nvrender";

    /// <summary>Deletes what the live placement test made (leftovers of an interrupted run included), and only that.</summary>
    private static void RemoveChurn()
    {
        static List<string> Links() => Run("ip", "-o", "link", "show").Split('\n').Select(l => l.Split(':', 3)).Where(p => p.Length == 3)
            .Select(p => p[1].Trim().Split('@')[0]).Where(n => n.StartsWith(Churn + "-", StringComparison.Ordinal)).ToList();
        // Links first (deleting a veth's host end deletes its peer in the namespace), then the namespaces: a deleted
        // namespace takes its veths with it only later, in the kernel's own time. One end of a veth going takes the
        // other with it, so a link that is gone by the time it is deleted is fine; one still there is not.
        foreach (var link in Links())
        {
            try
            {
                Run("ip", "link", "del", link);
            }
            catch (InvalidOperationException) when (!Links().Contains(link))
            {
            }
        }
        foreach (var ns in Run("ip", "netns", "list").Split('\n').Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(Churn + "-", StringComparison.Ordinal)))
            Run("ip", "netns", "del", ns);
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
        // Starts folded on a phone: the graph takes the whole width (once the page has settled: a full run once read
        // 408 px here, 6 px short, while the page was still loading); the panel opens over it and it keeps its width.
        Assert.Equal(0, await page.Locator("[data-testid=side-panel]:visible").CountAsync());
        await page.WaitForFunctionAsync("() => window.netvizCy.width() === document.documentElement.clientWidth");
        var graphWidth = await page.EvaluateAsync<double>("() => window.netvizCy.width()");
        Assert.Equal(414, graphWidth);
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
