using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using NetViz.Bench.Render;
using NetViz.Core.Hub;
using NetViz.Testing;

namespace NetViz.Bench;

/// <summary>
/// <c>hub [--agents 20] [--containers 100] [--changes 200] [--interval-ms 100] [--render-runs 3]</c> (or
/// <c>hub --real-agents 3</c>: <see cref="HubRealAgentsBenchmark"/>): the published app as a hub over
/// recorded-feed agents (in-process SSE servers on loopback, each serving a snapshot of one host with N containers,
/// then one new container per change, round robin over the agents). Measures the hub's CPU and memory, and the latency
/// from an agent writing a diff to the hub's /api/events delivering the merged diff holding it, then the dashboard's
/// first render in Chromium (docs/benchmarks.md).
/// </summary>
public static class HubBenchmark
{
    private const string Token = "nvbench-hub-agent-token-0123456789";

    public static async Task<int> RunAsync(string[] args)
    {
        var o = new BenchArgs(args);
        if (o.Int("--real-agents", 0) is > 0 and var real) return await HubRealAgentsBenchmark.RunAsync(o, real);
        int agents = o.Int("--agents", 20), containers = o.Int("--containers", 100), changes = o.Int("--changes", 200);
        var interval = TimeSpan.FromMilliseconds(o.Int("--interval-ms", 100));
        var renderRuns = o.Int("--render-runs", 3);
        Console.WriteLine($"hub benchmark: {agents} recorded-feed agents x {containers} containers, {changes} changes every {interval.TotalMilliseconds} ms; {Machine.Describe()}");

        var feeds = Enumerable.Range(0, agents).Select(i => new RecordedAgent(i, containers)).ToList();
        foreach (var feed in feeds) feed.Start();
        var hubArgs = feeds.SelectMany((f, i) => new[]
        {
            $"--NetViz:Agents:{i}:Name=node-{i:00}", $"--NetViz:Agents:{i}:Url=http://127.0.0.1:{f.Port}/", $"--NetViz:Agents:{i}:Token={Token}",
        }).ToList();
        await using var hub = await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(Arguments: hubArgs));

        // The hub's own SSE stream, as a browser circuit or a script reads it.
        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        var firstAll = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        using var http = new HttpClient { BaseAddress = hub.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var reader = ReadEventsAsync(http, stop.Token, (e, at) =>
        {
            var json = JsonNode.Parse(e.Data)!;
            var nodes = e.Name == "snapshot" ? json["snapshot"]!["nodes"]!.AsArray() : json["addedNodes"]!.AsArray();
            if (e.Name == "snapshot" || !firstAll.Task.IsCompleted)
            {
                var hostsOk = (e.Name == "snapshot" ? nodes : null)?.Count(n => (string?)n!["kind"] == "host" && (string?)n["props"]!["status"] == "ok");
                if (hostsOk == agents) firstAll.TrySetResult(at);
            }
            foreach (var n in nodes)
                if ((string?)n!["kind"] == "container" && (string?)n["props"]!["name"] is { } name && sent.TryRemove(name, out var t0))
                    latencies.Add(Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds);
        });

        await WaitForHostsAsync(hub, agents);
        await Task.Delay(1000);

        var idle = await ProcessStats.MeasureCpuAsync(hub.ProcessId, TimeSpan.FromSeconds(10));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hub idle CPU over 10 s: {idle.OwnPercent:0.00}% of one core"));

        var cpuBefore = ProcessStats.CpuTicks(hub.ProcessId);
        var busy = Stopwatch.StartNew();
        for (var i = 0; i < changes; i++)
        {
            var name = $"nvbench-{i:0000}";
            sent[name] = Stopwatch.GetTimestamp();
            feeds[i % agents].AddContainer(name);
            await Task.Delay(interval);
        }
        var deadline = Stopwatch.StartNew();
        while (!sent.IsEmpty && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        var cpuAfter = ProcessStats.CpuTicks(hub.ProcessId);
        var clk = double.Parse((await Commands.CheckedAsync("getconf", "CLK_TCK")).Trim(), CultureInfo.InvariantCulture);
        var busyCpu = (cpuAfter.OwnTicks - cpuBefore.OwnTicks) / clk / busy.Elapsed.TotalSeconds * 100;
        stop.Cancel();
        try { await reader; } catch (OperationCanceledException) { }

        var stats = latencies.Count > 0 ? Stats.Of(latencies).ToString() : "no samples";
        Console.WriteLine($"agent diff -> hub SSE latency: {stats}; lost: {sent.Count}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hub CPU while changing: {busyCpu:0.0}% of one core; RSS {ProcessStats.StatusKilobytes(hub.ProcessId, "VmRSS") / 1024} MiB, peak {ProcessStats.StatusKilobytes(hub.ProcessId, "VmHWM") / 1024} MiB"));
        // Last: the browser's circuits would otherwise receive the changes above and cost the hub CPU measured there.
        if (renderRuns > 0) await FirstRendersAsync(hub, renderRuns);
        foreach (var feed in feeds) feed.Dispose();
        return sent.IsEmpty ? 0 : 1;
    }

