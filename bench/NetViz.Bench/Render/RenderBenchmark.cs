using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using NetViz.Testing;

namespace NetViz.Bench.Render;

/// <summary>
/// `render`: how fast the dashboard's Topology page draws a real host in real Chromium (issue 5).
/// Starts the published app (the output ./run.sh runs, Production mode; <c>--app-dir</c> names an already published
/// folder) on a free loopback port, builds its own fixtures (<see cref="RenderFixtures"/>) and measures, from inside
/// the page (<see cref="RenderPage"/>): the first complete render, one diff, and pan and zoom (<see cref="RenderScenario"/>).
/// The tables are written by <see cref="RenderReport"/>.
/// Needs root (ip netns, docker), Docker with the local image netviz/busybox:lab, /usr/bin/chromium and
/// the Microsoft.Playwright 1.64.1 package.
/// </summary>
public static class RenderBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        RenderOptions options;
        try
        {
            options = RenderOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"render: {e.Message}");
            return 64;
        }

        var report = new RenderReport();
        await RenderFixtures.CleanupAsync();
        PublishedNetVizServer? server = null;
        try
        {
            if (options.AppDirectory is null) Log("publishing (scripts/publish.sh: only when sources changed)");
            server = await PublishedNetVizServer.StartAsync(options.AppDirectory);
            Log($"app at {server.BaseAddress} (content root {server.PublishDirectory})");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = options.Chromium,
                Headless = true,
                Args = HeadlessChromium.Arguments,
            });
            var scenario = new RenderScenario(server, new RenderPage(server, browser, options), options, report);
            report.Line($"machine: {Environment.ProcessorCount} cores, {RenderPage.ChromiumVersion(options.Chromium)}, load average before: {Machine.LoadAverage()}");
            report.Line();

            if (options.Scenario is "all" or "containers")
            {
                await RenderFixtures.CreateContainersAsync(options.Containers);
                await scenario.RunAsync($"{options.Containers} running containers", expectContainers: options.Containers,
                    expectNamespaces: 0, diff: DiffKind.Container, panZoom: false);
                await RenderFixtures.RemoveContainersAsync();
            }
            if (options.Scenario is "all" or "namespaces")
            {
                await RenderFixtures.CreateNamespacesAsync(options.Namespaces);
                await scenario.RunAsync($"{options.Namespaces} network namespaces (veth to {RenderFixtures.BridgeName})", expectContainers: 0,
                    expectNamespaces: options.Namespaces, diff: DiffKind.Namespace, panZoom: true);
            }
            report.Line($"load average after: {Machine.LoadAverage()}");
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
            await RenderFixtures.CleanupAsync();
        }

        Console.WriteLine(report.ToString());
        if (options.OutFile is not null) await File.WriteAllTextAsync(options.OutFile, report.ToString());
        return 0;
    }

    internal static void Log(string message) => Console.Error.WriteLine($"[render {DateTime.Now:HH:mm:ss}] {message}");
}

/// <summary>What one diff run adds: a container (`docker run -d`) or a namespace cabled to the fixture bridge.</summary>
internal enum DiffKind { Container, Namespace }

internal sealed record RenderOptions(int Runs, int Containers, int Namespaces, string Scenario, string? AppDirectory,
    string? OutFile, string Chromium, int Width, int Height, bool Profile)
{
    public static RenderOptions Parse(string[] args)
    {
        var o = new RenderOptions(Runs: 7, Containers: 50, Namespaces: 300, Scenario: "all", AppDirectory: null, OutFile: null,
            Chromium: HeadlessChromium.ExecutablePath, Width: 1440, Height: 900, Profile: false);
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
                "--width" => o with { Width = Math.Max(320, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--height" => o with { Height = Math.Max(240, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--profile" => o with { Profile = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return o;
    }
}
