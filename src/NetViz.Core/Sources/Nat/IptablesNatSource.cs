using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;

namespace NetViz.Core.Sources.Nat;

/// <summary>
/// Reads the host namespace's nat and filter tables by running <c>iptables-save -c -t nat</c> and
/// <c>-t filter</c>: read-only (iptables-save only dumps), works on both the nft and legacy backends,
/// and carries the DNAT destinations and addrtype matches that <c>nft -j</c> loses for iptables-nft rules.
/// </summary>
public sealed class IptablesNatSource : INatSource
{
    public const string DefaultIptablesSave = "iptables-save";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    // A service's PATH often lacks the sbin directories where Debian installs iptables-save.
    private static readonly string[] SbinDirectories = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    private readonly string _iptablesSave;
    private readonly TimeSpan _timeout;
    private string? _backend;

    /// <param name="iptablesSavePath">
    /// The iptables-save binary: a path, or a bare name looked up in PATH and the sbin directories.
    /// </param>
    /// <param name="timeout">Per invocation; the child is killed when it is exceeded. Default 5 s.</param>
    public IptablesNatSource(string iptablesSavePath = DefaultIptablesSave, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(iptablesSavePath);
        _iptablesSave = iptablesSavePath;
        _timeout = timeout ?? DefaultTimeout;
    }

    /// <summary>The binary that will be run (after PATH lookup of a bare name).</summary>
    public string IptablesSavePath => Resolve(_iptablesSave);

    public async Task<NatView> CollectAsync(CancellationToken cancellationToken)
    {
        var binary = Resolve(_iptablesSave);
        try
        {
            _backend ??= await ReadBackendAsync(binary, cancellationToken).ConfigureAwait(false);

            // One process for every table: the poll runs every couple of seconds, and each spawn of
            // iptables-save costs more than parsing what it prints.
            var run = await RunAsync(binary, ["-c"], cancellationToken).ConfigureAwait(false);
            if (run.ExitCode != 0)
                return Failed(
                    $"{binary} -c exited with code {run.ExitCode}: {Summarize(run.Stderr)} " +
                    "Reading iptables rules needs root or the CAP_NET_ADMIN capability.");

            var parsed = IptablesSaveParser.Parse(run.Stdout);
            return new NatView
            {
                Ok = true,
                Backend = _backend,
                Rules = parsed.RulesOf("nat"),
                FilterRules = parsed.RulesOf("filter"),
                Chains = [.. parsed.Chains.Where(c => c.Table is "nat" or "filter")],
                Warnings = parsed.Warnings,
            };
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 2 /* ENOENT */)
        {
            return Failed($"iptables-save not found ({binary}): install iptables to see NAT rules.");
        }
        catch (Win32Exception e)
        {
            return Failed($"Cannot run {binary}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            return Failed(e.Message);
        }
    }

    private NatView Failed(string error) => new() { Ok = false, Backend = _backend, Error = error };

    /// <summary>"iptables-save v1.8.9 (nf_tables)" or "iptables-save v1.8.9 (legacy)".</summary>
    private async Task<string?> ReadBackendAsync(string binary, CancellationToken cancellationToken)
    {
        var run = await RunAsync(binary, ["--version"], cancellationToken).ConfigureAwait(false);
        return run.ExitCode == 0 ? BackendFromVersion(run.Stdout + run.Stderr) : null;
    }

    public static string? BackendFromVersion(string versionText) =>
        versionText.Contains("(nf_tables)", StringComparison.Ordinal) ? "iptables-nft"
        : versionText.Contains("(legacy)", StringComparison.Ordinal) ? "iptables-legacy"
        : null;

    private sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

    private async Task<ProcessResult> RunAsync(string binary, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in arguments) startInfo.ArgumentList.Add(a);
        // The C locale keeps iptables' messages in the English the hints are written for.
        startInfo.Environment["LC_ALL"] = "C";

        using var process = Process.Start(startInfo) ?? throw new Win32Exception($"could not start {binary}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillQuietly(process);
            throw new TimeoutException($"{binary} {string.Join(' ', arguments)} did not finish within {_timeout.TotalSeconds:0.#} s.");
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw;
        }
    }

    private static void KillQuietly(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        catch (Win32Exception) { }
    }

    private static string Summarize(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "(no error output)." : trimmed.Length > 500 ? trimmed[..500] + "..." : trimmed;
    }

    private static string Resolve(string binary)
    {
        if (binary.Contains('/')) return binary;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SbinDirectories))
        {
            var candidate = Path.Combine(dir, binary);
            if (File.Exists(candidate)) return candidate;
        }
        return binary; // Process.Start reports it as not found.
    }
}
