using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace NetViz.Bench;

/// <summary>
/// `render`: how fast the dashboard's Topology page draws a real host in real Chromium (issue 5).
/// Starts the published app (the output ./run.sh runs, Production mode) on a free loopback port, builds
/// its own fixtures (docker containers labelled netviz.bench=render, `ip netns` namespaces nvrb-NNN
/// wired by veth to the bridge nvrbbr0) and measures, from inside the page:
/// <list type="bullet">
/// <item>first complete render: navigation start until the graph container carries
/// data-graph-ready="true" and window.netvizCy holds as many nodes as the snapshot;</item>
/// <item>one diff: the websocket frame that carries applyDiff, the synchronous applyDiff call (found by
/// wrapping cy.add), the next drawn frame, and end to end from the kernel/docker command;</item>
/// <item>pan and zoom: requestAnimationFrame deltas while the viewport moves every frame for 2 s.</item>
/// </list>
/// Needs root (ip netns, docker), Docker with the local image netviz/busybox:lab, /usr/bin/chromium and
/// the Microsoft.Playwright 1.64.1 package.
/// </summary>
public static class RenderBenchmark
{
    private const string Prefix = "nvrb";
    private const string BridgeName = "nvrbbr0";
    private const string ContainerLabel = "netviz.bench=render";
    private const string Image = "netviz/busybox:lab";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(15);

    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private sealed record Options(int Runs, int Containers, int Namespaces, string Scenario, string? AppDirectory,
        string? OutFile, string Chromium, int Width, int Height, bool Profile);

