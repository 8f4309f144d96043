using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace NetViz.IntegrationTests.Docker;

/// <summary>
/// Independent truth for the Docker and NAT tests: the docker CLI and other host tools run as processes,
/// never NetViz code. Fixtures are named nvnd-* and labelled netviz.test=nvnd.
/// </summary>
public static class DockerCli
{
    public const string Label = "netviz.test=nvnd";
    public const string Image = "netviz/busybox:lab";

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Runs and requires exit code 0; returns trimmed stdout.</summary>
    public static string Must(string file, params string[] args)
    {
        var (code, stdout, stderr) = Run(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout.Trim();
    }

    public static string Docker(params string[] args) => Must("docker", args);

    /// <summary>Fails (not skips) with a clear message when the engine is not there.</summary>
    public static void RequireEngine()
    {
        var (code, _, stderr) = Run("docker", "version", "--format", "{{.Server.Version}}");
        if (code != 0) throw new InvalidOperationException("These tests need a running dockerd at unix:///var/run/docker.sock: " + stderr);
    }

    /// <summary>
    /// Removes every container, then every network, carrying the label: what this suite made, leftovers of an
    /// interrupted earlier run included, and nothing else.
    /// </summary>
    public static void RemoveLabelled(string label)
    {
        var ids = Docker("ps", "-aq", "--filter", "label=" + label).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0) Docker(["rm", "-f", .. ids]);
        var networks = Docker("network", "ls", "-q", "--filter", "label=" + label).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (networks.Length > 0) Docker(["network", "rm", .. networks]);
    }

    /// <summary>Removes the named containers (by exact name; a missing one is fine).</summary>
    public static void RemoveContainers(params string[] names)
    {
        foreach (var name in names) Run("docker", "rm", "-f", name);
    }

    public static JsonElement Inspect(string nameOrId) =>
        JsonDocument.Parse(Docker("inspect", nameOrId)).RootElement[0].Clone();

    public static JsonElement InspectNetwork(string name) =>
        JsonDocument.Parse(Docker("network", "inspect", name)).RootElement[0].Clone();

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Docker and NAT tests create and remove containers: run them one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerCollection
{
    public const string Name = "nvnd docker engine";
}
