using System.Diagnostics;
using static NetViz.E2E.Infrastructure.HostCommand;

namespace NetViz.E2E.Infrastructure;

/// <summary>
/// The lesson's lab (<c>./lab.sh up</c>: containers none/host/web/app/db/sidecar/isolated, the hand-made bridge
/// br-lab with the ip netns netviz-lab-blue) plus 20 containers of the test's own: ten more on the default bridge,
/// five on netviz-lab-net, four on a network the test creates and one on both of those (a junction).
/// Everything the test makes is labelled and removed in <see cref="DisposeAsync"/>. Of the lab, exactly what this
/// run created or started is taken back (<c>lab.sh up --record</c> / <c>lab.sh undo</c>): a machine that had the whole
/// lab, none of it, or half of it (networks kept across an engine restart, stopped containers) is left as found.
/// </summary>
public sealed class LabWithExtraContainers : IAsyncLifetime
{
    public const string Label = "netviz.test=nve2e-layout";
    public const string Prefix = "nve2e-lay";
    public const string Network = "nve2e-lay-shop";
    public const string LabNetwork = "netviz-lab-net";

    private readonly string _labRecord = Path.Combine(Path.GetTempPath(), $"nve2e-lab-record-{Environment.ProcessId}.txt");

    /// <summary>Names of the containers the test started, by network ("bridge", netviz-lab-net, the test's, "both").</summary>
    public IReadOnlyDictionary<string, string[]> Extra { get; } = new Dictionary<string, string[]>
    {
        ["bridge"] = Enumerable.Range(1, 10).Select(i => $"{Prefix}-web{i:00}").ToArray(),
        [LabNetwork] = Enumerable.Range(1, 5).Select(i => $"{Prefix}-api{i}").ToArray(),
        [Network] = Enumerable.Range(1, 4).Select(i => $"{Prefix}-shop{i}").ToArray(),
        ["both"] = [$"{Prefix}-gateway"],
    };

    /// <summary>Every container of the lab and of the test, running (the names the dashboard must show).</summary>
    public IReadOnlyList<string> ContainerNames { get; private set; } = [];

    public static string Lab(params string[] args) => Run(Path.Combine(NetViz.Testing.RepositoryPaths.Root, "lab.sh"), args);

    public async Task InitializeAsync()
    {
        Lab("up", "--record", _labRecord);
        RemoveOurs();
        Run("docker", "network", "create", "--label", Label, "--subnet", "10.139.0.0/24", Network);
        foreach (var (network, names) in Extra)
        {
            foreach (var name in names)
            {
                var on = network switch { "bridge" => "bridge", "both" => Network, _ => network };
                Run("docker", "run", "-d", "--name", name, "--label", Label, "--network", on, "netviz/busybox:lab", "sleep", "3600");
                if (network == "both") Run("docker", "network", "connect", LabNetwork, name);
            }
        }
        ContainerNames = Run("docker", "ps", "--format", "{{.Names}}", "--filter", "label=netviz.lab=1").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Concat(Extra.Values.SelectMany(n => n)).Order(StringComparer.Ordinal).ToList();
        await Task.CompletedTask;
    }

    /// <summary>Removes the test's containers and networks (by label), leftovers of an earlier run included.</summary>
    public static void RemoveOurs()
    {
        var ids = Run("docker", "ps", "-aq", "--filter", "label=" + Label).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0) Run("docker", ["rm", "-f", .. ids]);
        var networks = Run("docker", "network", "ls", "-q", "--filter", "label=" + Label).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (networks.Length > 0) Run("docker", ["network", "rm", .. networks]);
    }

    public Task DisposeAsync()
    {
        RemoveOurs();
        if (File.Exists(_labRecord))
        {
            Lab("undo", _labRecord);
            File.Delete(_labRecord);
        }
        return Task.CompletedTask;
    }
}
