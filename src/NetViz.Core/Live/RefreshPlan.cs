using System.Collections.Immutable;
using NetViz.Core.Sources;

namespace NetViz.Core.Live;

/// <summary>
/// What must be re-read before the next snapshot. Triggers arriving within the coalescing window are merged,
/// so a burst of 50 container starts becomes one plan, and a snapshot is built only after every part is read.
/// </summary>
internal sealed class RefreshPlan
{
    public bool Full { get; private set; }
    public bool DockerFull { get; set; }
    public bool HostNamespace { get; set; }
    /// <summary>Re-discover namespaces (drop vanished ones, read new ones) without re-reading any known one.</summary>
    public bool Sweep { get; set; }
    public HashSet<string> Containers { get; } = new(StringComparer.Ordinal);
    /// <summary>Namespaces to re-read by inode (a change announced inside them; a vanished one is dropped).</summary>
    public HashSet<ulong> Namespaces { get; } = [];
    /// <summary>Containers whose namespace must be re-read even though it is the same one (network connect/disconnect).</summary>
    public HashSet<string> ContainerNamespaces { get; } = new(StringComparer.Ordinal);
    /// <summary>A periodic resync and nothing else: whatever it changes is something the events missed.</summary>
    public bool Audit { get; private set; }
    public NatView? Nat { get; private set; }
    public List<string> Reasons { get; } = [];

    public static RefreshPlan ForFull(string reason) => new RefreshPlan { Full = true }.Because(reason);
    public static RefreshPlan ForDocker(string reason) => new RefreshPlan { DockerFull = true, HostNamespace = true }.Because(reason);
    public static RefreshPlan ForHostNamespace(string reason) => new RefreshPlan { HostNamespace = true }.Because(reason);
    public static RefreshPlan ForSweep(string reason) => new RefreshPlan { Sweep = true }.Because(reason);
    public static RefreshPlan ForNat(NatView nat) => new RefreshPlan { Nat = nat }.Because("nat rules changed");
    public static RefreshPlan ForResync() => new RefreshPlan { Full = true, Audit = true }.Because("periodic resync");

    public static RefreshPlan ForNamespaces(IEnumerable<ulong> inodes, string reason)
    {
        var p = new RefreshPlan().Because(reason);
        p.Namespaces.UnionWith(inodes);
        return p;
    }

    public static RefreshPlan ForContainer(string id, string reason)
    {
        var p = new RefreshPlan { HostNamespace = true }.Because(reason);
        p.Containers.Add(id);
        return p;
    }

    private RefreshPlan Because(string reason)
    {
        Reasons.Add(reason);
        return this;
    }

    public void Merge(RefreshPlan other)
    {
        Full |= other.Full;
        DockerFull |= other.DockerFull;
        HostNamespace |= other.HostNamespace;
        Sweep |= other.Sweep;
        Containers.UnionWith(other.Containers);
        Namespaces.UnionWith(other.Namespaces);
        ContainerNamespaces.UnionWith(other.ContainerNamespaces);
        Audit &= other.Audit;
        if (other.Nat is not null) Nat = other.Nat;
        if (Reasons.Count < 20) Reasons.AddRange(other.Reasons.Take(20 - Reasons.Count));
    }

    /// <summary>Maps a Docker event to what it changes; null for events that change no networking.</summary>
    public static RefreshPlan? ForDockerEvent(DockerEvent e)
    {
        var reason = $"docker {e.Type} {e.Action} {e.ActorId[..Math.Min(12, e.ActorId.Length)]}";
        switch (e.Type)
        {
            case "container":
                // exec_* and health events change nothing we draw.
                if (e.Action.StartsWith("exec_", StringComparison.Ordinal) || e.Action.StartsWith("health_status", StringComparison.Ordinal)
                    || e.Action is "attach" or "resize" or "top" or "commit" or "copy" or "export" or "archive-path" or "extract-to-dir")
                    return null;
                return ForContainer(e.ActorId, reason);
            case "network":
                if (e.Action is "connect" or "disconnect" && e.Attributes.TryGetValue("container", out var cid))
                {
                    var p = ForContainer(cid, reason);
                    p.DockerFull = false;
                    // The container keeps its namespace, but an interface (eth1) was just moved into or out of it.
                    p.ContainerNamespaces.Add(cid);
                    return p;
                }
                return ForDocker(reason);
            default:
                return null;
        }
    }

    public static ImmutableArray<T> Replace<T>(ImmutableArray<T> items, Func<T, bool> drop, IEnumerable<T> add) =>
        [.. items.Where(i => !drop(i)), .. add];
}
