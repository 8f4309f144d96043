using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetViz.Testing;

namespace NetViz.Bench;

/// <summary>
/// <c>live</c>: the running app. How long after <c>docker run -d</c> returns a browser sees the container wired (SSE diff)
/// and GET /api/topology has it, the same for <c>docker rm -f</c>; CPU while containers sit idle; resident memory;
/// and <see cref="LiveEverywhereBenchmark"/>: changes inside namespaces, 300 namespaces, a fork/exec storm.
/// </summary>
public static class LiveBenchmark
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    /// <summary>Pause between two GET /api/topology polls: tight, without starving the app of the 2 cores.</summary>
    private static readonly TimeSpan PollPause = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var runs = Math.Max(20, options.Int("--runs", 20));
        var idleContainers = options.Int("--idle-containers", 50);
        var idleSeconds = options.Int("--idle-seconds", 60);
        var memoryContainers = options.Int("--memory-containers", 100);
        var namespaces = options.Int("--namespaces", 300);
        var storm = options.Int("--storm", 1000);
        // Only the issue-8 measurements (changes inside namespaces, scale, storm): a shorter run.
        var everywhereOnly = options.Has("--everywhere-only");

        Console.WriteLine($"live: {Machine.Describe()}");
        // Leftovers of an interrupted run go, unless asked to reuse the pool a --keep run left.
        if (!options.Has("--reuse")) await BenchContainers.RemoveAllAsync();
        PublishedNetVizServer? app = null;
        try
        {
            app = await PublishedNetVizServer.StartAsync(options.Text("--app-dir"));
            Console.WriteLine($"NetViz pid {app.ProcessId} on {app.BaseAddress} (content root {app.PublishDirectory}), RSS {ProcessStats.StatusKilobytes(app.ProcessId, "VmRSS") / 1024.0:0} MB");
            await using var sse = new SseTopologyClient(app.BaseAddress);
            await sse.StartAsync(WaitLimit);
            using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = WaitLimit };

            if (!everywhereOnly) await MeasureLatencyAsync(runs, sse, http);
            await LiveEverywhereBenchmark.MeasureChangesAsync(sse, runs);
            if (!everywhereOnly) await MeasureIdleCpuAsync(app.ProcessId, sse, idleContainers, idleSeconds);
            await LiveEverywhereBenchmark.MeasureAtScaleAsync(app, sse, idleContainers, namespaces, idleSeconds, storm);
            if (!everywhereOnly) await MeasureMemoryAsync(app.ProcessId, sse, memoryContainers);
            Console.WriteLine($"SSE: {sse.Snapshots} snapshot event(s), {sse.Diffs} diffs, {sse.Gaps} sequence gaps");
        }
        catch when (app is not null)
        {
            Console.Error.WriteLine($"NetViz output (last lines):\n{app.Log}");
            throw;
        }
        finally
        {
            if (app is not null) await app.DisposeAsync();
            if (!options.Has("--keep")) await BenchContainers.RemoveAllAsync();
            await LiveEverywhereBenchmark.CleanUpAsync();
        }
        return 0;
    }

    private static async Task MeasureLatencyAsync(int runs, SseTopologyClient sse, HttpClient http)
    {
        const int warmUp = 2;
        var addSse = new List<double>();
        var addApi = new List<double>();
        var removeSse = new List<double>();
        var removeApi = new List<double>();
        Console.WriteLine($"\n== latency: {runs} runs (+{warmUp} warm-up) of docker run -d / docker rm -f, load average {Machine.LoadAverage()}");
        for (var i = 0; i < runs + warmUp; i++)
        {
            var name = $"{BenchContainers.NamePrefix}live-{i:00}";
            var run = await Commands.RunAsync("docker", BenchContainers.RunArguments(name));
            if (run.ExitCode != 0) throw new InvalidOperationException($"docker run: {run.Stderr.Trim()}");
            var id = run.Stdout.Trim();
            var api = PollApiAsync(http, state => state.IsWired(id));
            if (!await sse.WaitUntilAsync(() => sse.WiredAt(id) is not null, WaitLimit))
                throw new TimeoutException($"no SSE diff wired {name} within {WaitLimit.TotalSeconds} s");
            var apiAt = await api;
            var sseAdd = Ms(run.ExitedAt, sse.WiredAt(id)!.Value);
            var apiAdd = Ms(run.ExitedAt, apiAt);

            await Task.Delay(500); // let the container's own follow-up events settle before removing it
            var rm = await Commands.RunAsync("docker", "rm", "-f", id);
            if (rm.ExitCode != 0) throw new InvalidOperationException($"docker rm: {rm.Stderr.Trim()}");
            var apiGone = PollApiAsync(http, state => !state.HasNode("ctr:" + id));
            if (!await sse.WaitUntilAsync(() => sse.GoneAt(id) is not null, WaitLimit))
                throw new TimeoutException($"no SSE diff removed {name} within {WaitLimit.TotalSeconds} s");
            var apiGoneAt = await apiGone;
            var sseRemove = Ms(rm.ExitedAt, sse.GoneAt(id)!.Value);
            var apiRemove = Ms(rm.ExitedAt, apiGoneAt);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(i < warmUp ? "warm-up" : $"run {i - warmUp + 1,2}")}: add SSE {sseAdd,6:0.0} ms, API {apiAdd,6:0.0} ms; remove SSE {sseRemove,6:0.0} ms, API {apiRemove,6:0.0} ms" +
                $"   (docker run -d took {run.Elapsed.TotalMilliseconds:0} ms, docker rm -f {rm.Elapsed.TotalMilliseconds:0} ms)"));
            if (i >= warmUp)
            {
                addSse.Add(sseAdd);
                addApi.Add(apiAdd);
                removeSse.Add(sseRemove);
                removeApi.Add(apiRemove);
            }
            await Task.Delay(500);
        }

        Console.WriteLine($"\nload average {Machine.LoadAverage()}");
        Console.WriteLine("| from `docker ... ` returning to | p50 | p95 | min | max |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Row("`run -d` → SSE diff with the container wired", addSse);
        Row("`run -d` → GET /api/topology has it wired", addApi);
        Row("`rm -f` → SSE diff without it", removeSse);
        Row("`rm -f` → GET /api/topology without it", removeApi);
        // Negative: the diff came before the docker CLI process had exited (the engine had already sent "destroy").
        var p95 = Stats.Of(addSse).P95;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Goal p95 < 250 ms (add, SSE): {(p95 < 250 ? "met" : "MISSED")} ({p95:0.0} ms)"));

        static void Row(string what, List<double> samples)
        {
            var s = Stats.Of(samples);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {what} | {s.Median:0} ms | {s.P95:0} ms | {s.Min:0} ms | {s.Max:0} ms |"));
        }
    }

    /// <summary>Polls GET /api/topology until the condition holds; the timestamp is when that response had been read.</summary>
    private static async Task<long> PollApiAsync(HttpClient http, Func<TopologyState, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < WaitLimit)
        {
            var body = await http.GetByteArrayAsync("/api/topology");
            var readAt = Stopwatch.GetTimestamp();
            using var document = JsonDocument.Parse(body);
            if (condition(TopologyState.FromSnapshot(document.RootElement))) return readAt;
            await Task.Delay(PollPause);
        }
        throw new TimeoutException($"GET /api/topology did not show the change within {WaitLimit.TotalSeconds} s");
    }

    private static async Task MeasureIdleCpuAsync(int pid, SseTopologyClient sse, int containers, int seconds)
    {
        Console.WriteLine($"\n== idle CPU: {containers} containers, {seconds} s");
        await ShowPoolAsync(sse, containers);
        await Task.Delay(TimeSpan.FromSeconds(10)); // past the burst of starts and its refreshes
        var diffsBefore = sse.Diffs;
        var cpu = await ProcessStats.MeasureCpuAsync(pid, TimeSpan.FromSeconds(seconds));
        var elapsed = cpu.Elapsed.TotalSeconds;
        var own = cpu.OwnPercent;
        var children = cpu.ChildrenPercent;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"NetViz process: {own:0.00}% of one core (utime+stime, {cpu.OwnTicks} ticks of 1/{cpu.ClockTicks} s in {elapsed:0.0} s); " +
            $"its iptables-save children: {children:0.00}% (cutime+cstime); together {own + children:0.00}%; " +
            $"{sse.Diffs - diffsBefore} diffs meanwhile; load average {Machine.LoadAverage()}"));
        Console.WriteLine($"Goal < 1% of one core: {(own + children < 1 ? "met" : own < 1 ? "met by the process alone, not with its children" : "MISSED")}");
    }

    private static async Task MeasureMemoryAsync(int pid, SseTopologyClient sse, int containers)
    {
        Console.WriteLine($"\n== memory: {containers} containers");
        await ShowPoolAsync(sse, containers);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"NetViz VmRSS {ProcessStats.StatusKilobytes(pid, "VmRSS") / 1024.0:0.0} MB (peak VmHWM {ProcessStats.StatusKilobytes(pid, "VmHWM") / 1024.0:0.0} MB) " +
            $"with {containers} bench containers; load average {Machine.LoadAverage()}"));
    }

    /// <summary>Starts the pool up to <paramref name="count"/> and waits until the SSE view has all of them wired.</summary>
    private static async Task ShowPoolAsync(SseTopologyClient sse, int count)
    {
        var watch = Stopwatch.StartNew();
        await BenchContainers.EnsurePoolAsync(count);
        static bool IsPool(string name) => name.StartsWith(BenchContainers.NamePrefix + "pool-", StringComparison.Ordinal);
        if (!await sse.WaitUntilAsync(() => sse.CountWired(IsPool) >= count, TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"the SSE view has {sse.CountWired(IsPool)} of {count} pool containers wired after 60 s");
        Console.WriteLine($"{count} pool containers running and shown ({watch.Elapsed.TotalSeconds:0} s)");
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
