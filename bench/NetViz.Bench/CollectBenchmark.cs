using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Bench;

/// <summary>
/// <c>collect</c>: one full, fresh <see cref="TopologyCollector.CollectAsync"/> with the real sources, against the
/// lesson's manual procedure scripted the way a person would: for every running container a <c>docker inspect</c>
/// for its pid and an <c>nsenter --target PID --net ip -j link</c>, then one <c>iptables-save</c>.
/// </summary>
public static class CollectBenchmark
{
    private sealed record Row(int Containers, int RunningOnEngine, Stats NetViz, Stats Docker, Stats Netlink, Stats Nat, Stats Build,
        Stats Manual, double ManualInspectMs, double ManualNsenterMs, double ManualIptablesMs, string LoadAverage);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var counts = options.Ints("--counts", [10, 50, 100]);
        var iterations = Math.Max(20, options.Int("--iterations", 30));
        var manualIterations = Math.Max(3, options.Int("--manual-iterations", 3));
        var concurrency = options.Int("--inspect-concurrency", 0);

        Console.WriteLine($"collect: {Machine.Describe()}");
        // Leftovers of an interrupted run go, unless asked to reuse the pool a --keep run left.
        if (!options.Has("--reuse")) await BenchContainers.RemoveAllAsync();

        // One collector for the whole run, as the app holds one: the sources keep their Docker client and
        // cached iptables backend, but every CollectAsync re-reads everything (nothing is cached between calls).
        using var host = new NetlinkHostNetworkSource();
        using var docker = concurrency > 0 ? new DockerEngineSource(maxConcurrentInspects: concurrency) : new DockerEngineSource();
        var nat = new IptablesNatSource();
        var collector = new TopologyCollector(host, docker, nat, TimeProvider.System);

