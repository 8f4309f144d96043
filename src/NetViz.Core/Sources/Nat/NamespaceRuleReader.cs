using System.Collections.Immutable;

namespace NetViz.Core.Sources.Nat;

/// <summary>What one namespace's rule set read gave: its nat rules (and why it failed, when it did).</summary>
public sealed record NamespaceRuleRead(ImmutableArray<NatRule> Rules, string? Error);

/// <summary>The rules of every namespace but the host's, each tagged with its namespace (<see cref="NatRule.NetnsInode"/>).</summary>
public sealed record NamespaceRules(ImmutableArray<NatRule> Rules, ImmutableArray<string> Warnings)
{
    public static NamespaceRules Empty { get; } = new([], []);
}

/// <summary>Reads the packet-filter rules inside namespaces other than the host's.</summary>
public interface INamespaceRuleSource
{
    /// <param name="host">The namespaces that exist now (their paths are how each is entered).</param>
    /// <param name="changed">Namespaces netlink says changed: their rules are read again.</param>
    Task<NamespaceRules> ReadAsync(HostNetworkView host, IReadOnlySet<ulong> changed, CancellationToken cancellationToken);
}

/// <summary>
/// Docker writes rules inside every container namespace on a user-defined network (its embedded DNS server:
/// <c>DOCKER_OUTPUT</c> DNATs 127.0.0.11:53 to a private port, <c>DOCKER_POSTROUTING</c> SNATs the answers back), and
/// swarm's ingress_sbox has its own. Reading them costs a process per namespace (iptables-save entered into it), so this
/// reads a namespace only when it is new, when netlink said it changed, during its first <see cref="YoungFor"/> if Docker
/// made it (Docker writes the rules just after the namespace appears), and otherwise at most every <see cref="RefreshEvery"/>; and at
/// most <see cref="MaxReadsPerCall"/> namespaces per call (the rest keep their last reading until the next call). A
/// steady host costs no process per poll.
/// <para>
/// The periodic look is what catches a rule written inside a namespace by hand (no event announces it). At 300
/// namespaces reading every one every two minutes was 150 processes a minute, the largest idle cost (docs/benchmarks.md).
/// With <paramref name="generationOf"/> (the nftables rule-set generation, <see cref="NftablesGeneration"/>: in process,
/// no child) an old reading is first checked against its namespace's generation and read again only when it moved; a
/// namespace whose generation cannot be had (the legacy backend) is read as before.
/// </para>
/// <para>
/// With <paramref name="hasTablesOf"/> as well (whether the namespace holds any nftables table, asked in process), a
/// namespace due for a read that has none has no rule for iptables-nft to print: its reading is empty without a process.
/// Most namespaces are such (an <c>ip netns add</c>, a container on Docker's default bridge): at 300 new namespaces
/// that is 600 processes (iptables-save and ip6tables-save, ~5 ms of CPU each) not started. Its generation is kept as
/// for a read, so a first rule written later moves it and is read as above.
/// </para>
/// </summary>
public sealed class NamespaceRuleReader(Func<string, CancellationToken, Task<NamespaceRuleRead>> readNamespace, TimeProvider? time = null,
    Func<string, CancellationToken, Task<uint?>>? generationOf = null, Func<string, CancellationToken, Task<bool?>>? hasTablesOf = null) : INamespaceRuleSource
{
    /// <summary>A namespace seen less than this long ago is read on every call.</summary>
    public static readonly TimeSpan YoungFor = TimeSpan.FromSeconds(10);
    /// <summary>Longest a namespace's reading is kept without a netlink change.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(120);
    /// <summary>Processes one call may start; bounds the latency a burst of new containers adds to a refresh.</summary>
    public const int MaxReadsPerCall = 16;
    /// <summary>Rules kept per namespace (Docker's DNS rules are four).</summary>
    public const int MaxRulesPerNamespace = 200;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<ulong, Entry> _cache = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// A namespace Docker made (its file in Docker's exec-root netns folder, not /var/run/netns): the ones whose rules
    /// Docker writes just after they appear. Others (ip netns, a process's own) are read when new, changed or old only.
    /// </summary>
    private static bool IsDockerSandbox(NetworkNamespaceView ns) => ns.Paths.Any(p =>
        Path.GetDirectoryName(p) is { } dir && Path.GetFileName(dir) == "netns" && dir is not ("/var/run/netns" or "/run/netns"));

    /// <param name="Generation">The namespace's nftables generation just before its rules were read, null when unknown.</param>
    private sealed record Entry(DateTimeOffset FirstSeen, DateTimeOffset ReadAt, NamespaceRuleRead Read, uint? Generation);

    /// <summary>The reading of a namespace without a single nftables table.</summary>
    private static readonly NamespaceRuleRead NoTables = new([], null);

    /// <summary>Generation checks one call may make (each a setns and a netlink round trip, no process).</summary>
    public const int MaxChecksPerCall = 256;

    public async Task<NamespaceRules> ReadAsync(HostNetworkView host, IReadOnlySet<ulong> changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            // A namespace with nothing but loopback has no traffic for rules to gate (a fresh `ip netns add`, a
            // --network none container): it is not entered until it gets an interface.
            var present = host.Namespaces.Where(n => !n.IsHost && n.Paths.Length > 0 && n.Links.Any(l => l.Type != "loopback")).ToList();
            foreach (var gone in _cache.Keys.Except(present.Select(n => n.Inode)).ToList()) _cache.Remove(gone);

            // Old readings whose rule set has not moved since are kept, checked without a process.
            if (generationOf is not null)
            {
                var old = present.Where(n => _cache.TryGetValue(n.Inode, out var e) && e.Generation is not null && now - e.ReadAt >= RefreshEvery
                        && !changed.Contains(n.Inode) && !(IsDockerSandbox(n) && now - e.FirstSeen < YoungFor))
                    .Take(MaxChecksPerCall).ToList();
                foreach (var ns in old)
                {
                    var entry = _cache[ns.Inode];
                    if (await generationOf(ns.Paths[0], cancellationToken).ConfigureAwait(false) == entry.Generation)
                        _cache[ns.Inode] = entry with { ReadAt = now };
                }
            }

            var due = present.Where(n => !_cache.TryGetValue(n.Inode, out var e)
                    || changed.Contains(n.Inode) || (IsDockerSandbox(n) && now - e.FirstSeen < YoungFor) || now - e.ReadAt >= RefreshEvery)
                // Never read first, then the oldest reading: every namespace gets its turn under the per-call cap.
                .OrderBy(n => _cache.TryGetValue(n.Inode, out var e) ? e.ReadAt : DateTimeOffset.MinValue)
                .Take(MaxReadsPerCall).ToList();
            foreach (var ns in due)
            {
                // The generation before the read: a change made while reading moves it again, so it is not missed.
                var generation = generationOf is null ? null : await generationOf(ns.Paths[0], cancellationToken).ConfigureAwait(false);
                var read = generation is not null && hasTablesOf is not null && await hasTablesOf(ns.Paths[0], cancellationToken).ConfigureAwait(false) == false
                    ? NoTables
                    : await readNamespace(ns.Paths[0], cancellationToken).ConfigureAwait(false);
                var tagged = new NamespaceRuleRead([.. read.Rules.Take(MaxRulesPerNamespace).Select(r => r with { NetnsInode = ns.Inode })], read.Error);
                var firstSeen = _cache.TryGetValue(ns.Inode, out var previous) ? previous.FirstSeen : now;
                _cache[ns.Inode] = new Entry(firstSeen, now, tagged, read.Error is null ? generation : null);
            }

            var rules = ImmutableArray.CreateBuilder<NatRule>();
            var warnings = ImmutableArray.CreateBuilder<string>();
            foreach (var ns in present)
            {
                if (!_cache.TryGetValue(ns.Inode, out var entry)) continue;
                rules.AddRange(entry.Read.Rules);
                if (entry.Read.Error is { } error) warnings.Add($"rules of netns {ns.Inode}: {error}");
            }
            return new NamespaceRules(rules.ToImmutable(), warnings.ToImmutable());
        }
        finally
        {
            _gate.Release();
        }
    }
}
