using System.Diagnostics;
using NetViz.Core.Traffic;

namespace NetViz.Bench;

/// <summary>
/// <c>rates [--interfaces 300] [--seconds 30]</c>: what sampling link counters once a second costs. Adds
/// interfaces/2 veth pairs named nvbench-rNNNa/b in the host namespace (removed at the end, and by a sweep of the
/// prefix first), then measures this process's CPU time over the same wall time with the sampler off and on, and
/// the time of one counter read. Needs root; sends no packets.
/// </summary>
public static class RatesBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var interfaces = Option(args, "--interfaces", 300);
        var seconds = Option(args, "--seconds", 30);
        Sweep();
        try
        {
            var batch = string.Join('\n', Enumerable.Range(0, interfaces / 2).Select(i => $"link add nvbench-r{i:000}a type veth peer name nvbench-r{i:000}b"));
            var file = Path.GetTempFileName();
            await File.WriteAllTextAsync(file, batch + "\n");
            Run("ip", "-batch", file);
            File.Delete(file);
            using var source = new NetlinkTrafficCounterSource();
            var links = source.Read(DateTimeOffset.UtcNow).Links.Length;
            Console.WriteLine($"rates: {links} links in the host namespace ({interfaces} added), {seconds} s each way; {Machine.Describe()}");

            var reads = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var clock = Stopwatch.StartNew();
                source.Read(DateTimeOffset.UtcNow);
                reads.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"one counter read (RTM_GETSTATS dump + parse): {Stats.Of(reads)}");

            var idle = await CpuOverAsync(seconds, null);
            await using var monitor = new TrafficMonitor(new NetlinkTrafficCounterSource(), TimeProvider.System);
            var on = await CpuOverAsync(seconds, monitor);
            Console.WriteLine($"process CPU, sampler off: {idle:0.000} % of one core");
            Console.WriteLine($"process CPU, sampler on (1/s, one watcher reading every rate): {on:0.000} % of one core");
            Console.WriteLine($"cost of the sampler: {on - idle:0.000} % of one core");
            return 0;
        }
        finally
        {
            Sweep();
        }
    }

    private static async Task<double> CpuOverAsync(int seconds, TrafficMonitor? monitor)
    {
        using var subscription = monitor?.Subscribe();
        var reader = subscription is null ? null : Task.Run(async () =>
        {
            try { await foreach (var _ in subscription.Reader.ReadAllAsync()) { } } catch (OperationCanceledException) { }
        });
        // Warm up first (JIT of the sampling path, the first tier-up): the steady cost is what a watcher pays.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        return cpu / wall.Elapsed.TotalSeconds * 100;
    }

    private static void Sweep()
    {
        foreach (var line in Run("ip", "-o", "link", "show").Split('\n'))
        {
            var name = line.Split(':', 3) is { Length: 3 } parts ? parts[1].Trim().Split('@')[0] : "";
            if (name.StartsWith("nvbench-r", StringComparison.Ordinal) && name.EndsWith('a')) Run("ip", "link", "del", name);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
