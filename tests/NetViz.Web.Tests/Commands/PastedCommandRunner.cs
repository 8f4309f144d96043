using System.Diagnostics;
using System.Text;

namespace NetViz.Web.Tests.Commands;

/// <summary>
/// Runs a suggested command the way a person pasting it would (<c>bash -c</c>), in an empty folder, with PATH
/// holding only harmless stand-ins for the tools the commands name. Each stand-in only records its argv; bash
/// builtins stay real, so a redirection smuggled in a name creates a file and a command substitution runs.
/// </summary>
public sealed class PastedCommandRunner : IDisposable
{
    /// <summary>Every program a suggested command may run; anything else is "command not found".</summary>
    public static readonly string[] Stubbed =
        ["ip", "nsenter", "docker", "iptables", "iptables-save", "bridge", "ethtool", "ls", "mkdir", "touch", "mount", "grep", "ss"];

    private readonly string _root = Directory.CreateTempSubdirectory("netviz-paste-").FullName;

    public PastedCommandRunner()
    {
        Directory.CreateDirectory(StubDirectory);
        foreach (var name in Stubbed)
        {
            var path = Path.Combine(StubDirectory, name);
            // Builtins only (PATH has nothing else): one file per call, argv NUL-separated, $0's basename first.
            File.WriteAllText(path,
                "#!/bin/bash\n" +
                "f=\"$NETVIZ_STUB_LOG/$(printf '%s' \"${EPOCHREALTIME/./}\")-$$-$RANDOM\"\n" +
                "printf '%s\\0' \"${0##*/}\" \"$@\" > \"$f\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private string StubDirectory => Path.Combine(_root, "bin");

    /// <summary>What one pasted command did.</summary>
    /// <param name="Calls">argv of every stand-in call, program name first, in call order.</param>
    /// <param name="CreatedFiles">Files that appeared in the (empty) working folder.</param>
    /// <param name="Stderr">bash's error output ("command not found" means the command tried to run something else).</param>
    public sealed record Outcome(IReadOnlyList<string[]> Calls, IReadOnlyList<string> CreatedFiles, string Stderr, int ExitCode);

    public Outcome Run(string command)
    {
        var run = Guid.NewGuid().ToString("n");
        var work = Directory.CreateDirectory(Path.Combine(_root, "cwd-" + run)).FullName;
        var log = Directory.CreateDirectory(Path.Combine(_root, "log-" + run)).FullName;
        var psi = new ProcessStartInfo("/bin/bash")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        psi.Environment.Clear();
        psi.Environment["PATH"] = StubDirectory;
        psi.Environment["HOME"] = work;
        psi.Environment["NETVIZ_STUB_LOG"] = log;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash -c did not finish: {command}");
        }
        var calls = Directory.GetFiles(log).Order(StringComparer.Ordinal)
            .Select(f => File.ReadAllText(f, Encoding.UTF8).TrimEnd('\0').Split('\0'))
            .ToList();
        var created = Directory.EnumerateFileSystemEntries(work, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(work, p)).ToList();
        return new Outcome(calls, created, stderr.Result, process.ExitCode);
    }

    /// <summary>
    /// Asserts that pasting <paramref name="command"/> ran only the stand-ins, created nothing, and that every
    /// argument mentioning one of <paramref name="hostileNames"/> carries that whole name (it was one word, not
    /// split or executed). Returns the outcome for further checks.
    /// </summary>
    public Outcome AssertHarmless(string command, IReadOnlyCollection<string> hostileNames, string marker)
    {
        var outcome = Run(command);
        Assert.True(outcome.CreatedFiles.Count == 0, $"`{command}` created {string.Join(", ", outcome.CreatedFiles)}");
        Assert.DoesNotContain("command not found", outcome.Stderr);
        Assert.DoesNotContain("syntax error", outcome.Stderr);
        Assert.NotEmpty(outcome.Calls);
        foreach (var argv in outcome.Calls)
        {
            Assert.Contains(argv[0], Stubbed);
            foreach (var arg in argv.Where(a => a.Contains(marker, StringComparison.Ordinal)))
                Assert.True(hostileNames.Any(n => arg.Contains(n, StringComparison.Ordinal)),
                    $"`{command}` passed the fragment [{arg}] to {argv[0]}: a name was split or run");
        }
        return outcome;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
