using System.Diagnostics;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Live;

/// <summary>Stops the real dockerd and starts it again the way ./test.sh does (scripts/ensure-docker.sh).</summary>
internal static class EngineControl
{
    public static void Stop()
    {
        var pids = DockerCli.Run("pidof", "dockerd").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (pids.Length == 0) throw new InvalidOperationException("dockerd is not running");
        var usesSystemd = DockerCli.Run("systemctl", "is-active", "--quiet", "docker").ExitCode == 0;
        if (usesSystemd) DockerCli.Must("systemctl", "stop", "docker.socket", "docker");
        else DockerCli.Must("kill", ["-TERM", .. pids]);
        var sw = Stopwatch.StartNew();
        while (DockerCli.Run("pidof", "dockerd").ExitCode == 0)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException("dockerd did not stop");
            Thread.Sleep(100);
        }
    }

    public static void Start()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "ensure-docker.sh");
        DockerCli.Must(script);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        throw new InvalidOperationException("NetViz.sln not found above " + AppContext.BaseDirectory);
    }
}
