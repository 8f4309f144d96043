using System.Diagnostics;

namespace NetViz.E2E.Infrastructure;

/// <summary>Ground truth and fixtures from the host's own tools (docker, stat, ip), never from NetViz.</summary>
public static class HostCommand
{
    /// <summary>Runs a command, requires exit code 0 and returns its trimmed stdout.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {stderr.Result}");
        return stdout.Trim();
    }

    /// <summary>
    /// Removes every container on the host's engine labelled <paramref name="label"/>: what the end-to-end tests
    /// started, leftovers of an interrupted run included, and nothing else.
    /// </summary>
    public static void RemoveContainersLabelled(string label)
    {
        var ids = Run("docker", "ps", "-aq", "--filter", "label=" + label).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0) Run("docker", ["rm", "-f", .. ids]);
    }
}
