using System.Collections.Immutable;
using NetViz.Core.Sources;

namespace NetViz.Core.Collection;

/// <summary>
/// What must be re-read before the next snapshot (the input of <see cref="TopologyCollector.RefreshAsync"/>).
/// Triggers arriving within the coalescing window are merged, so a burst of 50 container starts becomes one plan,
/// and a snapshot is built only after every part is read.
/// </summary>
public sealed record RefreshPlan
{
    private const int MaxReasons = 20;

    /// <summary>Read every source again from scratch.</summary>
    public bool Full { get; init; }
    /// <summary>Re-read Docker in full (containers and networks).</summary>
    public bool DockerFull { get; init; }
    /// <summary>Re-read the host network namespace.</summary>
    public bool HostNamespace { get; init; }
    /// <summary>Re-discover namespaces (drop vanished ones, read new ones) without re-reading any known one.</summary>
    public bool Sweep { get; init; }
    /// <summary>Re-read the NAT rules (a change announced by nftables, the poll on the legacy backend).</summary>
    public bool Nat { get; init; }
    /// <summary>
    /// Re-read the NAT rules only if they may have changed since they were last read (the host's nftables generation
    /// moved, or it cannot be told, as on the legacy backend); else only their counters (the periodic resync).
    /// </summary>
    public bool NatIfChanged { get; init; }
    /// <summary>Refresh the NAT rules' packet and byte counters (in process where the backend allows it, else a full read).</summary>
    public bool NatCounters { get; init; }
    /// <summary>Containers to re-inspect (with the namespaces they left or entered).</summary>
    public ImmutableHashSet<string> Containers { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    /// <summary>Namespaces to re-read by inode (a change announced inside them; a vanished one is dropped).</summary>
    public ImmutableHashSet<ulong> Namespaces { get; init; } = [];
    /// <summary>Containers whose namespace must be re-read although it is the same one (network connect/disconnect).</summary>
    public ImmutableHashSet<string> ContainerNamespaces { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    /// <summary>A periodic resync and nothing else: whatever it changes is something the events missed.</summary>
    public bool Audit { get; init; }
    /// <summary>Why, for the log (the first <see cref="MaxReasons"/>).</summary>
    public ImmutableArray<ChangeCause> Reasons { get; init; } = [];

    public static RefreshPlan ForFull(ChangeCause reason) => new() { Full = true, Reasons = [reason] };
    public static RefreshPlan ForDocker(ChangeCause reason) => new() { DockerFull = true, HostNamespace = true, Reasons = [reason] };
    public static RefreshPlan ForHostNamespace(ChangeCause reason) => new() { HostNamespace = true, Reasons = [reason] };
    public static RefreshPlan ForSweep(ChangeCause reason) => new() { Sweep = true, Reasons = [reason] };
    public static RefreshPlan ForNat(ChangeCause reason) => new() { Nat = true, Reasons = [reason] };
    public static RefreshPlan ForNatCounters(ChangeCause reason) => new() { NatCounters = true, Reasons = [reason] };
    public static RefreshPlan ForResync() => new() { Full = true, Audit = true, Reasons = [ChangeCause.Of("resync")] };

    /// <summary>
    /// The periodic resync when most namespaces have a netlink listener: NAT (its rules only when the host's nftables
    /// generation moved since they were read, else its counters), <paramref name="unlistened"/> (the namespaces nothing
    /// would tell about) re-read, Docker when <paramref name="readDocker"/> (its event stream ended since the last
    /// resync), the host namespace when <paramref name="readHost"/> (its netlink listener ended since), and the namespaces
    /// that came or went looked for when <paramref name="sweep"/> (nothing watches processes' namespaces come and go).
    /// </summary>
    public static RefreshPlan ForResync(IEnumerable<ulong> unlistened, bool readDocker, bool readHost = true, bool sweep = true) => new()
    {
        DockerFull = readDocker, HostNamespace = readHost, Sweep = sweep, NatIfChanged = true, Namespaces = [.. unlistened], Audit = true,
        Reasons = [ChangeCause.Of("resync")],
    };
    public static RefreshPlan ForNamespaces(IEnumerable<ulong> inodes, ChangeCause reason) => new() { Namespaces = [.. inodes], Reasons = [reason] };

    public static RefreshPlan ForContainer(string id, ChangeCause reason) =>
        new() { HostNamespace = true, Containers = ImmutableHashSet.Create(StringComparer.Ordinal, id), Reasons = [reason] };

    /// <summary>One plan that re-reads everything either plan would.</summary>
    public RefreshPlan Merge(RefreshPlan other) => new()
    {
        Full = Full || other.Full,
        DockerFull = DockerFull || other.DockerFull,
        HostNamespace = HostNamespace || other.HostNamespace,
        Sweep = Sweep || other.Sweep,
        Nat = Nat || other.Nat,
        NatIfChanged = NatIfChanged || other.NatIfChanged,
        NatCounters = NatCounters || other.NatCounters,
        Containers = Containers.Union(other.Containers),
        Namespaces = Namespaces.Union(other.Namespaces),
        ContainerNamespaces = ContainerNamespaces.Union(other.ContainerNamespaces),
        // Audited only if nothing but resyncs went into it: an event in the same window explains a difference.
        Audit = Audit && other.Audit,
        Reasons = Reasons.Length >= MaxReasons ? Reasons : Reasons.AddRange(other.Reasons.Take(MaxReasons - Reasons.Length)),
    };

    /// <summary>Maps a Docker event to what it changes; null for events that change no networking.</summary>
    public static RefreshPlan? ForDockerEvent(DockerEvent e)
    {
        // The name too (what the teacher typed), for the timeline's causes; bounded, it comes from outside.
        var id = e.ActorId[..Math.Min(12, e.ActorId.Length)];
        var reason = e.Attributes.TryGetValue("name", out var n)
            ? ChangeCause.Of("docker-event-named", e.Type, e.Action, id, Text.Bounded.Text(n, 64))
            : ChangeCause.Of("docker-event", e.Type, e.Action, id);
        switch (e.Type)
        {
            case "container":
                // exec_* and health events change nothing we draw.
                if (e.Action.StartsWith("exec_", StringComparison.Ordinal) || e.Action.StartsWith("health_status", StringComparison.Ordinal)
                    || e.Action is "attach" or "resize" or "top" or "commit" or "copy" or "export" or "archive-path" or "extract-to-dir")
                    return null;
                return ForContainer(e.ActorId, reason);
            case "network":
                // The container keeps its namespace, but an interface (eth1) was just moved into or out of it.
                return e.Action is "connect" or "disconnect" && e.Attributes.TryGetValue("container", out var cid)
                    ? ForContainer(cid, reason) with { ContainerNamespaces = ImmutableHashSet.Create(StringComparer.Ordinal, cid) }
                    : ForDocker(reason);
            default:
                return null;
        }
    }
}