    /// <summary>
    /// The hub's own /api/events, as a browser circuit or a script reads it, until <paramref name="stop"/>: every event
    /// but comments to <paramref name="onEvent"/> with the Stopwatch timestamp of its arrival; reconnects after an error.
    /// </summary>
    internal static Task ReadEventsAsync(HttpClient http, CancellationToken stop, Action<ServerSentEvent, long> onEvent) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, stop);
                var sse = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(stop), 1 << 30);
                while (await sse.ReadAsync(stop) is { } e)
                {
                    var at = Stopwatch.GetTimestamp();
                    if (!e.IsComment) onEvent(e, at);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested) { await Task.Delay(200); }
            catch (OperationCanceledException) { }
        }
    });

    /// <summary>Until every host is in with status ok: polls /api/topology (an SSE reader sees only its first snapshot whole).</summary>
    internal static async Task WaitForHostsAsync(PublishedNetVizServer hub, int agents)
    {
        var all = Stopwatch.StartNew();
        while (true)
        {
            var (_, snapshot) = await hub.GetTopologyAsync();
            var ok = snapshot.RootElement.GetProperty("nodes").EnumerateArray()
                .Count(n => n.GetProperty("kind").GetString() == "host" && n.GetProperty("props").GetProperty("status").GetString() == "ok");
            if (ok == agents) { Console.WriteLine($"all {agents} hosts in the hub's snapshot after {all.Elapsed.TotalMilliseconds:0} ms ({snapshot.RootElement.GetProperty("nodes").GetArrayLength()} nodes)"); break; }
            if (all.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"only {ok} of {agents} hosts ok");
            await Task.Delay(100);
        }
    }

    /// <summary>The hub's dashboard drawn from scratch in Chromium, with the render benchmark's page probe and report.</summary>
    internal static async Task FirstRendersAsync(PublishedNetVizServer hub, int runs)
    {
        var options = RenderOptions.Parse(["--runs", runs.ToString(CultureInfo.InvariantCulture)]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = options.Chromium, Headless = true, Args = HeadlessChromium.Arguments,
        });
        var page = new RenderPage(hub, browser, options);
        var firsts = new List<FirstRender>();
        for (var i = 0; i < runs; i++)
            firsts.Add(await page.FirstRenderAsync(containers: 0, namespaces: 0));
        var report = new RenderReport();
        report.Line($"hub first render in {RenderPage.ChromiumVersion(options.Chromium)}, load average {Machine.LoadAverage()}");
        report.FirstRenders(firsts, options);
        Console.WriteLine(report.ToString());
    }

    /// <summary>
    /// One agent's feed, recorded: a host namespace with a bridge, and per container a namespace with lo and eth0, the
    /// veth pair to the bridge and the container node, as a real agent's /api/events writes them (docs/api.md).
    /// </summary>
    private sealed class RecordedAgent(int index, int containers) : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<(StreamWriter Writer, SemaphoreSlim Gate)> _clients = [];
        private readonly Lock _gate = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly string _stream = Guid.NewGuid().ToString("N");
        private long _sequence = 1;
        private int _next = containers;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public void Start()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            var stream = client.GetStream();
            using var request = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            while (await request.ReadLineAsync() is { Length: > 0 }) { } // headers: every request is GET /api/events
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            await writer.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-NetViz-Stream: {_stream}\r\nConnection: close\r\n\r\n");
            var gate = new SemaphoreSlim(1);
            lock (_gate)
            {
                writer.Write($": netviz topology events\n\nevent: snapshot\nid: {_sequence}\ndata: {Snapshot()}\n\n");
                _clients.Add((writer, gate));
            }
            await writer.FlushAsync();
        }

        public void AddContainer(string name)
        {
            string data;
            lock (_gate)
            {
                var i = _next++;
                var (nodes, edges) = Container(i, name);
                data = new JsonObject
                {
                    ["sequence"] = ++_sequence, ["generatedAt"] = DateTimeOffset.UtcNow.ToString("O"),
                    ["removedNodes"] = new JsonArray(), ["removedEdges"] = new JsonArray(),
                    ["addedNodes"] = nodes, ["addedEdges"] = edges, ["updatedNodes"] = new JsonArray(), ["updatedEdges"] = new JsonArray(),
                }.ToJsonString();
                foreach (var (writer, gate) in _clients)
                {
                    gate.Wait();
                    try { writer.Write($"event: diff\nid: {_sequence}\ndata: {data}\n\n"); writer.Flush(); }
                    catch (IOException) { }
                    finally { gate.Release(); }
                }
            }
        }

        private const ulong HostInode = 4026531840;
        private static ulong Inode(int i) => 4026532000UL + (ulong)i;

        private string Snapshot()
        {
            var nodes = new JsonArray
            {
                Node($"netns:{HostInode}", "netns", "host", null, new JsonObject { ["inode"] = HostInode, ["isHost"] = true }),
                Node($"if:{HostInode}:1", "interface", "eth0", $"netns:{HostInode}", Nic("eth0", 1, "device", HostInode, "192.0.2.1" + index % 10 + "/24")),
                Node($"if:{HostInode}:3", "interface", "docker0", $"netns:{HostInode}", Nic("docker0", 3, "bridge", HostInode, "172.17.0.1/16")),
            };
            var edges = new JsonArray();
            for (var i = 0; i < _next; i++)
            {
                var (n, e) = Container(i, $"web-{i}");
                foreach (var x in n) nodes.Add(x!.DeepClone());
                foreach (var x in e) edges.Add(x!.DeepClone());
            }
            return new JsonObject
            {
                ["sequence"] = _sequence,
                ["snapshot"] = new JsonObject
                {
                    ["generatedAt"] = DateTimeOffset.UtcNow.ToString("O"),
                    ["host"] = new JsonObject { ["hostname"] = $"bench-{index}", ["machineId"] = null, ["netns"] = $"netns:{HostInode}", ["warnings"] = new JsonArray() },
                    ["sources"] = JsonNode.Parse("""{"docker":{"ok":true,"endpoint":"unix:///var/run/docker.sock","version":"20.10.24","error":null},"netlink":{"ok":true,"error":null},"nat":{"ok":true,"degraded":false,"backend":"iptables-nft","error":null}}"""),
                    ["nodes"] = nodes, ["edges"] = edges,
                },
            }.ToJsonString();
        }

        private static (JsonArray Nodes, JsonArray Edges) Container(int i, string name)
        {
            var ns = Inode(i);
            var id = $"{i:x8}".PadRight(64, 'c');
            var hostEnd = $"if:{HostInode}:{100 + i}";
            var eth0 = $"if:{ns}:2";
            var nodes = new JsonArray
            {
                Node($"netns:{ns}", "netns", name, null, new JsonObject { ["inode"] = ns, ["containers"] = new JsonArray($"ctr:{id}") }),
                Node($"if:{ns}:1", "interface", "lo", $"netns:{ns}", Nic("lo", 1, "loopback", ns, "127.0.0.1/8")),
                Node(eth0, "interface", "eth0", $"netns:{ns}", Nic("eth0", 2, "veth", ns, $"172.17.{i / 250}.{i % 250 + 2}/16", peer: hostEnd)),
                Node(hostEnd, "interface", $"veth{i:x6}", $"netns:{HostInode}", Nic($"veth{i:x6}", 100 + i, "veth", HostInode, null, peer: eth0, master: $"if:{HostInode}:3")),
                Node($"ctr:{id}", "container", name, $"netns:{ns}", new JsonObject
                {
                    ["id"] = id, ["name"] = name, ["image"] = "netviz/busybox:lab", ["pid"] = 1000 + i, ["state"] = "running",
                    ["networkMode"] = "bridge", ["netns"] = $"netns:{ns}",
                }),
            };
            var edges = new JsonArray
            {
                Edge($"veth:{eth0}|{hostEnd}", "veth", eth0, hostEnd, new JsonObject()),
                Edge($"bridge-port:{hostEnd}", "bridge-port", hostEnd, $"if:{HostInode}:3", new JsonObject { ["master"] = "docker0", ["masterType"] = "bridge" }),
            };
            return (nodes, edges);
        }

        private static JsonObject Nic(string name, int ifindex, string type, ulong ns, string? address, string? peer = null, string? master = null) => new()
        {
            ["name"] = name, ["ifindex"] = ifindex, ["type"] = type, ["mtu"] = 1500, ["up"] = true, ["operState"] = "up",
            ["addresses"] = address is null ? new JsonArray() : new JsonArray(address), ["master"] = master, ["peer"] = peer, ["netnsInode"] = ns,
        };

        private static JsonObject Node(string id, string kind, string label, string? parent, JsonObject props) =>
            new() { ["id"] = id, ["kind"] = kind, ["label"] = label, ["parent"] = parent, ["props"] = props };

        private static JsonObject Edge(string id, string kind, string source, string target, JsonObject props) =>
            new() { ["id"] = id, ["kind"] = kind, ["source"] = source, ["target"] = target, ["props"] = props };

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_gate) foreach (var (writer, _) in _clients) { try { writer.Dispose(); } catch (IOException) { } }
        }
    }
}