        var rows = new List<Row>();
        try
        {
            foreach (var count in counts)
            {
                var created = Stopwatch.StartNew();
                await BenchContainers.EnsurePoolAsync(count);
                Console.WriteLine($"\n== {count} bench containers running (created/kept in {created.Elapsed.TotalSeconds:0.0} s)");
                // Let dockerd and the kernel settle after the burst of starts.
                await Task.Delay(TimeSpan.FromSeconds(3));
                var running = await BenchContainers.RunningIdsAsync();

                for (var i = 0; i < 5; i++) await collector.CollectAsync(CancellationToken.None); // warm-up (JIT, connections)
                var check = await collector.CollectAsync(CancellationToken.None);
                Verify(check, count);

                var netviz = await TimeAsync(iterations, () => collector.CollectAsync(CancellationToken.None));
                Console.WriteLine($"NetViz CollectAsync      {netviz}");

                // Where the time goes: each source alone, and the pure builder on one set of readings.
                var dockerStats = await TimeAsync(iterations, () => docker.CollectAsync(CancellationToken.None));
                var netlinkStats = await TimeAsync(iterations, () => host.CollectAsync(CancellationToken.None));
                var natStats = await TimeAsync(iterations, () => nat.CollectAsync(CancellationToken.None));
                var readings = await collector.ReadAllAsync(CancellationToken.None);
                var buildStats = await TimeAsync(iterations, () => Task.FromResult(TopologyBuilder.Build(readings)));
                Console.WriteLine($"  docker source alone    {dockerStats}");
                Console.WriteLine($"  netlink source alone   {netlinkStats}");
                Console.WriteLine($"  iptables source alone  {natStats}");
                Console.WriteLine($"  TopologyBuilder.Build  {buildStats}");
                if (options.Has("--profile")) await DockerProfile.RunAsync(iterations);

                var manual = new List<double>();
                double inspectMs = 0, nsenterMs = 0, iptablesMs = 0;
                for (var i = 0; i < manualIterations; i++)
                {
                    var run = await ManualProcedureAsync();
                    manual.Add(run.TotalMs);
                    inspectMs += run.InspectMs / manualIterations;
                    nsenterMs += run.NsenterMs / manualIterations;
                    iptablesMs += run.IptablesMs / manualIterations;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  manual run {i + 1}: {run.TotalMs:0} ms for {run.Containers} containers (docker inspect {run.InspectMs:0}, nsenter ip {run.NsenterMs:0}, iptables-save {run.IptablesMs:0}, docker ps {run.ListMs:0})"));
                }
                var manualStats = Stats.Of(manual);
                Console.WriteLine($"Manual procedure         {manualStats}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Ratio manual/NetViz (medians): {manualStats.Median / netviz.Median:0.0}x   load average {Machine.LoadAverage()}"));

                rows.Add(new Row(count, running.Length, netviz, dockerStats, netlinkStats, natStats, buildStats, manualStats,
                    inspectMs, nsenterMs, iptablesMs, Machine.LoadAverage()));
            }
        }
        finally
        {
            if (!options.Has("--keep")) await BenchContainers.RemoveAllAsync();
        }

        PrintMarkdown(rows);
        var last = rows.LastOrDefault();
        if (last is { Containers: >= 100 })
        {
            var ratio = last.Manual.Median / last.NetViz.Median;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\nGoal at {last.Containers} containers: median < 50 ms: {(last.NetViz.Median < 50 ? "met" : "MISSED")} ({last.NetViz.Median:0.0} ms); " +
                $">= 20x faster: {(ratio >= 20 ? "met" : "MISSED")} ({ratio:0.0}x)"));
        }
        return 0;
    }

    /// <summary>The snapshot really holds every bench container, inside its own namespace, with Docker, netlink and iptables read.</summary>
    private static void Verify(TopologySnapshot snapshot, int expected)
    {
        if (!snapshot.Sources.Docker.Ok || !snapshot.Sources.Netlink.Ok || !snapshot.Sources.Nat.Ok)
            throw new InvalidOperationException($"a source failed: docker={snapshot.Sources.Docker.Error} netlink={snapshot.Sources.Netlink.Error} nat={snapshot.Sources.Nat.Error}");
        var json = JsonSerializer.SerializeToElement(snapshot, TopologyJson.Options);
        var state = TopologyState.FromSnapshot(json);
        var wired = state.WiredContainerIds().ToHashSet(StringComparer.Ordinal);
        var bench = snapshot.Nodes.Where(n => n.Kind == NodeKinds.Container
            && n.Label.StartsWith(BenchContainers.NamePrefix + "pool-", StringComparison.Ordinal)).ToList();
        var wiredBench = bench.Count(n => wired.Contains(n.Id["ctr:".Length..]));
        if (bench.Count != expected || wiredBench != expected)
            throw new InvalidOperationException($"snapshot has {bench.Count} bench containers ({wiredBench} wired to a veth), expected {expected}");
        Console.WriteLine($"snapshot: {snapshot.Nodes.Length} nodes, {snapshot.Edges.Length} edges; all {expected} bench containers wired");
    }

    private static async Task<Stats> TimeAsync<T>(int iterations, Func<Task<T>> action)
    {
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Stats.Of(samples);
    }

    private sealed record ManualRun(int Containers, double TotalMs, double ListMs, double InspectMs, double NsenterMs, double IptablesMs);

    /// <summary>
    /// What the lesson has a person type, as a shell loop would run it, one process after the other:
    /// <code>
    /// for id in $(docker ps -q); do
    ///   pid=$(docker inspect -f '{{.State.Pid}}' "$id")
    ///   nsenter --target "$pid" --net ip -j link
    /// done
    /// iptables-save
    /// </code>
    /// </summary>
    private static async Task<ManualRun> ManualProcedureAsync()
    {
        var total = Stopwatch.StartNew();
        var list = await Commands.RunAsync("docker", "ps", "-q");
        Check(list, "docker ps -q");
        var ids = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        double inspect = 0, nsenter = 0;
        foreach (var id in ids)
        {
            var pidRun = await Commands.RunAsync("docker", "inspect", "-f", "{{.State.Pid}}", id);
            inspect += pidRun.Elapsed.TotalMilliseconds;
            // A container of someone else's that stopped meanwhile: the script moves on, as a person would.
            if (pidRun.ExitCode != 0 || pidRun.Stdout.Trim() is "0" or "") continue;
            var links = await Commands.RunAsync("nsenter", "--target", pidRun.Stdout.Trim(), "--net", "ip", "-j", "link");
            nsenter += links.Elapsed.TotalMilliseconds;
        }
        var iptables = await Commands.RunAsync("iptables-save");
        Check(iptables, "iptables-save");
        return new ManualRun(ids.Length, total.Elapsed.TotalMilliseconds, list.Elapsed.TotalMilliseconds, inspect, nsenter,
            iptables.Elapsed.TotalMilliseconds);
    }

    private static void Check(CommandResult result, string what)
    {
        if (result.ExitCode != 0) throw new InvalidOperationException($"{what} exited with {result.ExitCode}: {result.Stderr.Trim()}");
    }

    private static void PrintMarkdown(IReadOnlyList<Row> rows)
    {
        static string F(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine("\n| bench containers (running on engine) | NetViz median | p95 | min | manual median (n) | ratio | load avg |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Containers} ({r.RunningOnEngine}) | {F(r.NetViz.Median)} ms | {F(r.NetViz.P95)} ms | {F(r.NetViz.Min)} ms | " +
                $"{F(r.Manual.Median)} ms ({r.Manual.Count}) | {(r.Manual.Median / r.NetViz.Median).ToString("0.0", CultureInfo.InvariantCulture)}x | {r.LoadAverage} |");
        Console.WriteLine("\n| bench containers | docker source | netlink source | iptables source | TopologyBuilder.Build | manual: docker inspect / nsenter ip / iptables-save |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Containers} | {F(r.Docker.Median)} ms | {F(r.Netlink.Median)} ms | {F(r.Nat.Median)} ms | {F(r.Build.Median)} ms | " +
                $"{F(r.ManualInspectMs)} / {F(r.ManualNsenterMs)} / {F(r.ManualIptablesMs)} ms |");
    }
}
