using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Collection;

/// <summary>
/// Owns collection: reads every source once, concurrently (<see cref="ReadAllAsync"/>), or re-reads only what a
/// <see cref="RefreshPlan"/> names and patches the previous readings with it (<see cref="RefreshAsync"/>).
/// The readings go to the pure <see cref="TopologyBuilder"/>. When to read is the monitor's business, not this class's.
/// </summary>
/// <param name="namespaceRules">Rules inside other namespaces (Docker's embedded DNS); null reads none.</param>
public sealed class TopologyCollector(IHostNetworkSource host, IDockerSource docker, INatSource nat, TimeProvider time,
    INamespaceRuleSource? namespaceRules = null)
{
    public string Hostname { get; } = ReadHostname();

    /// <summary><c>/etc/machine-id</c> (systemd's per-installation id), or null when absent or malformed.</summary>
    public string? MachineId { get; } = HostIdentity.ReadMachineId("/etc/machine-id");

    public async Task<SourceReadings> ReadAllAsync(CancellationToken cancellationToken)
    {
        var dockerTask = docker.CollectAsync(cancellationToken);
        var natTask = nat.CollectAsync(cancellationToken);
        var hostTask = host.CollectAsync(cancellationToken);
        await Task.WhenAll(dockerTask, natTask, hostTask).ConfigureAwait(false);
        var hostView = await hostTask.ConfigureAwait(false);
        return new SourceReadings
        {
            Hostname = Hostname,
            MachineId = MachineId,
            CollectedAt = time.GetUtcNow(),
            Host = hostView,
            Docker = await dockerTask.ConfigureAwait(false),
            Nat = await WithNamespaceRulesAsync(await natTask.ConfigureAwait(false), hostView, new HashSet<ulong>(), cancellationToken).ConfigureAwait(false),
        };
    }

    public async Task<TopologySnapshot> CollectAsync(CancellationToken cancellationToken) =>
        TopologyBuilder.Build(await ReadAllAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Incremental refresh: re-reads what <paramref name="plan"/> names (a full read when it says so or when there are no
    /// <paramref name="previous"/> readings) and merges the partial reads into the previous ones. Returns
    /// <paramref name="previous"/> itself when what was read says nothing new (a NAT poll that found the same rules, a
    /// resync or a namespace re-read that found nothing but moved interface counters: <see cref="UnchangedReadings"/>),
    /// so the caller can skip building a snapshot.
    /// </summary>
    public async Task<SourceReadings> RefreshAsync(RefreshPlan plan, SourceReadings? previous, CancellationToken cancellationToken)
    {
        if (previous is null) return await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        if (plan.Full) return KeepUnchanged(previous, await ReadAllAsync(cancellationToken).ConfigureAwait(false));

        // iptables-save is a process of its own: run it while Docker and netlink are read.
        var natTask = ReadNatAsync(plan, previous.Nat, cancellationToken);
        var staleInodes = new HashSet<ulong>();
        var (dockerView, dockerChanged) = await RefreshDockerAsync(plan, previous.Docker, staleInodes, cancellationToken).ConfigureAwait(false);
        if (plan.HostNamespace || dockerChanged) staleInodes.Add(previous.Host.HostInode);
        staleInodes.UnionWith(plan.Namespaces);
        foreach (var c in dockerView.Containers)
            if (plan.ContainerNamespaces.Contains(c.Id) && c.NetnsInode is { } inode) staleInodes.Add(inode);
        var hostView = staleInodes.Count > 0 || plan.Sweep
            ? await RefreshNamespacesAsync(previous.Host, staleInodes, cancellationToken).ConfigureAwait(false)
            : previous.Host;
        var natView = await WithNamespaceRulesAsync(await natTask.ConfigureAwait(false), hostView, staleInodes, cancellationToken).ConfigureAwait(false);

        if (ReferenceEquals(dockerView, previous.Docker) && ReferenceEquals(hostView, previous.Host) && SameNat(natView, previous.Nat))
            return previous;
        return previous with { CollectedAt = time.GetUtcNow(), Docker = dockerView, Host = hostView, Nat = natView };
    }

    /// <summary>
    /// The NAT reading a plan asks for: the rules read again (a change announced, or the resync when the rules may have
    /// changed), or only their counters (the counter cadence, and the resync when the rules provably did not change),
    /// which the source reads without a process where it can, or else by reading everything.
    /// </summary>
    private async Task<NatView> ReadNatAsync(RefreshPlan plan, NatView previous, CancellationToken cancellationToken)
    {
        var rules = plan.Nat || (plan.NatIfChanged && await nat.RulesMayHaveChangedAsync(cancellationToken).ConfigureAwait(false));
        if (!rules && !plan.NatIfChanged && !plan.NatCounters) return previous;
        if (!rules && await nat.ReadCountersAsync(cancellationToken).ConfigureAwait(false) is { } counted) return counted;
        return await nat.CollectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A full read that found nothing new is the previous readings themselves (the periodic resync on a quiet host: no
    /// snapshot to build); otherwise every source and namespace that did not change keeps its previous reading.
    /// </summary>
    private SourceReadings KeepUnchanged(SourceReadings previous, SourceReadings fresh)
    {
        // A full read also brings the interface totals up to date: between full reads, counters alone publish nothing.
        var host = UnchangedReadings.KeepUnchanged(previous.Host, fresh.Host, countersAreNews: true);
        var docker = UnchangedReadings.SameDocker(previous.Docker, fresh.Docker) ? previous.Docker : fresh.Docker;
        var nat = SameNat(previous.Nat, fresh.Nat) ? previous.Nat : fresh.Nat;
        if (ReferenceEquals(host, previous.Host) && ReferenceEquals(docker, previous.Docker) && ReferenceEquals(nat, previous.Nat)
            && fresh.Hostname == previous.Hostname && fresh.MachineId == previous.MachineId)
            return previous;
        return fresh with { Host = host, Docker = docker, Nat = nat };
    }

    /// <summary>
    /// Adds the rules of the other namespaces. Cheap when nothing is new: the reader keeps each namespace's last reading
    /// and starts a process only for new, changed, young or old ones.
    /// </summary>
    private async Task<NatView> WithNamespaceRulesAsync(NatView natView, HostNetworkView hostView, IReadOnlySet<ulong> changed, CancellationToken cancellationToken)
    {
        if (namespaceRules is null) return natView;
        var read = await namespaceRules.ReadAsync(hostView, changed, cancellationToken).ConfigureAwait(false);
        return natView with { NamespaceRules = read.Rules, Warnings = natView.Warnings.AddRange(read.Warnings) };
    }

    /// <summary>
    /// True when two NAT readings show the same nat rules, counters and status (counters change with traffic), and
    /// the same filter rules and chains apart from their counters: those move with every forwarded packet and are
    /// not drawn, but the path explanations read the rules.
    /// </summary>
    public static bool SameNat(NatView a, NatView b) =>
        ReferenceEquals(a, b)
        || (a.Ok == b.Ok && a.Error == b.Error && a.Backend == b.Backend
            && a.Rules.SequenceEqual(b.Rules) && a.Warnings.SequenceEqual(b.Warnings)
            && a.Ip6Error == b.Ip6Error && a.Ip6Rules.SequenceEqual(b.Ip6Rules) && a.NamespaceRules.SequenceEqual(b.NamespaceRules)
            && UnchangedReadings.SameFilterApartFromCounters(a, b));

    /// <summary>Docker in full, or only the containers the plan names; adds the namespaces they left or entered to <paramref name="staleInodes"/>.</summary>
    private async Task<(DockerView View, bool FullRead)> RefreshDockerAsync(RefreshPlan plan, DockerView before, HashSet<ulong> staleInodes, CancellationToken cancellationToken)
    {
        // Container ids alone cannot be patched into a view of an engine that was down: read it all.
        if (plan.DockerFull || (!plan.Containers.IsEmpty && !before.Ok))
        {
            var fullView = await docker.CollectAsync(cancellationToken).ConfigureAwait(false);
            AddNamespaceChanges(before.Containers, fullView.Containers, staleInodes);
            // Nothing new (the resync's usual finding): keep the previous reading, so no snapshot is built for it.
            return (UnchangedReadings.SameDocker(before, fullView) ? before : fullView, true);
        }
        if (plan.Containers.IsEmpty) return (before, false);
        var fresh = await docker.InspectContainersAsync(plan.Containers, cancellationToken).ConfigureAwait(false);
        AddNamespaceChanges(before.Containers.Where(c => plan.Containers.Contains(c.Id)), fresh, staleInodes);
        return (before with { Containers = [.. before.Containers.Where(c => !plan.Containers.Contains(c.Id)), .. fresh] }, false);
    }

    /// <summary>
    /// Re-reads the stale namespaces plus those that appeared since (an `ip netns add`, a new container's sandbox),
    /// and drops the ones that no longer exist; every other namespace keeps its previous reading.
    /// </summary>
    private async Task<HostNetworkView> RefreshNamespacesAsync(HostNetworkView before, HashSet<ulong> staleInodes, CancellationToken cancellationToken)
    {
        var known = before.Namespaces.Select(n => n.Inode).ToHashSet();
        var refresh = await host.RefreshNamespacesAsync(staleInodes, known, cancellationToken).ConfigureAwait(false);
        var byInode = refresh.Read.ToDictionary(n => n.Inode);
        var merged = before.Namespaces
            .Where(n => refresh.Existing.Contains(n.Inode) && (byInode.ContainsKey(n.Inode) || !staleInodes.Contains(n.Inode)))
            // A re-read that found nothing but moved counters keeps the previous reading (see UnchangedReadings).
            .Select(n => byInode.Remove(n.Inode, out var fresh) && !UnchangedReadings.SameNamespace(n, fresh) ? fresh : n)
            .ToList();
        merged.AddRange(byInode.Values);
        if (merged.Count == before.Namespaces.Length && merged.Select((n, i) => ReferenceEquals(n, before.Namespaces[i])).All(same => same)
            && before.Warnings.SequenceEqual(refresh.Warnings))
            return before;
        return before with { Namespaces = [.. merged], Warnings = [.. refresh.Warnings] };
    }

    /// <summary>Namespaces a container left or entered must be re-read (a vanished one is then dropped).</summary>
    private static void AddNamespaceChanges(IEnumerable<ContainerInfo> before, IEnumerable<ContainerInfo> after, HashSet<ulong> inodes)
    {
        var old = before.Where(c => c.NetnsInode is not null).ToDictionary(c => c.Id, c => c.NetnsInode!.Value);
        foreach (var c in after)
        {
            old.TryGetValue(c.Id, out var previous);
            if (c.NetnsInode != previous || previous == 0)
            {
                if (c.NetnsInode is { } now) inodes.Add(now);
                if (previous != 0) inodes.Add(previous);
            }
            old.Remove(c.Id);
        }
        foreach (var gone in old.Values) inodes.Add(gone);
    }

    private static string ReadHostname()
    {
        try { return File.ReadAllText("/proc/sys/kernel/hostname").Trim(); }
        catch (IOException) { return Environment.MachineName; }
        catch (UnauthorizedAccessException) { return Environment.MachineName; }
    }
}
