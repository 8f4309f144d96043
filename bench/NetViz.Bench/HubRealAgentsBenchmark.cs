using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using NetViz.Testing;

namespace NetViz.Bench;

/// <summary>
/// <c>hub --real-agents 3 [--changes 20] [--render-runs 3]</c>: the published app as a hub over N real agents (the
/// published app in agent mode, each on its own loopback port). They all watch this one machine, so every kernel
/// change shows up once per agent, under each agent's host prefix. A change is a named namespace with a veth pair into
/// it (<c>nvhub3-NN</c>), made by the bench; the latency runs from just before <c>ip netns add</c> to the hub's own
/// /api/events delivering a diff with that namespace, per agent. Everything made is removed, on failure too.
/// </summary>
public static class HubRealAgentsBenchmark
{
    private const string Token = "nvbench-hub-agent-token-0123456789";
    private const string Prefix = "nvhub3-";

    public static async Task<int> RunAsync(BenchArgs o, int agents)
    {
        int changes = o.Int("--changes", 20), renderRuns = o.Int("--render-runs", 3);
        Console.WriteLine($"hub benchmark: {agents} real agents on this machine, {changes} namespace changes; {Machine.Describe()}");
        var servers = new List<PublishedNetVizServer>();
        var made = new List<int>();
        try
        {
            // The first start publishes when sources changed; the others reuse its folder instead of racing to publish.
            var agentArgs = new[] { "--NetViz:Mode=Agent", $"--NetViz:AuthToken={Token}" };
            servers.Add(await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(Arguments: agentArgs)));
            var app = servers[0].PublishDirectory;
            for (var i = 1; i < agents; i++)
                servers.Add(await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(Arguments: agentArgs, AppDirectory: app)));
            var names = Enumerable.Range(0, agents).Select(i => $"real-{i}").ToList();
            var hubArgs = servers.SelectMany((s, i) => new[]
            {
                $"--NetViz:Agents:{i}:Name={names[i]}", $"--NetViz:Agents:{i}:Url={s.BaseAddress}", $"--NetViz:Agents:{i}:Token={Token}",
            }).ToList();
            var hub = await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(Arguments: hubArgs, AppDirectory: app));
            servers.Add(hub);

            // Per namespace name: when the bench started making it, and when each host's copy reached the hub's stream.
            var started = new ConcurrentDictionary<string, long>();
            var seen = new ConcurrentDictionary<(string Name, string Host), long>();
            using var http = new HttpClient { BaseAddress = hub.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            using var stop = new CancellationTokenSource();
            var reader = HubBenchmark.ReadEventsAsync(http, stop.Token, (e, at) =>
            {
                if (e.Name != "diff") return;
                var json = JsonNode.Parse(e.Data)!;
                foreach (var n in json["addedNodes"]!.AsArray().Concat(json["updatedNodes"]!.AsArray()))
                    if ((string?)n!["kind"] == "netns" && (string?)n["props"]!["name"] is { } name && started.ContainsKey(name)
                        && ((string?)n["id"])?.Split('/')[0] is { } host)
                        seen.TryAdd((name, host), at);
            });

            await HubBenchmark.WaitForHostsAsync(hub, agents);
            await Task.Delay(1000);
            var idle = await ProcessStats.MeasureCpuAsync(hub.ProcessId, TimeSpan.FromSeconds(10));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hub idle CPU over 10 s: {idle.OwnPercent:0.00}% of one core"));

            var perHost = names.ToDictionary(n => n, _ => new List<double>());
            var worst = new List<double>();
            var lost = 0;
            var cpuBefore = ProcessStats.CpuTicks(hub.ProcessId);
            var busy = Stopwatch.StartNew();
            for (var i = 0; i < changes; i++)
            {
                var ns = $"{Prefix}{i:00}";
                made.Add(i);
                started[ns] = Stopwatch.GetTimestamp();
                await Commands.CheckedAsync("ip", "netns", "add", ns);
                await Commands.CheckedAsync("ip", "link", "add", $"nvhub3v{i:00}", "type", "veth", "peer", "name", $"nvhub3p{i:00}", "netns", ns);
                var wait = Stopwatch.StartNew();
                while (names.Any(h => !seen.ContainsKey((ns, h))) && wait.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
                var t0 = started[ns];
                var got = names.Where(h => seen.ContainsKey((ns, h))).ToList();
                foreach (var h in got) perHost[h].Add(Stopwatch.GetElapsedTime(t0, seen[(ns, h)]).TotalMilliseconds);
                if (got.Count == names.Count) worst.Add(got.Max(h => Stopwatch.GetElapsedTime(t0, seen[(ns, h)]).TotalMilliseconds));
                else lost++;
                Console.WriteLine($"{ns}: " + string.Join(", ", names.Select(h => seen.TryGetValue((ns, h), out var t)
                    ? string.Create(CultureInfo.InvariantCulture, $"{h} {Stopwatch.GetElapsedTime(t0, t).TotalMilliseconds:0} ms") : $"{h} lost")));
                // Removed again (the veth pair goes with its namespace) so the hub also carries a removal per change.
                await RemoveAsync(i);
                made.Remove(i);
                await Task.Delay(500);
            }
            var cpuAfter = ProcessStats.CpuTicks(hub.ProcessId);
            var clk = double.Parse((await Commands.CheckedAsync("getconf", "CLK_TCK")).Trim(), CultureInfo.InvariantCulture);
            var busyCpu = (cpuAfter.OwnTicks - cpuBefore.OwnTicks) / clk / busy.Elapsed.TotalSeconds * 100;
            stop.Cancel();
            try { await reader; } catch (OperationCanceledException) { }

            foreach (var h in names)
                Console.WriteLine($"kernel change -> hub SSE, host {h}: {(perHost[h].Count > 0 ? Stats.Of(perHost[h]).ToString() : "no samples")}");
            Console.WriteLine($"kernel change -> hub SSE, all {agents} hosts in (max per change): {(worst.Count > 0 ? Stats.Of(worst).ToString() : "no samples")}; lost: {lost}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hub CPU while changing: {busyCpu:0.0}% of one core over {busy.Elapsed.TotalSeconds:0} s; RSS {ProcessStats.StatusKilobytes(hub.ProcessId, "VmRSS") / 1024} MiB, peak {ProcessStats.StatusKilobytes(hub.ProcessId, "VmHWM") / 1024} MiB"));
            foreach (var (s, i) in servers.Take(agents).Select((s, i) => (s, i)))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"agent {names[i]}: RSS {ProcessStats.StatusKilobytes(s.ProcessId, "VmRSS") / 1024} MiB, peak {ProcessStats.StatusKilobytes(s.ProcessId, "VmHWM") / 1024} MiB"));
            if (renderRuns > 0) await HubBenchmark.FirstRendersAsync(hub, renderRuns);
            return lost == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var i in made.ToList()) await RemoveAsync(i);
            foreach (var s in Enumerable.Reverse(servers)) await s.DisposeAsync();
        }
    }

    /// <summary>Deletes namespace i and, should it outlive its namespace's peer, its host-side veth; absent is fine.</summary>
    private static async Task RemoveAsync(int i)
    {
        await Commands.RunAsync("ip", "netns", "del", $"{Prefix}{i:00}");
        await Commands.RunAsync("ip", "link", "del", $"nvhub3v{i:00}");
    }
}