    public static async Task<int> RunAsync(string[] args)
    {
        Options options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"render: {e.Message}");
            return 64;
        }

        var report = new StringBuilder();
        await CleanupAsync();
        ServerProcess? server = null;
        try
        {
            var appDirectory = options.AppDirectory ?? await PublishAsync();
            server = await ServerProcess.StartAsync(appDirectory);
            Log($"app at {server.BaseAddress} (content root {appDirectory})");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = options.Chromium,
                Headless = true,
                Args = ChromiumArguments,
            });
            var bench = new Bench(server, browser, options, report);
            report.AppendLine($"machine: {Environment.ProcessorCount} cores, {Chromium(options.Chromium)}, load average before: {LoadAverage()}");
            report.AppendLine();

            if (options.Scenario is "all" or "containers")
            {
                await CreateContainersAsync(options.Containers);
                await bench.ScenarioAsync($"{options.Containers} running containers", expectContainers: options.Containers,
                    expectNamespaces: 0, diff: DiffKind.Container, panZoom: false);
                await RemoveContainersAsync();
            }
            if (options.Scenario is "all" or "namespaces")
            {
                await CreateNamespacesAsync(options.Namespaces);
                await bench.ScenarioAsync($"{options.Namespaces} network namespaces (veth to {BridgeName})", expectContainers: 0,
                    expectNamespaces: options.Namespaces, diff: DiffKind.Namespace, panZoom: true);
            }
            report.AppendLine($"load average after: {LoadAverage()}");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"render: {e}");
            if (server is not null) Console.Error.WriteLine(server.Log);
            return 1;
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            await CleanupAsync();
        }

        Console.WriteLine(report.ToString());
        if (options.OutFile is not null) await File.WriteAllTextAsync(options.OutFile, report.ToString());
        return 0;
    }

    private static Options Parse(string[] args)
    {
        var o = new Options(Runs: 7, Containers: 50, Namespaces: 300, Scenario: "all", AppDirectory: null, OutFile: null,
            Chromium: "/usr/bin/chromium", Width: 1440, Height: 900, Profile: false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--runs" => o with { Runs = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--containers" => o with { Containers = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--namespaces" => o with { Namespaces = Math.Min(999, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--scenario" => o with { Scenario = Next() is var s && s is "all" or "containers" or "namespaces" ? s : throw new ArgumentException($"unknown scenario {s}") },
                "--app-dir" => o with { AppDirectory = Path.GetFullPath(Next()) },
                "--out" => o with { OutFile = Path.GetFullPath(Next()) },
                "--chromium" => o with { Chromium = Next() },
                "--profile" => o with { Profile = true },
                "--width" => o with { Width = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--height" => o with { Height = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return o;
    }

    private enum DiffKind { Container, Namespace }

    private sealed class Bench(ServerProcess server, IBrowser browser, Options options, StringBuilder report)
    {
        public async Task ScenarioAsync(string title, int expectContainers, int expectNamespaces, DiffKind diff, bool panZoom)
        {
            Log($"scenario: {title}");
            var snapshot = await WaitForSnapshotAsync(expectContainers, expectNamespaces);
            report.AppendLine($"### {title}");
            report.AppendLine();
            report.AppendLine($"snapshot: {snapshot.Nodes} nodes, {snapshot.Edges} edges in /api/topology (whole host, incl. other processes' namespaces/containers); load average: {LoadAverage()}");
            report.AppendLine();

            var firsts = new List<FirstRender>();
            for (var run = 0; run < options.Runs; run++)
            {
                var r = await FirstRenderAsync(expectContainers, expectNamespaces);
                Log($"  run {run + 1}: ready {r.Ready:F0} ms, nodes {r.Nodes} (API now {r.SnapshotNodes}{(r.ExactlyVerified ? ", same sequence" : "")}), reset payload {r.PayloadBytes / 1024} KiB");
                firsts.Add(r);
            }
            report.AppendLine($"First complete render, {firsts.Count} runs, each in a fresh browser context (cold HTTP cache), viewport {options.Width}x{options.Height}; ms since navigation start:");
            report.AppendLine();
            report.AppendLine("| phase (ms from navigation start) | median | p95 | min | max |");
            report.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            Row("DOMContentLoaded", firsts.Select(f => f.DomContentLoaded));
            Row("Blazor websocket open", firsts.Select(f => f.WebSocketOpen));
            Row("graph instance created (module imported)", firsts.Select(f => f.CyCreated));
            Row("reset payload frame received", firsts.Select(f => f.ResetFrame));
            Row("reset(): cy.add start (after JSON parse)", firsts.Select(f => f.ResetAddStart));
            Row("reset() returned (incl. layout)", firsts.Select(f => f.ResetEnd));
            Row("first frame drawn after reset", firsts.Select(f => f.FirstDraw));
            Row("**data-graph-ready=\"true\" + node count = snapshot**", firsts.Select(f => f.Ready));
            report.AppendLine();
            report.AppendLine("| inside reset() (ms) | median | p95 | min | max |");
            report.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            Row("frame received -> cy.add start (interop JSON parse + dispatch)", firsts.Select(f => f.ResetAddStart - f.ResetFrame));
            Row("cy.add of all elements", firsts.Select(f => f.AddDuration));
            Row("cy.add end -> layoutstart (filter classes, layout constraints + computation: fcose computes before it emits layoutstart)", firsts.Select(f => f.AddEndToLayoutStart));
            Row("layoutstart -> layoutstop (positions applied)", firsts.Select(f => f.LayoutDuration));
            Row("layoutstop -> reset() returned", firsts.Select(f => f.LayoutStopToResetEnd));
            Row("whole reset() call", firsts.Select(f => f.ResetEnd - f.ResetAddStart));
            report.AppendLine();
            var f0 = firsts[^1];
            report.AppendLine($"reset payload: {f0.PayloadBytes / 1024} KiB websocket frame; graph: {f0.Nodes} nodes, {f0.CyEdges} edges in Cytoscape; layout `{f0.LayoutName}`. "
                + $"Node count checked equal to the drawn nodes of /api/topology (all but non-translating NAT rules and bridgeless networks, as CytoscapeElementMapper.IsDrawn) in {firsts.Count(f => f.ExactlyVerified)} of {firsts.Count} runs (the others: the host changed before the check; all {Prefix} fixtures were in the graph in every run).");
            report.AppendLine();

            var diffs = new List<DiffResult>();
            // One open page for every diff: a first render can take minutes at this size.
            var diffPage = await NewPageAsync();
            await diffPage.GotoAsync("/", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await diffPage.WaitForFunctionAsync("() => window.__nvrb.marks.ready != null", null,
                new PageWaitForFunctionOptions { Timeout = (float)ReadyTimeout.TotalMilliseconds, PollingInterval = 100 });
            await Task.Delay(1500); // let the first layout's frames settle
            for (var run = 0; run < options.Runs; run++)
            {
                var d = await DiffAsync(diffPage, diff, run);
                Log($"  diff {run + 1}: frame->applyDiff end {d.ApplyEnd - d.Frame:F1} ms, ->drawn {d.Drawn - d.Frame:F1} ms, command->drawn {d.EndToEnd:F0} ms");
                diffs.Add(d);
            }
            var picture = await PictureAsync(diffPage);
            var layouts = await CompareLayoutsAsync(diffPage);
            var frames = panZoom ? await PanZoomAsync(diffPage) : null;
            await diffPage.Context.CloseAsync();
            var what = diff == DiffKind.Container ? "`docker run -d` of one more container" : "one more `ip netns add` + veth to the bridge";
            report.AppendLine($"One diff ({what}), {diffs.Count} runs on an open page; ms:");
            report.AppendLine();
            report.AppendLine("| interval (ms) | median | p95 | min | max |");
            report.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            Row("diff frame received -> cy.add start (JSON parse + dispatch)", diffs.Select(d => d.AddStart - d.Frame));
            Row("**diff frame received -> applyDiff returned** (parse, remove/add/patch, placement)", diffs.Select(d => d.ApplyEnd - d.Frame));
            Row("**diff frame received -> next frame drawn with the node**", diffs.Select(d => d.Drawn - d.Frame));
            Row("diff frame received -> data-sequence updated (Blazor round trip)", diffs.Select(d => d.Sequence - d.Frame));
            Row("command started -> diff frame received (kernel/docker event, collect, diff, batch, send)", diffs.Select(d => d.EndToEnd - (d.Drawn - d.Frame)));
            Row("command started -> node drawn (end to end)", diffs.Select(d => d.EndToEnd));
            report.AppendLine();

            report.AppendLine(picture);
            report.AppendLine(layouts);
            if (frames is not null) report.AppendLine(frames);
            if (options.Profile)
            {
                try
                {
                    report.AppendLine(await ProfileFirstRenderAsync());
                }
                catch (PlaywrightException e)
                {
                    report.AppendLine($"CPU profile failed: {e.Message.Split('\n')[0]}");
                    report.AppendLine();
                }
            }
            if (options.OutFile is not null) await File.WriteAllTextAsync(options.OutFile, report.ToString());
        }

        private void Row(string name, IEnumerable<double> values)
        {
            var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
            if (v.Length == 0)
            {
                report.AppendLine($"| {name} | n/a | n/a | n/a | n/a |");
                return;
            }
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Percentile(v, 50):F0} | {Percentile(v, 95):F0} | {v[0]:F0} | {v[^1]:F0} |"));
        }

        private async Task<(int Nodes, int Edges)> WaitForSnapshotAsync(int containers, int namespaces)
        {
            // The monitor notices fixtures through netlink/docker events: wait until they are all in the
            // snapshot and it stopped changing for 3 s, so every run renders the same graph.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            string? lastSequence = null;
            var stableSince = DateTime.UtcNow;
            DateTime? completeSince = null;
            while (true)
            {
                var (sequence, doc) = await server.GetTopologyAsync();
                using (doc)
                {
                    var (ctr, ns) = CountFixtures(doc.RootElement);
                    if (ctr >= containers && ns >= namespaces)
                    {
                        completeSince ??= DateTime.UtcNow;
                        if (sequence != lastSequence)
                        {
                            lastSequence = sequence;
                            stableSince = DateTime.UtcNow;
                        }
                        // Other processes on a shared host may never let it rest: 20 s after the fixtures are in, go on.
                        if (DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(3) || DateTime.UtcNow - completeSince > TimeSpan.FromSeconds(20))
                            return (doc.RootElement.GetProperty("nodes").GetArrayLength(), doc.RootElement.GetProperty("edges").GetArrayLength());
                    }
                    if (DateTime.UtcNow > deadline)
                        throw new TimeoutException($"snapshot shows {ctr}/{containers} containers, {ns}/{namespaces} namespaces after 3 min");
                }
                await Task.Delay(500);
            }
        }

        private async Task<IPage> NewPageAsync()
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = server.BaseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = options.Width, Height = options.Height },
            });
            await context.AddInitScriptAsync(InPageProbe);
            return await context.NewPageAsync();
        }

        private async Task<FirstRender> FirstRenderAsync(int containers, int namespaces)
        {
            var page = await NewPageAsync();
            try
            {
                await page.GotoAsync("/", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
                await page.WaitForFunctionAsync("() => window.__nvrb.marks.ready != null", null,
                    new PageWaitForFunctionOptions { Timeout = (float)ReadyTimeout.TotalMilliseconds, PollingInterval = 50 });
                // The draw after reset can land after the attribute: give it a frame.
                await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
                var (sequence, snapshot) = await server.GetTopologyAsync();
                var snapshotNodes = DrawnNodeCount(snapshot.RootElement);
                snapshot.Dispose();
                var json = await page.EvaluateAsync<string>("() => window.__nvrb.firstRender()");
                using var doc = JsonDocument.Parse(json);
                var r = FirstRender.From(doc.RootElement, snapshotNodes, sequence);
                // Other processes on this host change the topology all the time: the node count is compared
                // exactly when the page's data-sequence is still the API's; the fixtures must be complete always.
                if (r.ExactlyVerified && r.Nodes != snapshotNodes)
                    throw new InvalidOperationException($"graph has {r.Nodes} nodes, snapshot {sequence} has {snapshotNodes}");
                if (r.FixtureNamespaces < namespaces || r.FixtureContainers < containers)
                    throw new InvalidOperationException($"graph shows {r.FixtureNamespaces} {Prefix} namespaces and {r.FixtureContainers} {Prefix} containers");
                return r;
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }

        private async Task<DiffResult> DiffAsync(IPage page, DiffKind kind, int run)
        {
            try
            {
                string targetId;
                double commandEpochMs;
                var name = $"{Prefix}-x{run}";
                if (kind == DiffKind.Namespace)
                {
                    // The netns node id is the nsfs inode, known only after creation: watch for any node
                    // whose label is the new name instead, then check the id against stat.
                    await page.EvaluateAsync("n => window.__nvrb.watch({ label: n })", name);
                    commandEpochMs = EpochMs();
                    await Sh.RunAsync("ip", $"netns add {name}");
                    await Sh.RunAsync("ip", $"link add {name}h type veth peer name eth0 netns {name}");
                    await Sh.RunAsync("ip", $"link set {name}h master {BridgeName} up");
                    var inode = (await Sh.RunAsync("stat", $"-L -c %i /var/run/netns/{name}")).Trim();
                    targetId = $"netns:{inode}";
                }
                else
                {
                    await page.EvaluateAsync("n => window.__nvrb.watch({ label: n })", name);
                    commandEpochMs = EpochMs();
                    var id = (await Sh.RunAsync("docker", $"run -d --label {ContainerLabel} --name {name} {Image} sleep 3600")).Trim();
                    targetId = $"ctr:{id}";
                }
                await page.WaitForFunctionAsync("() => { const w = window.__nvrb.watched; return w && w.drawn != null && w.sequence != null; }", null,
                    new PageWaitForFunctionOptions { Timeout = 300000, PollingInterval = 50 });
                var json = await page.EvaluateAsync<string>("() => JSON.stringify({ ...window.__nvrb.watched, origin: performance.timeOrigin })");
                using var doc = JsonDocument.Parse(json);
                var w = doc.RootElement;
                var seenId = w.GetProperty("id").GetString();
                if (seenId != targetId && kind == DiffKind.Namespace)
                    throw new InvalidOperationException($"the node labelled {name} is {seenId}, stat says {targetId}");
                double D(string p) => w.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                var origin = D("origin");
                return new DiffResult(D("frame"), D("addStart"), D("applyEnd"), D("drawn"), D("sequence"),
                    EndToEnd: origin + D("drawn") - commandEpochMs);
            }
            finally
            {
                if (kind == DiffKind.Namespace) await Sh.RunAsync("ip", $"netns del {Prefix}-x{run}", check: false);
                else await Sh.RunAsync("docker", $"rm -f {Prefix}-x{run}", check: false);
                // The removal's own diff must be applied before the next measurement: the kernel reuses nsfs
                // inodes, so a new namespace created before the old one's removal reached the page can come as an
                // update of the same node id (netns:<inode>) instead of an added node.
                await page.WaitForFunctionAsync("n => !window.netvizCy.nodes().some(e => String(e.data('label') ?? '').split('\\n')[0].split(' · ')[0] === n)",
                    $"{Prefix}-x{run}", new PageWaitForFunctionOptions { Timeout = 300000, PollingInterval = 100 });
                await Task.Delay(1500);
            }
        }

        /// <summary>
        /// One more first render with Chromium's sampling profiler on, the graph module served unminified (the
        /// same sources bundled by esbuild without --minify) so functions keep their names: self time per function.
        /// </summary>
        private async Task<string> ProfileFirstRenderAsync()
        {
            var root = RepositoryRoot();
            var bundle = Path.Combine(Path.GetTempPath(), $"{Prefix}-profile", "netviz-graph.bundle.js");
            await Sh.RunAsync(Path.Combine(root, "node_modules", ".bin", "esbuild"),
                $"src/NetViz.Web/Scripts/netviz-graph.js --bundle --format=esm --outfile={bundle} --log-level=warning", workingDirectory: root);
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
                var profile = result!.Value.GetProperty("profile");
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
                var total = self.Values.Sum();
                var busy = self.Where(kv => kv.Key is not "(idle)" and not "(program)").Sum(kv => kv.Value);
                var sb = new StringBuilder();
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"CPU profile of one first render (navigation to data-graph-ready, unminified module, 1 ms sampling): {total:F0} ms profiled, {busy:F0} ms in JS/GC. Top self time:"));
                sb.AppendLine();
                sb.AppendLine("| function (file:line in the unminified bundle) | self ms | share of busy |");
                sb.AppendLine("| --- | ---: | ---: |");
                foreach (var (name, ms) in self.OrderByDescending(kv => kv.Value).Where(kv => kv.Key != "(idle)").Take(20))
                    sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| `{name.Replace("|", "\\|")}` | {ms:F0} | {100 * ms / Math.Max(busy, 1):F0}% |"));
                Log($"  profiled {total:F0} ms, busy {busy:F0} ms");
                return sb.ToString();
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }

        private async Task<string> CompareLayoutsAsync(IPage page)
        {
            await Task.Delay(1000);
            var sb = new StringBuilder();
            sb.AppendLine("The same elements through the graph module directly (a second, hidden instance in the same page, loopbacks hidden as the page does), per layout; ms (3 rounds, 1 above 1000 nodes):");
            sb.AppendLine();
            sb.AppendLine("| layout | reset() median | reset() max | applyDiff(+1 namespace node) median | applyDiff max |");
            sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            var rounds = new List<JsonDocument>();
            var roundCount = await page.EvaluateAsync<int>("() => window.netvizCy.nodes().length") > 1000 ? 1 : 3;
            for (var i = 0; i < roundCount; i++)
                rounds.Add(JsonDocument.Parse(await page.EvaluateAsync<string>("async () => JSON.stringify(await window.__nvrb.compareLayouts(['lanes', 'layered', 'fcose']))")));
            foreach (var name in new[] { "lanes", "layered", "fcose" })
            {
                var rows = rounds.Select(d => d.RootElement.EnumerateArray().First(e => e.GetProperty("name").GetString() == name)).ToList();
                var reset = rows.Select(r => r.GetProperty("reset").GetDouble()).OrderBy(x => x).ToArray();
                var apply = rows.Select(r => r.GetProperty("applyDiff").GetDouble()).OrderBy(x => x).ToArray();
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {Percentile(reset, 50):F0} | {reset[^1]:F0} | {Percentile(apply, 50):F1} | {apply[^1]:F1} |"));
                Log($"  layout {name}: reset {Percentile(reset, 50):F0} ms, applyDiff {Percentile(apply, 50):F1} ms");
            }
            foreach (var d in rounds) d.Dispose();
            return sb.ToString();
        }

        /// <summary>
        /// The fitted picture as a person sees it (the graph module's measure(), through the automation handle):
        /// the share of container and bridge names drawn at 12 px or more on screen (20 px is the projector goal),
        /// the smallest one, and the crossings between cables counted from node positions.
        /// </summary>
        private static async Task<string> PictureAsync(IPage page)
        {
            var json = await page.EvaluateAsync<string>("""
                () => {
                  const g = window.netvizCy.scratch('_netviz');
                  g.fit();
                  const m = g.measure();
                  const ok = px => m.labels.filter(l => l.drawn && l.inside && l.px >= px).length;
                  return JSON.stringify({ zoom: m.zoom, layout: m.layout, overview: m.overview, n: m.labels.length,
                    at12: ok(12), at20: ok(20), min: Math.min(...m.labels.map(l => l.px)), crossings: m.crossings });
                }
                """);
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            var n = Math.Max(1, r.GetProperty("n").GetInt32());
            var c = r.GetProperty("crossings");
            var line = string.Create(CultureInfo.InvariantCulture,
                $"Fitted picture (`{r.GetProperty("layout").GetString()}`, zoom {r.GetProperty("zoom").GetDouble():F2}, {(r.GetProperty("overview").GetBoolean() ? "overview tiles" : "detail")}): " +
                $"{r.GetProperty("n").GetInt32()} container and bridge names, {100.0 * r.GetProperty("at12").GetInt32() / n:F0} % drawn at >= 12 px, " +
                $"{100.0 * r.GetProperty("at20").GetInt32() / n:F0} % at >= 20 px, smallest {r.GetProperty("min").GetDouble():F1} px; " +
                $"crossings between veth cables {c.GetProperty("veth").GetInt32()}, between any two of the {c.GetProperty("edges").GetInt32()} drawn edges {c.GetProperty("all").GetInt32()}.");
            Log("  " + line);
            return line + Environment.NewLine;
        }

        private async Task<string> PanZoomAsync(IPage page)
        {
            await Task.Delay(2000);
            var sb = new StringBuilder();
            sb.AppendLine("Pan and zoom (viewport moved every animation frame; frame time = requestAnimationFrame delta; headless Chromium, software rendering, `--disable-gpu`):");
            sb.AppendLine();
            sb.AppendLine("| motion | zoom | frames | median frame ms | p95 frame ms | max frame ms | fps | long tasks (>50 ms) |");
            sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (label, script) in new[]
            {
                ("idle (nothing moves)", "window.__nvrb.motion('idle', 2000)"),
                ("pan, whole graph fitted", "window.__nvrb.motion('pan', 2000)"),
                ("zoom in/out around the centre from fit", "window.__nvrb.motion('zoom', 2000)"),
                ("cy.animate pan+zoom 2 s (Cytoscape's own animation)", "window.__nvrb.motion('animate', 2000)"),
                ("pan at zoom 1 (labels readable)", "window.__nvrb.motion('pan1', 2000)"),
            })
            {
                var json = await page.EvaluateAsync<string>($"async () => JSON.stringify(await {script})");
                using var doc = JsonDocument.Parse(json);
                var r = doc.RootElement;
                var deltas = r.GetProperty("deltas").EnumerateArray().Select(x => x.GetDouble()).OrderBy(x => x).ToArray();
                var seconds = r.GetProperty("elapsed").GetDouble() / 1000;
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {label} | {r.GetProperty("zoom").GetDouble():F2} | {deltas.Length} | {Percentile(deltas, 50):F1} | {Percentile(deltas, 95):F1} | {deltas[^1]:F1} | {deltas.Length / seconds:F0} | {r.GetProperty("longTasks").GetInt32()} |"));
                Log($"  {label}: p95 {Percentile(deltas, 95):F1} ms, {deltas.Length / seconds:F0} fps");
                await Task.Delay(500);
            }
            return sb.ToString();
        }
    }

    private sealed record FirstRender(double DomContentLoaded, double WebSocketOpen, double CyCreated, double ResetFrame,
        double ResetAddStart, double AddDuration, double LayoutDuration, double AddEndToLayoutStart, double LayoutStopToResetEnd, double ResetEnd, double FirstDraw, double Ready,
        int Nodes, int CyEdges, int SnapshotNodes, long PayloadBytes, string LayoutName, int FixtureNamespaces, int FixtureContainers,
        bool ExactlyVerified)
    {
        public static FirstRender From(JsonElement e, int snapshotNodes, string? apiSequence)
        {
            double D(string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
            return new FirstRender(D("domContentLoaded"), D("wsOpen"), D("cyCreated"), D("resetFrame"), D("resetAddStart"),
                D("addDuration"), D("layoutDuration"), D("addEndToLayoutStart"), D("layoutStopToResetEnd"), D("resetEnd"), D("firstDraw"), D("ready"),
                e.GetProperty("nodes").GetInt32(), e.GetProperty("edges").GetInt32(), snapshotNodes,
                e.GetProperty("payloadBytes").GetInt64(), e.GetProperty("layoutName").GetString() ?? "?",
                e.GetProperty("fixtureNamespaces").GetInt32(), e.GetProperty("fixtureContainers").GetInt32(),
                ExactlyVerified: e.GetProperty("sequence").GetString() == apiSequence);
        }
    }

    private sealed record DiffResult(double Frame, double AddStart, double ApplyEnd, double Drawn, double Sequence, double EndToEnd);

    /// <summary>
    /// Installed before any page script. Wraps WebSocket (to time the Blazor frames that carry reset/applyDiff),
    /// catches window.netvizCy when the graph module assigns it (to wrap cy.add and listen to layout and
    /// render events) and watches the graph container's data-graph-ready/data-sequence attributes.
    /// </summary>
    private const string InPageProbe = """
        (() => {
          const m = window.__nvrb = { marks: {}, adds: [], layouts: [], renders: [], lastFrame: null, maxFrame: null, watched: null, watchSpec: null };
          const now = () => performance.now();
          // A container's label is "name\nimage", a namespace box's "name · netns INODE".
          const firstLine = e => String(e.data('label') ?? '').split('\n')[0].split(' · ')[0];
          const NativeWebSocket = window.WebSocket;
          window.WebSocket = class extends NativeWebSocket {
            constructor(...args) {
              super(...args);
              // Registered before Blazor sets onmessage, so it runs first for every frame.
              this.addEventListener('open', () => { if (m.marks.wsOpen == null) m.marks.wsOpen = now(); });
              this.addEventListener('message', e => {
                const d = e.data;
                const size = typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
                m.lastFrame = { t: now(), size };
                if (!m.maxFrame || size > m.maxFrame.size) m.maxFrame = m.lastFrame;
              });
            }
          };
          document.addEventListener('DOMContentLoaded', () => { m.marks.domContentLoaded = now(); });

          const instrument = cy => {
            if (m.marks.cyCreated == null) m.marks.cyCreated = now();
            const add = cy.add.bind(cy);
            cy.add = function (eles) {
              const rec = { t0: now(), frame: m.lastFrame };
              const r = add(eles);
              rec.t1 = now(); rec.n = r.length;
              m.adds.push(rec);
              const spec = m.watchSpec;
              if (spec && !m.watched) {
                const hit = r.filter(e => e.isNode() && firstLine(e) === spec.label);
                if (hit.nonempty()) {
                  const w = m.watched = { id: hit[0].id(), frame: rec.frame ? rec.frame.t : null, addStart: rec.t0 };
                  queueMicrotask(() => { w.applyEnd = now(); });
                }
              }
              // A microtask runs when the synchronous reset()/applyDiff() that called add has returned.
              queueMicrotask(() => { rec.end = now(); });
              return r;
            };
            cy.on('layoutstart', e => m.layouts.push({ start: now(), name: e.layout && e.layout.options ? e.layout.options.name : '?' }));
            cy.on('layoutstop', () => { const l = m.layouts[m.layouts.length - 1]; if (l && l.stop == null) l.stop = now(); });
            cy.on('render', () => {
              const t = now();
              if (m.renders.length < 5000) m.renders.push(t);
              const w = m.watched;
              if (w && w.drawn == null && w.applyEnd != null) w.drawn = t;
            });
          };
          let current;
          Object.defineProperty(window, 'netvizCy', {
            configurable: true,
            get: () => current,
            set: cy => { current = cy; if (cy) instrument(cy); },
          });

          new MutationObserver(records => {
            for (const r of records) {
              const el = r.target;
              if (r.attributeName === 'data-graph-ready' && el.getAttribute('data-graph-ready') === 'true' && m.marks.ready == null) m.marks.ready = now();
              if (r.attributeName === 'data-sequence' && m.watched && m.watched.sequence == null && m.watched.applyEnd != null) m.watched.sequence = now();
            }
          }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-graph-ready', 'data-sequence'] });

          // The same elements through the same module, in a second off-screen instance per layout: where the
          // reset time goes, and what one added node costs with each layout.
          m.compareLayouts = async (names) => {
            const original = window.netvizCy;
            const elements = original.elements().map(e => ({ group: e.group(), data: { ...e.data() }, classes: e.classes().filter(c => !c.startsWith('nv-')).join(' ') }));
            const host = original.container().getBoundingClientRect();
            const mod = await import('./js/netviz-graph.bundle.js');
            const results = [];
            for (const name of names) {
              const div = document.createElement('div');
              div.style.cssText = `position:fixed;left:0;top:0;width:${host.width}px;height:${host.height}px;visibility:hidden`;
              document.body.appendChild(div);
              const graph = mod.create(div, null, { layout: name });
              graph.setFilter({ hideLoopback: true });
              const t0 = now();
              graph.reset(elements, 1);
              const t1 = now();
              const netns = elements.find(e => e.data.kind === 'netns' && !e.data.isHost);
              const diff = { sequence: 2, remove: [], update: [], add: [
                { group: 'nodes', data: { id: 'netns:bench', kind: 'netns', label: 'nvrb-bench', search: '' }, classes: netns ? netns.classes : '' },
                { group: 'nodes', data: { id: 'if:bench:1', kind: 'interface', label: 'eth0', type: 'veth', parent: 'netns:bench', search: '' }, classes: 'type-veth' },
              ] };
              const t2 = now();
              graph.applyDiff(diff);
              const t3 = now();
              graph.dispose();
              div.remove();
              results.push({ name, reset: t1 - t0, applyDiff: t3 - t2 });
              await new Promise(r => setTimeout(r, 200));
            }
            window.netvizCy = original;
            return results;
          };

          m.watch = spec => { m.watchSpec = spec; m.watched = null; };

          m.firstRender = () => {
            const cy = window.netvizCy;
            const reset = m.adds[0] || {};
            const layout = m.layouts.find(l => l.start >= (reset.t0 ?? 0)) || {};
            const firstDraw = m.renders.find(t => t >= (reset.end ?? Infinity));
            const nodes = cy.nodes();
            return JSON.stringify({
              domContentLoaded: m.marks.domContentLoaded, wsOpen: m.marks.wsOpen, cyCreated: m.marks.cyCreated,
              resetFrame: reset.frame ? reset.frame.t : null, payloadBytes: reset.frame ? reset.frame.size : 0,
              resetAddStart: reset.t0, addDuration: reset.t1 - reset.t0, resetEnd: reset.end,
              layoutDuration: layout.stop != null ? layout.stop - layout.start : null, layoutName: layout.name ?? 'none',
              addEndToLayoutStart: layout.start != null ? layout.start - reset.t1 : null,
              layoutStopToResetEnd: layout.stop != null ? reset.end - layout.stop : null,
              firstDraw, ready: m.marks.ready, nodes: nodes.length, edges: cy.edges().length,
              sequence: cy.container().getAttribute('data-sequence'),
              fixtureNamespaces: nodes.filter(n => n.data('kind') === 'netns' && /^nvrb-\d+$/.test(firstLine(n))).length,
              fixtureContainers: nodes.filter(n => n.data('kind') === 'container' && /^nvrb-c\d+$/.test(firstLine(n))).length,
            });
          };

          // Moves the viewport once per animation frame for durationMs and returns the frame deltas.
          m.motion = (kind, durationMs) => new Promise(resolve => {
            const cy = window.netvizCy;
            cy.stop();
            if (kind === 'pan1') { cy.zoom({ level: 1, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); cy.center(); }
            else cy.fit(undefined, 40);
            const zoomAtStart = cy.zoom();
            let longTasks = 0;
            const po = new PerformanceObserver(list => { longTasks += list.getEntries().length; });
            try { po.observe({ entryTypes: ['longtask'] }); } catch { /* not supported */ }
            const deltas = [];
            let start = null, last = null, dir = 1;
            if (kind === 'animate') {
              cy.animate({ zoom: { level: zoomAtStart * 3, position: cy.nodes()[0].position() }, pan: undefined }, { duration: durationMs });
            }
            const frame = t => {
              if (start === null) { start = t; last = t; requestAnimationFrame(frame); return; }
              deltas.push(t - last); last = t;
              const elapsed = t - start;
              if (kind === 'pan' || kind === 'pan1') {
                if (Math.floor(elapsed / 500) % 2 !== (dir > 0 ? 0 : 1)) dir = -dir;
                cy.panBy({ x: 6 * dir, y: 3 * dir });
              } else if (kind === 'zoom') {
                const f = elapsed < durationMs / 2 ? 1.02 : 1 / 1.02;
                cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
              }
              if (elapsed < durationMs) requestAnimationFrame(frame);
              else { po.disconnect(); cy.stop(); resolve({ deltas, elapsed, zoom: zoomAtStart, longTasks }); }
            };
            requestAnimationFrame(frame);
          });
        })();
        """;

    // ---- fixtures -----------------------------------------------------------------------------

    private static async Task CreateContainersAsync(int count)
    {
        Log($"creating {count} containers");
        var sw = Stopwatch.StartNew();
        // Four at a time: dockerd on 2 cores gets slower, not faster, with more.
        var names = Enumerable.Range(0, count).Select(i => $"{Prefix}-c{i:D3}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (name, _) =>
            await Sh.RunAsync("docker", $"run -d --label {ContainerLabel} --name {name} {Image} sleep 3600"));
        Log($"  done in {sw.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task RemoveContainersAsync()
    {
        var ids = (await Sh.RunAsync("docker", $"ps -aq --filter label={ContainerLabel}", check: false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0) await Sh.RunAsync("docker", $"rm -f {string.Join(' ', ids)}", check: false);
    }

    private static async Task CreateNamespacesAsync(int count)
    {
        Log($"creating {count} namespaces");
        var sw = Stopwatch.StartNew();
        // One `ip -batch` process instead of 4 x count: each line is what `ip LINE` would do. Names stay
        // within IFNAMSIZ (15 chars): nvrb-NNNh is 9.
        var batch = new StringBuilder();
        batch.AppendLine($"link add {BridgeName} type bridge");
        batch.AppendLine($"link set {BridgeName} up");
        for (var i = 0; i < count; i++)
        {
            var ns = $"{Prefix}-{i:D3}";
            batch.AppendLine($"netns add {ns}");
            batch.AppendLine($"link add {ns}h type veth peer name eth0 netns {ns}");
            batch.AppendLine($"link set {ns}h master {BridgeName} up");
        }
        var file = Path.Combine(Path.GetTempPath(), $"{Prefix}-create.batch");
        await File.WriteAllTextAsync(file, batch.ToString());
        await Sh.RunAsync("ip", $"-batch {file}");
        File.Delete(file);
        Log($"  done in {sw.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task CleanupAsync()
    {
        await RemoveContainersAsync();
        var names = (await Sh.RunAsync("ip", "netns list", check: false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n.StartsWith(Prefix + "-", StringComparison.Ordinal))
            .ToList();
        if (names.Count > 0)
        {
            // Deleting a namespace destroys its end of each veth pair, and with it the host end.
            var file = Path.Combine(Path.GetTempPath(), $"{Prefix}-delete.batch");
            await File.WriteAllLinesAsync(file, names.Select(n => $"netns del {n}"));
            await Sh.RunAsync("ip", $"-force -batch {file}", check: false);
            File.Delete(file);
        }
        if ((await Sh.RunAsync("ip", $"link show {BridgeName}", check: false)).Length > 0)
            await Sh.RunAsync("ip", $"link del {BridgeName}", check: false);
    }

    /// <summary>
    /// Nodes of the snapshot the page draws: as CytoscapeElementMapper.IsDrawn, only translating NAT rules and
    /// Docker networks whose bridge is in the snapshot.
    /// </summary>
    private static int DrawnNodeCount(JsonElement snapshot)
    {
        var nodes = snapshot.GetProperty("nodes").EnumerateArray().ToList();
        var ids = nodes.Select(n => n.GetProperty("id").GetString()).ToHashSet();
        return nodes.Count(n =>
        {
            var props = n.GetProperty("props");
            return n.GetProperty("kind").GetString() switch
            {
                "nat-rule" => props.TryGetProperty("translating", out var t) && t.ValueKind == JsonValueKind.True,
                "network" => props.TryGetProperty("bridge", out var b) && b.ValueKind == JsonValueKind.String && ids.Contains(b.GetString()),
                _ => true,
            };
        });
    }

    private static (int Containers, int Namespaces) CountFixtures(JsonElement snapshot)
    {
        int containers = 0, namespaces = 0;
        foreach (var node in snapshot.GetProperty("nodes").EnumerateArray())
        {
            var label = node.TryGetProperty("label", out var l) ? l.GetString() ?? "" : "";
            var kind = node.GetProperty("kind").GetString();
            if (kind == "container" && label.StartsWith($"{Prefix}-c", StringComparison.Ordinal)) containers++;
            if (kind == "netns" && label.StartsWith($"{Prefix}-", StringComparison.Ordinal) && !label.StartsWith($"{Prefix}-x", StringComparison.Ordinal)) namespaces++;
        }
        return (containers, namespaces);
    }

    // ---- app ----------------------------------------------------------------------------------

    private static async Task<string> PublishAsync()
    {
        var root = RepositoryRoot();
        Log("publishing (scripts/publish.sh: only when sources changed)");
        return (await Sh.RunAsync(Path.Combine(root, "scripts", "publish.sh"), "", workingDirectory: root)).Trim().Split('\n')[^1];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the NetViz repository, or pass --app-dir");
    }

    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;
        private readonly StringBuilder _log = new();

        private ServerProcess(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
            _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        }

        public Uri BaseAddress { get; }

        public string Log
        {
            get { lock (_log) return _log.ToString(); }
        }

        public static async Task<ServerProcess> StartAsync(string publishDirectory)
        {
            var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(publishDirectory, "NetViz.Web.dll"));
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
            // As run.sh: Production, content root = the published folder.
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_CONTENTROOT"] = publishDirectory;
            var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            var server = new ServerProcess(process, baseAddress);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"the app exited ({process.ExitCode}):\n{server.Log}");
                try
                {
                    using var response = await server._http.GetAsync("api/topology");
                    if (response.IsSuccessStatusCode) return server;
                }
                catch (HttpRequestException)
                {
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"the app did not answer in 90 s:\n{server.Log}");
                await Task.Delay(300);
            }
        }

        public async Task<(string? Sequence, JsonDocument Snapshot)> GetTopologyAsync()
        {
            using var response = await _http.GetAsync("api/topology");
            response.EnsureSuccessStatusCode();
            var sequence = response.Headers.TryGetValues("X-NetViz-Sequence", out var values) ? values.FirstOrDefault() : null;
            await using var stream = await response.Content.ReadAsStreamAsync();
            return (sequence, await JsonDocument.ParseAsync(stream));
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static class Sh
    {
        public static async Task<string> RunAsync(string file, string arguments, bool check = true, string? workingDirectory = null)
        {
            var start = new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (check && process.ExitCode != 0)
                throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {await stderr}");
            return await stdout;
        }
    }

    private static double Percentile(double[] sorted, double p)
    {
        // Nearest rank: with 7 runs p95 is the slowest run.
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static double EpochMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Chromium(string path)
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

    private static void Log(string message) => Console.Error.WriteLine($"[render {DateTime.Now:HH:mm:ss}] {message}");
}
