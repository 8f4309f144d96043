using NetViz.Bench.Render;

namespace NetViz.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/NetViz.Bench -- &lt;verb&gt;</c>. One verb per file; this only dispatches.
/// Needs root (setns, iptables-save) and a running Docker engine with the image netviz/busybox:lab.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var verb = args.Length > 0 ? args[0] : "";
        var rest = args.Skip(1).ToArray();
        switch (verb)
        {
            case "collect":
                return await CollectBenchmark.RunAsync(rest);
            case "live":
                return await LiveBenchmark.RunAsync(rest);
            case "render": return await RenderBenchmark.RunAsync(rest);
            case "hub": return await HubBenchmark.RunAsync(rest);
            case "path": return await PathBenchmark.RunAsync(rest);
            case "rates": return await RatesBenchmark.RunAsync(rest);
            case "cleanup":
                await BenchContainers.RemoveAllAsync();
                return 0;
            default:
                Console.Error.WriteLine("usage: dotnet run -c Release --project bench/NetViz.Bench -- collect|live|render|cleanup [options]");
                Console.Error.WriteLine("  collect [--counts 10,50,100] [--iterations 30] [--manual-iterations 3] [--inspect-concurrency N] [--profile] [--keep] [--reuse]");
                Console.Error.WriteLine("  live    [--runs 20] [--idle-containers 50] [--idle-seconds 60] [--memory-containers 100] [--namespaces 300] [--storm 1000] [--everywhere-only] [--keep] [--reuse]");
                Console.Error.WriteLine("  render  [--runs 5] [--profile]   first render, one diff and pan/zoom in Chromium (docs/benchmarks.md)");
                Console.Error.WriteLine("  hub     [--agents 20] [--containers 100] [--changes 200] [--interval-ms 100] [--render-runs 3]   hub over recorded-feed agents");
                Console.Error.WriteLine("  hub     --real-agents 3 [--changes 20] [--render-runs 3]   hub over real agents on this machine (adds nvhub3-* namespaces, root)");
                Console.Error.WriteLine("  path    [--containers 100] [--networks 5] [--iterations 200]   PathExplainer latency (in memory, no root)");
                Console.Error.WriteLine("  rates   [--interfaces 300] [--seconds 30]   CPU of sampling link counters once a second (adds nvbench-r* veths, root)");
                Console.Error.WriteLine("  cleanup  removes every container labelled netviz.bench=1");
                return 64;
        }
    }
}
