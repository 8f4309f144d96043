using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetViz.Testing;

namespace NetViz.Bench.Render;

/// <summary>
/// Drives the dashboard's Topology page in Chromium with the in-page probe (in-page-probe.js) installed, and reads
/// back what the probe measured. Knows the page and the probe; what to measure in which order is <see cref="RenderScenario"/>'s.
/// </summary>
internal sealed class RenderPage(PublishedNetVizServer server, IBrowser browser, RenderOptions options)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(15);
    private static readonly Lazy<string> Probe = new(() =>
    {
        using var stream = typeof(RenderPage).Assembly.GetManifestResourceStream("NetViz.Bench.Render.in-page-probe.js")
            ?? throw new InvalidOperationException("in-page-probe.js is not embedded");
        return new StreamReader(stream).ReadToEnd();
    });

    /// <summary>A page in a fresh browser context (cold HTTP cache) with the probe installed before any page script.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = options.Width, Height = options.Height },
        });
        await context.AddInitScriptAsync(Probe.Value);
        return await context.NewPageAsync();
    }

    /// <summary>A page on the dashboard whose graph has been drawn once (data-graph-ready).</summary>
    public async Task<IPage> OpenReadyAsync(int pollingMs = 100)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("() => window.__nvrb.marks.ready != null", null,
            new PageWaitForFunctionOptions { Timeout = (float)ReadyTimeout.TotalMilliseconds, PollingInterval = pollingMs });
        return page;
    }

    public async Task<FirstRender> FirstRenderAsync(int containers, int namespaces)
    {
        var page = await OpenReadyAsync(pollingMs: 50);
        try
        {
            // The draw after reset can land after the attribute: give it a frame.
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            var (sequence, snapshot) = await server.GetTopologyAsync();
            var snapshotNodes = RenderFixtures.DrawnNodeCount(snapshot.RootElement);
            snapshot.Dispose();
            var json = await page.EvaluateAsync<string>("() => window.__nvrb.firstRender()");
            using var doc = JsonDocument.Parse(json);
            var r = FirstRender.From(doc.RootElement, snapshotNodes, sequence);
            // Other processes on this host change the topology all the time: the node count is compared
            // exactly when the page's data-sequence is still the API's; the fixtures must be complete always.
            if (r.ExactlyVerified && r.Nodes != snapshotNodes)
                throw new InvalidOperationException($"graph has {r.Nodes} nodes, snapshot {sequence} has {snapshotNodes}");
            if (r.FixtureNamespaces < namespaces || r.FixtureContainers < containers)
                throw new InvalidOperationException($"graph shows {r.FixtureNamespaces} {RenderFixtures.Prefix} namespaces and {r.FixtureContainers} {RenderFixtures.Prefix} containers");
            return r;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Adds one container or namespace (named nvrb-xRUN), times it until drawn, then removes it and waits until it is gone.</summary>
    public async Task<DiffResult> DiffAsync(IPage page, DiffKind kind, int run)
    {
        var name = $"{RenderFixtures.Prefix}-x{run}";
        try
        {
            // A namespace's node id is the nsfs inode, known only after creation: watch for the node whose label is
            // the new name instead, then check the id against stat.
            await page.EvaluateAsync("n => window.__nvrb.watch({ label: n })", name);
            var commandEpochMs = EpochMs();
            var targetId = kind == DiffKind.Namespace
                ? await RenderFixtures.AddNamespaceAsync(name)
                : "ctr:" + await RenderFixtures.RunContainerAsync(name);
            await page.WaitForFunctionAsync("() => { const w = window.__nvrb.watched; return w && w.drawn != null && w.sequence != null; }", null,
                new PageWaitForFunctionOptions { Timeout = 300000, PollingInterval = 50 });
            var json = await page.EvaluateAsync<string>("() => JSON.stringify({ ...window.__nvrb.watched, origin: performance.timeOrigin })");
            using var doc = JsonDocument.Parse(json);
            var w = doc.RootElement;
            var seenId = w.GetProperty("id").GetString();
            if (seenId != targetId && kind == DiffKind.Namespace)
                throw new InvalidOperationException($"the node labelled {name} is {seenId}, stat says {targetId}");
            double D(string p) => w.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
            return new DiffResult(D("frame"), D("addStart"), D("applyEnd"), D("drawn"), D("sequence"),
                EndToEnd: D("origin") + D("drawn") - commandEpochMs);
        }
        finally
        {
            if (kind == DiffKind.Namespace) await RenderFixtures.RemoveNamespaceAsync(name);
            else await RenderFixtures.RemoveContainerAsync(name);
            // The removal's own diff must be applied before the next measurement: the kernel reuses nsfs
            // inodes, so a new namespace created before the old one's removal reached the page can come as an
            // update of the same node id (netns:<inode>) instead of an added node.
            await page.WaitForFunctionAsync("n => !window.netvizCy.nodes().some(e => String(e.data('label') ?? '').split('\\n')[0].split(' · ')[0] === n)",
                name, new PageWaitForFunctionOptions { Timeout = 300000, PollingInterval = 100 });
            await Task.Delay(1500);
        }
    }

    /// <summary>The page's elements through a second, hidden module instance per layout: reset() and applyDiff(+1 node).</summary>
    public async Task<IReadOnlyList<LayoutTiming>> CompareLayoutsAsync(IPage page, string[] names)
    {
        await Task.Delay(1000);
        var rounds = new List<JsonDocument>();
        var roundCount = await page.EvaluateAsync<int>("() => window.netvizCy.nodes().length") > 1000 ? 1 : 3;
        var namesJson = JsonSerializer.Serialize(names);
        for (var i = 0; i < roundCount; i++)
            rounds.Add(JsonDocument.Parse(await page.EvaluateAsync<string>($"async () => JSON.stringify(await window.__nvrb.compareLayouts({namesJson}))")));
        try
        {
            return [.. names.Select(name =>
            {
                var rows = rounds.Select(d => d.RootElement.EnumerateArray().First(e => e.GetProperty("name").GetString() == name)).ToList();
                var timing = new LayoutTiming(name,
                    [.. rows.Select(r => r.GetProperty("reset").GetDouble()).Order()],
                    [.. rows.Select(r => r.GetProperty("applyDiff").GetDouble()).Order()]);
                RenderBenchmark.Log($"  layout {name}: reset {RenderReport.Percentile(timing.Reset, 50):F0} ms, applyDiff {RenderReport.Percentile(timing.ApplyDiff, 50):F1} ms");
                return timing;
            })];
        }
        finally
        {
            foreach (var d in rounds) d.Dispose();
        }
    }

    /// <summary>Moves the viewport every animation frame for 2 s per motion and returns the frame deltas.</summary>
    public async Task<IReadOnlyList<MotionResult>> PanZoomAsync(IPage page)
    {
        await Task.Delay(2000);
        var results = new List<MotionResult>();
        foreach (var (label, motion) in new[]
        {
            ("idle (nothing moves)", "idle"),
            ("pan, whole graph fitted", "pan"),
            ("zoom in/out around the centre from fit", "zoom"),
            ("cy.animate pan+zoom 2 s (Cytoscape's own animation)", "animate"),
            ("pan at zoom 1 (labels readable)", "pan1"),
        })
        {
            var json = await page.EvaluateAsync<string>($"async () => JSON.stringify(await window.__nvrb.motion('{motion}', 2000))");
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            var result = new MotionResult(label, r.GetProperty("zoom").GetDouble(),
                [.. r.GetProperty("deltas").EnumerateArray().Select(x => x.GetDouble()).Order()],
                r.GetProperty("elapsed").GetDouble() / 1000, r.GetProperty("longTasks").GetInt32());
            RenderBenchmark.Log($"  {label}: p95 {RenderReport.Percentile(result.FrameDeltas, 95):F1} ms, {result.FrameDeltas.Length / result.Seconds:F0} fps");
            results.Add(result);
            await Task.Delay(500);
        }
        results.Add(await MouseMotionAsync(page, "drag with the mouse, whole graph fitted", drag: true));
        await Task.Delay(500);
        results.Add(await MouseMotionAsync(page, "mouse wheel in/out, from fit", drag: false));
        return results;
    }

    /// <summary>
    /// 2 s of real mouse input (Playwright's mouse: trusted events through Chromium's input pipeline) while the page
    /// records its frames: a drag that pans back and forth from the background, or wheel notches in then out.
    /// </summary>
    private static async Task<MotionResult> MouseMotionAsync(IPage page, string label, bool drag)
    {
        using var at = JsonDocument.Parse(await page.EvaluateAsync<string>("() => window.__nvrb.fitForInput()"));
        double X(string p) => at.RootElement.GetProperty(p).GetDouble();
        var zoomAtStart = X("zoom");
        var recording = page.EvaluateAsync<string>("async () => JSON.stringify(await window.__nvrb.record(2000))");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (drag)
        {
            await page.Mouse.MoveAsync((float)X("x"), (float)X("y"));
            await page.Mouse.DownAsync();
            var step = 0;
            while (clock.ElapsedMilliseconds < 2000)
            {
                // 6 px right and 3 down per move, turning every 40 moves: the picture swings back and forth.
                var phase = step++ % 80;
                var k = phase < 40 ? phase : 80 - phase;
                await page.Mouse.MoveAsync((float)(X("x") + 6 * k), (float)(X("y") + 3 * k));
            }
            await page.Mouse.UpAsync();
        }
        else
        {
            await page.Mouse.MoveAsync((float)X("cx"), (float)X("cy"));
            while (clock.ElapsedMilliseconds < 2000)
                await page.Mouse.WheelAsync(0, clock.ElapsedMilliseconds < 1000 ? -60 : 60);
        }
        using var doc = JsonDocument.Parse(await recording);
        var r = doc.RootElement;
        var result = new MotionResult(label, zoomAtStart,
            [.. r.GetProperty("deltas").EnumerateArray().Select(x => x.GetDouble()).Order()],
            r.GetProperty("elapsed").GetDouble() / 1000, r.GetProperty("longTasks").GetInt32());
        RenderBenchmark.Log($"  {label}: p95 {RenderReport.Percentile(result.FrameDeltas, 95):F1} ms, {result.FrameDeltas.Length / result.Seconds:F0} fps");
        return result;
    }

    /// <summary>
    /// One more first render with Chromium's sampling profiler on, the graph module served unminified (the
    /// same sources bundled by esbuild without --minify) so functions keep their names: self time per function.
    /// </summary>
    public async Task<CpuProfile> ProfileFirstRenderAsync()
    {
        var root = RepositoryPaths.Root;
        var bundle = Path.Combine(Path.GetTempPath(), $"{RenderFixtures.Prefix}-profile", "netviz-graph.bundle.js");
        await Commands.CheckedAsync(Path.Combine(root, "node_modules", ".bin", "esbuild"),
            Path.Combine(root, "src/NetViz.Web/Scripts/netviz-graph.js"), "--bundle", "--format=esm", $"--outfile={bundle}", "--log-level=warning");
        var page = await NewPageAsync();
        try
        {
            await page.RouteAsync("**/js/netviz-graph.bundle*.js", route => route.FulfillAsync(new RouteFulfillOptions
            {
                Path = bundle,
                ContentType = "text/javascript",
            }));
            // The page's import map pins the bundle by Subresource Integrity: drop the hashes on this page
            // only, or the unminified replacement would be refused.
            await page.RouteAsync(url => new Uri(url).AbsolutePath == "/", async route =>
            {
                var response = await route.FetchAsync();
                var html = await response.TextAsync();
                html = Regex.Replace(html, @",\s*""integrity""\s*:\s*\{[^}]*\}", "");
                html = Regex.Replace(html, @"\sintegrity=""[^""]*""", "");
                await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = html });
            });
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Profiler.enable");
            await cdp.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 1000 });
            await cdp.SendAsync("Profiler.start");
            await page.GotoAsync("/", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync("() => window.__nvrb.marks.ready != null", null,
                new PageWaitForFunctionOptions { Timeout = 180_000, PollingInterval = 100 });
            var result = await cdp.SendAsync("Profiler.stop");
            var profile = SelfTimes(result!.Value.GetProperty("profile"));
            RenderBenchmark.Log($"  profiled {profile.TotalMs:F0} ms, busy {profile.BusyMs:F0} ms");
            return profile;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static CpuProfile SelfTimes(JsonElement profile)
    {
        var names = new Dictionary<int, string>();
        foreach (var node in profile.GetProperty("nodes").EnumerateArray())
        {
            var frame = node.GetProperty("callFrame");
            var fn = frame.GetProperty("functionName").GetString() is { Length: > 0 } f ? f : "(anonymous)";
            var url = frame.GetProperty("url").GetString() ?? "";
            var file = url.Length == 0 ? "" : url[(url.LastIndexOf('/') + 1)..];
            names[node.GetProperty("id").GetInt32()] = file.Length == 0 ? fn : $"{fn} ({file}:{frame.GetProperty("lineNumber").GetInt32() + 1})";
        }
        var samples = profile.GetProperty("samples").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var deltas = profile.GetProperty("timeDeltas").EnumerateArray().Select(x => x.GetDouble() / 1000).ToArray();
        var self = new Dictionary<string, double>();
        for (var i = 0; i < samples.Length; i++)
        {
            // timeDeltas[i + 1] is the time until the next sample: the time spent in sample i.
            var ms = i + 1 < deltas.Length ? deltas[i + 1] : 0;
            var name = names[samples[i]];
            self[name] = self.GetValueOrDefault(name) + ms;
        }
        var busy = self.Where(kv => kv.Key is not "(idle)" and not "(program)").Sum(kv => kv.Value);
        return new CpuProfile(self.Values.Sum(), busy,
            [.. self.OrderByDescending(kv => kv.Value).Where(kv => kv.Key != "(idle)").Take(20).Select(kv => (kv.Key, kv.Value))]);
    }

    public static string ChromiumVersion(string path)
    {
        try
        {
            var p = Process.Start(new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            var v = p?.StandardOutput.ReadToEnd().Trim();
            p?.WaitForExit();
            return v ?? path;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return path;
        }
    }

    private static double EpochMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
}
