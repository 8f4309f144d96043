using System.ComponentModel;
using System.Diagnostics;

namespace NetViz.Bench;

/// <param name="ExitedAt">Stopwatch timestamp taken when the process had exited and its output was read: the moment a shell's next command would start.</param>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, long ExitedAt);

/// <summary>Runs a program as a child process, as a shell script would, and times it from start to exit.</summary>
public static class Commands
{
    private static readonly string[] SbinDirectories = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    public static async Task<CommandResult> RunAsync(string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Resolve(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) startInfo.ArgumentList.Add(a);
        startInfo.Environment["LC_ALL"] = "C";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new Win32Exception($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        var errors = await stderr;
        return new CommandResult(process.ExitCode, output, errors, watch.Elapsed, Stopwatch.GetTimestamp());
    }

    /// <summary>Runs it and fails loudly on a non-zero exit code.</summary>
    public static async Task<string> CheckedAsync(string program, params string[] arguments)
    {
        var result = await RunAsync(program, arguments);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Stderr.Trim()}");
        return result.Stdout;
    }

    /// <summary>A bare name through PATH, then the sbin directories a service's PATH may lack (nsenter, iptables-save).</summary>
    public static string Resolve(string program)
    {
        if (program.Contains('/')) return program;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SbinDirectories))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return program;
    }
}
