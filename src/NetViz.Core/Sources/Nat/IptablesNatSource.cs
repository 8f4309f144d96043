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

    /// <summary>Bytes of stderr kept for an error message; the rest is drained and dropped.</summary>
    private const int MaxStderrBytes = 4096;

    private readonly string _iptablesSave;
    private readonly string? _ip6tablesSave;
    private readonly string? _nft;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    // Whether Docker's own nftables tables exist (Docker 29, --firewall-backend=nftables), and when that was last asked.
    private bool _nativeNftables;
    private DateTimeOffset _nftablesCheckedAt = DateTimeOffset.MinValue;

    /// <summary>How often a host without Docker's nftables tables is asked again whether it has them now.</summary>
    public static readonly TimeSpan NftablesRecheck = TimeSpan.FromSeconds(60);
    private readonly IptablesSaveLimits _limits;
    private string? _backend;

    /// <param name="iptablesSavePath">
    /// The iptables-save binary: a path, or a bare name looked up in PATH and the sbin directories.
    /// </param>
    /// <param name="timeout">Per invocation; the child is killed when it is exceeded. Default 5 s.</param>
    /// <param name="limits">Bounds on bytes, rules and warnings read; default <see cref="IptablesSaveLimits.Default"/> (nat and filter kept).</param>
    /// <param name="ip6tablesSavePath">
    /// The ip6tables-save binary; null derives it from <paramref name="iptablesSavePath"/> (iptables-nft-save → ip6tables-nft-save),
    /// "" reads no IPv6 rules.
    /// </param>
    /// <param name="nftPath">The nft binary, for Docker 29's native nftables tables; "" never runs it.</param>
    /// <param name="time">Clock for the nftables re-check.</param>
    /// <param name="printsHostNftables">
    /// Whether the program prints this namespace's nftables rule set (so the nftables generation says when to run it and
    /// the counter dumps stand for its counters); null: only iptables-nft itself does (<see cref="IsIptablesOwn"/>). A
    /// wrapper that execs iptables-nft (a test's counting wrapper) may say true.
    /// </param>
    public IptablesNatSource(string iptablesSavePath = DefaultIptablesSave, TimeSpan? timeout = null, IptablesSaveLimits? limits = null,
        string? ip6tablesSavePath = null, string nftPath = "nft", TimeProvider? time = null, bool? printsHostNftables = null)
    {
        _nft = string.IsNullOrEmpty(nftPath) ? null : nftPath;
        _time = time ?? TimeProvider.System;
        ArgumentException.ThrowIfNullOrWhiteSpace(iptablesSavePath);
        _iptablesSave = iptablesSavePath;
        _printsNftables = printsHostNftables ?? IsIptablesOwn(iptablesSavePath);
        _ip6tablesSave = ip6tablesSavePath is null ? Ip6Sibling(iptablesSavePath) : ip6tablesSavePath.Length == 0 ? null : ip6tablesSavePath;
        _timeout = timeout ?? DefaultTimeout;
        _limits = (limits ?? IptablesSaveLimits.Default) with { Tables = KeptTables };
    }

    private readonly bool _printsNftables;

    private static readonly IReadOnlySet<string> KeptTables = new HashSet<string>(StringComparer.Ordinal) { "nat", "filter" };

    /// <summary>The binary that will be run (after PATH lookup of a bare name).</summary>
    public string IptablesSavePath => Resolve(_iptablesSave);

    /// <summary>The IPv6 binary that will be run, or null when IPv6 rules are not read.</summary>
    public string? Ip6tablesSavePath => _ip6tablesSave is { } b ? Resolve(b) : null;

    /// <summary>
    /// The ip6tables twin of an iptables-save binary, in the same directory: iptables-save → ip6tables-save,
    /// iptables-legacy-save → ip6tables-legacy-save. Null when the name is not an iptables one (a stand-in script).
    /// </summary>
    public static string? Ip6Sibling(string iptablesSavePath)
    {
        var slash = iptablesSavePath.LastIndexOf('/');
        var name = iptablesSavePath[(slash + 1)..];
        if (!name.StartsWith("iptables", StringComparison.Ordinal) || !name.EndsWith("-save", StringComparison.Ordinal)) return null;
        return iptablesSavePath[..(slash + 1)] + "ip6" + name["ip".Length..];
    }

    /// <summary>
    /// Whether the iptables-save this source runs is iptables-nft (asked once, <c>--version</c>): then every rule it
    /// shows lives in nftables, and a namespace's nftables generation says whether they changed.
    /// </summary>
    public async Task<bool> UsesNftablesAsync(CancellationToken cancellationToken)
    {
        try
        {
            _backend ??= await ReadBackendAsync(Resolve(_iptablesSave), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Win32Exception or TimeoutException)
        {
            return false;
        }
        return _backend == "iptables-nft";
    }

    public async Task<NatView> CollectAsync(CancellationToken cancellationToken)
    {
        // Asked before the rules are read: a change while they are being read moves it past what is recorded, so the
        // next comparison reads them again rather than trusting a reading that may predate the change.
        var generation = await UsesNftablesAsync(cancellationToken).ConfigureAwait(false) ? NftablesGeneration.ReadCurrent() : null;
        var view = await ReadRulesAsync(cancellationToken).ConfigureAwait(false);
        _lastRead = (view, generation);
        return view;
    }

    /// <summary>
    /// The last reading and the nftables generation it was read at (null generation: not on iptables-nft, or unknown).
    /// Only the collector's loop calls this source, one call at a time.
    /// </summary>
    private (NatView View, uint? Generation)? _lastRead;

    /// <summary>
    /// Whether the last reading is one whose rules live in nftables alone (iptables-nft, read in full, no legacy tables
    /// beside it, no Docker nftables tables of its own) and the generation it was read at: null when not.
    /// </summary>
    private (NatView View, uint Generation)? NftablesReading() =>
        _lastRead is ({ Ok: true, Degraded: false, Backend: "iptables-nft" } view, { } generation) && !LegacyTablesLoaded() && _printsNftables
            ? (view, generation) : null;

    /// <summary>
    /// Whether the program is iptables-nft itself (the iptables-save name of the multi-call binary xtables-nft-multi,
    /// through any links: Debian's /usr/sbin/iptables-save -> /etc/alternatives -> iptables-nft-save -> xtables-nft-multi),
    /// which prints this namespace's nftables rule set: only then do the nftables generation and counter dumps stand for
    /// what it would print. A stand-in (a wrapper script, a program reading rules elsewhere) is run each time the rules
    /// are due, and polled.
    /// </summary>
    public static bool IsIptablesOwn(string iptablesSavePath)
    {
        if (Ip6Sibling(iptablesSavePath) is null) return false;
        try
        {
            var file = new FileInfo(Resolve(iptablesSavePath));
            return (file.ResolveLinkTarget(returnFinalTarget: true)?.Name ?? file.Name) == "xtables-nft-multi";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// iptables-nft itself looks here to say "iptables-legacy tables present": the legacy backend's tables are listed in
    /// /proc/net/ip_tables_names (ip6_tables_names) once it holds any. Such rules bump no nftables generation.
    /// </summary>
    internal static bool LegacyTablesLoaded() => NotEmpty("/proc/net/ip_tables_names") || NotEmpty("/proc/net/ip6_tables_names");

    private static bool NotEmpty(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            return file.ReadByte() >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // no x_tables module loaded: no legacy tables
        }
    }

    public Task<bool> RulesMayHaveChangedAsync(CancellationToken cancellationToken) =>
        Task.FromResult(NftablesReading() is not { } reading || NftablesGeneration.ReadCurrent() != reading.Generation);

    /// <summary>
    /// On iptables-nft: the counters of the nat and filter rules (and of the built-in chains) from nftables dumps in
    /// process, put onto the last reading by chain and position (<see cref="NftablesCounterMapping"/>). Null, so that
    /// iptables-save reads everything, when the generation moved since that reading, the dump does not fit it, or fails.
    /// </summary>
    public Task<NatView?> ReadCountersAsync(CancellationToken cancellationToken)
    {
        if (NftablesReading() is not { } reading || NftablesGeneration.ReadCurrent() is not { } generation || generation != reading.Generation)
            return Task.FromResult<NatView?>(null);
        try
        {
            var dumps = NftablesCounterMapping.TablesOf(reading.View, Ip6tablesSavePath is not null)
                .Select(t => NftablesCounterDump.Read(t.Family, t.Table, generation)).ToList();
            if (NftablesCounterMapping.Apply(reading.View, dumps, out var mismatch) is not { } counted)
            {
                LastCounterMismatch = mismatch;
                return Task.FromResult<NatView?>(null);
            }
            _lastRead = (counted, generation);
            return Task.FromResult<NatView?>(counted);
        }
        catch (NftablesDumpException e)
        {
            LastCounterMismatch = e.Message;
            return Task.FromResult<NatView?>(null);
        }
    }

    /// <summary>Why the last <see cref="ReadCountersAsync"/> that could not use the dump gave up (for tests and diagnostics).</summary>
    public string? LastCounterMismatch { get; private set; }

    private async Task<NatView> ReadRulesAsync(CancellationToken cancellationToken)
    {
        var binary = Resolve(_iptablesSave);
        try
        {
            _backend ??= await ReadBackendAsync(binary, cancellationToken).ConfigureAwait(false);

            // One process for every table: the poll runs every couple of seconds, and each spawn of
            // iptables-save costs more than parsing what it prints.
            var run = await RunAsync(binary, ["-c"], stdout => IptablesSaveParser.ParseAsync(stdout, _limits, cancellationToken),
                parsed => parsed.Truncated is not null, cancellationToken).ConfigureAwait(false);
            var parsed = run.Output;
            // Stopped reading at a limit: the process was killed, so its exit code says nothing.
            if (parsed.Truncated is null && run.ExitCode != 0)
                return Failed(DescribeExit(binary, run.ExitCode, run.Stderr));
            var backend = _backend;
            // iptables-nft says when the legacy backend holds rules too ("# Warning: iptables-legacy tables present, use
            // iptables-legacy-save to see them"): the rules a Docker on the legacy backend wrote. Read those instead.
            if (parsed.LegacyTablesPresent && LegacySibling(binary) is { } legacy)
            {
                var legacyRun = await RunAsync(legacy, ["-c"], stdout => IptablesSaveParser.ParseAsync(stdout, _limits, cancellationToken),
                    p => p.Truncated is not null, cancellationToken).ConfigureAwait(false);
                if (legacyRun.Output.Truncated is not null || legacyRun.ExitCode == 0)
                {
                    parsed = legacyRun.Output;
                    backend = "iptables-legacy";
                }
            }
            var native = await ReadNativeNftablesAsync(cancellationToken).ConfigureAwait(false);
            if (native is { HasDockerTables: true })
            {
                backend = "nftables";
                parsed = parsed with { Truncated = parsed.Truncated ?? native.Truncated };
            }

            var degradedBecause = parsed.Truncated is { } cut ? $"NAT rules incomplete: {cut}."
                : parsed.MostlyUnreadable ? $"NAT rules unreliable: {parsed.FailedLines} of {parsed.Lines} lines of {binary} -c could not be parsed (is it iptables-save?)."
                : null;
            var ip6 = await CollectIp6Async(cancellationToken).ConfigureAwait(false);
            var nft = native is { HasDockerTables: true } ? native : null;
            return new NatView
            {
                Ok = degradedBecause is null,
                Degraded = degradedBecause is not null,
                Error = degradedBecause,
                Backend = backend,
                Rules = [.. parsed.RulesOf("nat"), .. nft?.Rules ?? []],
                FilterRules = [.. parsed.RulesOf("filter"), .. nft?.FilterRules ?? []],
                Chains = [.. parsed.Chains, .. nft?.Chains ?? []],
                Warnings = [.. parsed.Warnings, .. ip6.Warnings.Select(w => "ip6tables-save: " + w), .. native?.Warnings.Select(w => "nft: " + w) ?? []],
                Ip6Rules = [.. ip6.Rules, .. nft?.Ip6Rules ?? []],
                Ip6FilterRules = [.. ip6.FilterRules, .. nft?.Ip6FilterRules ?? []],
                Ip6Chains = [.. ip6.Chains, .. nft?.Ip6Chains ?? []],
                Ip6Error = ip6.Error,
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

    /// <summary>
    /// Docker 29's native nftables tables (<c>ip docker-bridges</c>, <c>ip6 docker-bridges</c>) from <c>nft -j list ruleset</c>,
    /// bounded to the byte limit. Asked on every read while the tables exist, else at most every <see cref="NftablesRecheck"/>:
    /// a host without them pays one nft process a minute. Null when nft is absent, failed, or was not asked this time.
    /// </summary>
    private async Task<NftablesRuleset?> ReadNativeNftablesAsync(CancellationToken cancellationToken)
    {
        if (_nft is null) return null;
        var now = _time.GetUtcNow();
        if (!_nativeNftables && now - _nftablesCheckedAt < NftablesRecheck) return null;
        _nftablesCheckedAt = now;
        try
        {
            var maxBytes = (int)Math.Min(_limits.MaxBytes, int.MaxValue - 1);
            var run = await RunAsync(Resolve(_nft), ["-j", "list", "ruleset"], stdout => ReadBoundedAsync(stdout, maxBytes + 1, cancellationToken),
                _ => false, cancellationToken).ConfigureAwait(false);
            if (run.ExitCode != 0) return null;
            var ruleset = run.Output.Length > maxBytes
                ? NftablesRulesetParser.Parse("") with { Truncated = $"nft -j list ruleset printed more than {IptablesSaveParser.FormatBytes(maxBytes)}" }
                : NftablesRulesetParser.Parse(run.Output, _limits);
            _nativeNftables = ruleset.HasDockerTables || run.Output.Length > maxBytes;
            return ruleset;
        }
        catch (Win32Exception)
        {
            return null; // no nft: iptables-save is the only reader
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>iptables-nft-save / iptables-save → iptables-legacy-save in the same directory, when it exists.</summary>
    internal static string? LegacySibling(string binary)
    {
        var slash = binary.LastIndexOf('/');
        var name = binary[(slash + 1)..];
        var legacyName = name switch
        {
            "iptables-save" or "iptables-nft-save" => "iptables-legacy-save",
            "ip6tables-save" or "ip6tables-nft-save" => "ip6tables-legacy-save",
            _ => null,
        };
        if (legacyName is null) return null;
        var candidate = binary[..(slash + 1)] + legacyName;
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>
    /// The nat rules of another namespace: <c>nsenter --net=PATH iptables-save -c</c>, bounded like the host's read,
    /// then the same with ip6tables-save (family 6 rules, in the same per-namespace rule budget) when this source reads
    /// IPv6 and its binary exists. nsenter changes only the network namespace, so the host's binaries and their backend
    /// read the rules there. An empty rule set (most namespaces) prints nothing and gives no rules. An IPv6 failure
    /// keeps the IPv4 rules and is reported next to them.
    /// </summary>
    public async Task<NamespaceRuleRead> ReadNamespaceAsync(string netnsPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        var v4 = await ReadNamespaceFamilyAsync(netnsPath, Resolve(_iptablesSave), NamespaceRuleReader.MaxRulesPerNamespace, cancellationToken).ConfigureAwait(false);
        var room = NamespaceRuleReader.MaxRulesPerNamespace - v4.Rules.Length;
        // A host without ip6tables-save has its missing binary reported once, by the host's read, not per namespace.
        if (Ip6tablesSavePath is not { } ip6 || !File.Exists(ip6)) return v4;
        if (room <= 0)
            return v4 with { Error = v4.Error ?? $"more than {NamespaceRuleReader.MaxRulesPerNamespace} rules: IPv6 rules not read" };
        var v6 = await ReadNamespaceFamilyAsync(netnsPath, ip6, room, cancellationToken).ConfigureAwait(false);
        var error = (v4.Error, v6.Error) switch
        {
            (null, null) => null,
            ({ } e4, null) => e4,
            (null, { } e6) => "IPv6: " + e6,
            ({ } e4, { } e6) => e4 + "; IPv6: " + e6,
        };
        return new NamespaceRuleRead([.. v4.Rules, .. v6.Rules.Select(r => r with { Family = 6 })], error);
    }

    private async Task<NamespaceRuleRead> ReadNamespaceFamilyAsync(string netnsPath, string binary, int maxRules, CancellationToken cancellationToken)
    {
        var nsenter = Resolve("nsenter");
        try
        {
            var run = await RunAsync(nsenter, [$"--net={netnsPath}", "--", binary, "-c"],
                stdout => IptablesSaveParser.ParseAsync(stdout, _limits with { MaxRules = maxRules }, cancellationToken),
                parsed => parsed.Truncated is not null, cancellationToken).ConfigureAwait(false);
            var parsed = run.Output;
            if (parsed.Truncated is null && run.ExitCode != 0)
                return new NamespaceRuleRead([], $"nsenter --net={netnsPath} {binary} -c exited with code {run.ExitCode}: {Summarize(run.Stderr)}");
            return new NamespaceRuleRead(parsed.RulesOf("nat"), parsed.Truncated);
        }
        catch (Win32Exception e)
        {
            return new NamespaceRuleRead([], $"Cannot run {nsenter}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            return new NamespaceRuleRead([], e.Message);
        }
    }

    private sealed record Ip6Read(ImmutableArray<NatRule> Rules, ImmutableArray<NatRule> FilterRules, ImmutableArray<ChainInfo> Chains,
        ImmutableArray<string> Warnings, string? Error);

    /// <summary>
    /// ip6tables-save, bounded like the IPv4 read. Its failure is its own (no IPv6 tables module, no binary): the
    /// IPv4 rules still stand, so it is reported in <see cref="NatView.Ip6Error"/>, not as the source failing.
    /// </summary>
    private async Task<Ip6Read> CollectIp6Async(CancellationToken cancellationToken)
    {
        if (_ip6tablesSave is null) return new Ip6Read([], [], [], [], null);
        var binary = Resolve(_ip6tablesSave);
        try
        {
            var run = await RunAsync(binary, ["-c"], stdout => IptablesSaveParser.ParseAsync(stdout, _limits, cancellationToken),
                parsed => parsed.Truncated is not null, cancellationToken).ConfigureAwait(false);
            var parsed = run.Output;
            if (parsed.Truncated is null && run.ExitCode != 0)
                return new Ip6Read([], [], [], [], DescribeExit(binary, run.ExitCode, run.Stderr));
            ImmutableArray<NatRule> Of(string table) => [.. parsed.RulesOf(table).Select(r => r with { Family = 6 })];
            return new Ip6Read(Of("nat"), Of("filter"), [.. parsed.Chains.Select(c => c with { Family = 6 })], parsed.Warnings,
                parsed.Truncated is { } cut ? $"IPv6 rules incomplete: {cut}." : null);
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 2 /* ENOENT */)
        {
            return new Ip6Read([], [], [], [], $"ip6tables-save not found ({binary}): IPv6 NAT rules are not shown.");
        }
        catch (Win32Exception e)
        {
            return new Ip6Read([], [], [], [], $"Cannot run {binary}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            return new Ip6Read([], [], [], [], e.Message);
        }
    }

    private NatView Failed(string error) => new() { Ok = false, Backend = _backend, Error = error };

    /// <summary>Exit code and what the tool said; the missing-privilege hint only when that is what it said.</summary>
    internal static string DescribeExit(string binary, int exitCode, string stderr)
    {
        var message = $"{binary} -c exited with code {exitCode}: {Summarize(stderr)}";
        return LooksLikeMissingPrivilege(stderr)
            ? message + " Reading iptables rules needs root or the CAP_NET_ADMIN capability (and CAP_NET_RAW for the legacy backend)."
            : message;
    }

    // iptables' words for EPERM/EACCES: "Permission denied (you must be root)", "Operation not permitted".
    private static bool LooksLikeMissingPrivilege(string stderr) =>
        stderr.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("must be root", StringComparison.OrdinalIgnoreCase);

    /// <summary>"iptables-save v1.8.9 (nf_tables)" or "iptables-save v1.8.9 (legacy)".</summary>
    private async Task<string?> ReadBackendAsync(string binary, CancellationToken cancellationToken)
    {
        var run = await RunAsync(binary, ["--version"], stdout => ReadBoundedAsync(stdout, MaxStderrBytes, cancellationToken),
            _ => false, cancellationToken).ConfigureAwait(false);
        return run.ExitCode == 0 ? BackendFromVersion(run.Output + run.Stderr) : null;
    }

    public static string? BackendFromVersion(string versionText) =>
        versionText.Contains("(nf_tables)", StringComparison.Ordinal) ? "iptables-nft"
        : versionText.Contains("(legacy)", StringComparison.Ordinal) ? "iptables-legacy"
        : null;

    private sealed record ProcessResult<T>(int ExitCode, T Output, string Stderr);

    /// <summary>
    /// Runs the binary, hands its stdout to <paramref name="readStdout"/> (which reads it bounded and may stop early:
    /// <paramref name="stoppedEarly"/> says so from its result, and the child is then killed), keeps at most
    /// <see cref="MaxStderrBytes"/> of stderr, and disposes both pipes however the run ends.
    /// </summary>
    private async Task<ProcessResult<T>> RunAsync<T>(string binary, IReadOnlyList<string> arguments, Func<Stream, Task<T>> readStdout,
        Func<T, bool> stoppedEarly, CancellationToken cancellationToken)
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
        var stdoutStream = process.StandardOutput.BaseStream;
        var stderrStream = process.StandardError.BaseStream;
        var stderr = ReadBoundedAsync(stderrStream, MaxStderrBytes, timeout.Token);
        try
        {
            var output = await readStdout(stdoutStream).WaitAsync(timeout.Token).ConfigureAwait(false);
            // A reader that stopped early leaves the child blocked on a full pipe: it has had all we will read.
            if (stoppedEarly(output)) KillQuietly(process);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return new ProcessResult<T>(process.ExitCode, output, await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillQuietly(process);
            throw new TimeoutException($"{binary} {string.Join(' ', arguments)} did not finish within {_timeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            KillQuietly(process);
            throw;
        }
        finally
        {
            await stdoutStream.DisposeAsync().ConfigureAwait(false);
            await stderrStream.DisposeAsync().ConfigureAwait(false);
            try { await stderr.ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        }
    }

    /// <summary>Reads a stream to its end, keeping the first <paramref name="maxBytes"/> as text and dropping the rest.</summary>
    private static async Task<string> ReadBoundedAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var kept = new byte[maxBytes];
        var length = 0;
        var scratch = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(scratch, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var take = Math.Min(read, maxBytes - length);
            scratch.AsSpan(0, take).CopyTo(kept.AsSpan(length));
            length += take;
        }
        return System.Text.Encoding.UTF8.GetString(kept, 0, length);
    }

    private static void KillQuietly(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
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
