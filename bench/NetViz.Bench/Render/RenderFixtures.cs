using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace NetViz.Bench.Render;

/// <summary>
/// What the render benchmark draws: docker containers labelled netviz.bench=render, and `ip netns` namespaces nvrb-NNN
/// wired by veth to the bridge nvrbbr0. Everything it makes carries the nvrb prefix and is removed by <see cref="CleanupAsync"/>.
/// </summary>
internal static class RenderFixtures
{
    public const string Prefix = "nvrb";
    public const string BridgeName = "nvrbbr0";
    private const string ContainerLabel = "netviz.bench=render";
    private const string Image = "netviz/busybox:lab";

    public static async Task CreateContainersAsync(int count)
    {
        RenderBenchmark.Log($"creating {count} containers");
        var sw = Stopwatch.StartNew();
        // Four at a time: dockerd on 2 cores gets slower, not faster, with more.
        var names = Enumerable.Range(0, count).Select(i => $"{Prefix}-c{i:D3}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (name, _) =>
            await RunContainerAsync(name));
        RenderBenchmark.Log($"  done in {sw.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>`docker run -d` of one labelled container; returns its id.</summary>
    public static async Task<string> RunContainerAsync(string name) =>
        (await Commands.CheckedAsync("docker", "run", "-d", "--label", ContainerLabel, "--name", name, Image, "sleep", "3600")).Trim();

    public static async Task RemoveContainersAsync()
    {
        var ids = (await Commands.RunAsync("docker", "ps", "-aq", "--filter", $"label={ContainerLabel}")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0) await Commands.RunAsync("docker", ["rm", "-f", .. ids]);
    }

    public static async Task CreateNamespacesAsync(int count)
    {
        RenderBenchmark.Log($"creating {count} namespaces");
        var sw = Stopwatch.StartNew();
        // One `ip -batch` process instead of 4 x count: each line is what `ip LINE` would do. Names stay
        // within IFNAMSIZ (15 chars): nvrb-NNNh is 9.
        var batch = new StringBuilder();
        batch.AppendLine($"link add {BridgeName} type bridge");
        batch.AppendLine($"link set {BridgeName} up");
        for (var i = 0; i < count; i++) AppendNamespace(batch, $"{Prefix}-{i:D3}");
        await RunBatchAsync(batch.ToString(), "create", check: true);
        RenderBenchmark.Log($"  done in {sw.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>One more namespace cabled to the bridge; returns its graph node id (netns:&lt;nsfs inode&gt;).</summary>
    public static async Task<string> AddNamespaceAsync(string name)
    {
        // Three commands, as a person would type them (the diff measurement starts before the first).
        await Commands.CheckedAsync("ip", "netns", "add", name);
        await Commands.CheckedAsync("ip", "link", "add", $"{name}h", "type", "veth", "peer", "name", "eth0", "netns", name);
        await Commands.CheckedAsync("ip", "link", "set", $"{name}h", "master", BridgeName, "up");
        return $"netns:{(await Commands.CheckedAsync("stat", "-L", "-c", "%i", $"/var/run/netns/{name}")).Trim()}";
    }

    public static Task RemoveNamespaceAsync(string name) => Commands.RunAsync("ip", "netns", "del", name);

    public static Task RemoveContainerAsync(string name) => Commands.RunAsync("docker", "rm", "-f", name);

    private static void AppendNamespace(StringBuilder batch, string ns)
    {
        batch.AppendLine($"netns add {ns}");
        batch.AppendLine($"link add {ns}h type veth peer name eth0 netns {ns}");
        batch.AppendLine($"link set {ns}h master {BridgeName} up");
    }

    private static async Task RunBatchAsync(string lines, string what, bool check)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{Prefix}-{what}.batch");
        await File.WriteAllTextAsync(file, lines);
        try
        {
            if (check) await Commands.CheckedAsync("ip", "-batch", file);
            else await Commands.RunAsync("ip", "-force", "-batch", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static async Task CleanupAsync()
    {
        await RemoveContainersAsync();
        var names = (await Commands.RunAsync("ip", "netns", "list")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n.StartsWith(Prefix + "-", StringComparison.Ordinal))
            .ToList();
        // Deleting a namespace destroys its end of each veth pair, and with it the host end.
        if (names.Count > 0) await RunBatchAsync(string.Join('\n', names.Select(n => $"netns del {n}")) + "\n", "delete", check: false);
        if ((await Commands.RunAsync("ip", "link", "show", BridgeName)).Stdout.Length > 0)
            await Commands.RunAsync("ip", "link", "del", BridgeName);
    }

    /// <summary>
    /// Nodes of the snapshot the page draws: as CytoscapeElementMapper.IsDrawn, only translating NAT rules and
    /// Docker networks whose bridge is in the snapshot.
    /// </summary>
    public static int DrawnNodeCount(JsonElement snapshot)
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

    public static (int Containers, int Namespaces) CountFixtures(JsonElement snapshot)
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
}
