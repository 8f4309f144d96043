namespace NetViz.Bench;

/// <summary>
/// The benchmark's fixture containers: busybox <c>sleep 3600</c> on the default bridge, named nvbench-*,
/// labelled netviz.bench=1 so that leftovers of an interrupted run are found and removed by label.
/// </summary>
public static class BenchContainers
{
    public const string Image = "netviz/busybox:lab";
    public const string Label = "netviz.bench=1";
    public const string NamePrefix = "nvbench-";

    /// <summary>How many docker CLI processes create or remove containers at once (the machine has 2 cores).</summary>
    private const int Concurrency = 6;

    /// <summary>Makes sure the pool containers nvbench-pool-000 .. count-1 run, creating only the missing ones, concurrently.</summary>
    public static async Task EnsurePoolAsync(int count)
    {
        var running = (await Commands.CheckedAsync("docker", "ps", "--filter", "label=" + Label, "--format", "{{.Names}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var missing = Enumerable.Range(0, count).Select(PoolName).Where(n => !running.Contains(n)).ToList();
        if (missing.Count == 0) return;
        // A stopped leftover with the same name would make docker run fail.
        await RemoveAsync(missing, quiet: true);
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (name, _) => await Commands.CheckedAsync("docker", RunArguments(name)));
    }

    public static string PoolName(int index) => $"{NamePrefix}pool-{index:000}";

    /// <summary><c>docker run -d</c> arguments for one fixture container.</summary>
    public static string[] RunArguments(string name) =>
        ["run", "-d", "--label", Label, "--name", name, Image, "sleep", "3600"];

    public static async Task RemoveAsync(IReadOnlyCollection<string> namesOrIds, bool quiet = false)
    {
        var batches = namesOrIds.Chunk(20).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (batch, _) =>
        {
            var result = await Commands.RunAsync("docker", ["rm", "-f", .. batch]);
            if (result.ExitCode != 0 && !quiet && !result.Stderr.Contains("No such container", StringComparison.Ordinal))
                Console.Error.WriteLine($"docker rm -f: {result.Stderr.Trim()}");
        });
    }

    /// <summary>Removes every container labelled netviz.bench=1 (also leftovers of an interrupted run).</summary>
    public static async Task RemoveAllAsync()
    {
        var ids = (await Commands.CheckedAsync("docker", "ps", "-aq", "--filter", "label=" + Label))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0)
        {
            Console.WriteLine($"removing {ids.Length} bench containers");
            await RemoveAsync(ids);
        }
    }

    /// <summary>Ids of all running containers on the engine (ours and anyone else's): what both procedures must cover.</summary>
    public static async Task<string[]> RunningIdsAsync() =>
        (await Commands.CheckedAsync("docker", "ps", "-q", "--no-trunc")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
