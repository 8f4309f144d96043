using System.Collections.Immutable;

namespace NetViz.Core.Sources.Netlink;

/// <summary>A network namespace found on the host, before it is read.</summary>
/// <param name="Inode">The nsfs inode: the namespace's identity.</param>
/// <param name="IsHost">The namespace NetViz runs in (<c>/proc/self/ns/net</c>).</param>
/// <param name="Name">The <c>ip netns</c> name (a bind mount under /var/run/netns), else null.</param>
/// <param name="Paths">nsfs paths that lead to it, bind mounts first; any of them can be opened to enter it.</param>
/// <param name="Pids">Sorted pids living in it, capped at <see cref="NetworkNamespaceDiscovery.MaxPids"/>.</param>
public sealed record DiscoveredNamespace(ulong Inode, bool IsHost, string? Name, ImmutableArray<string> Paths, ImmutableArray<int> Pids);

/// <param name="HostInode">Inode of <c>/proc/self/ns/net</c>, 0 if it could not be read.</param>
/// <param name="Namespaces">Host first, then the others by inode.</param>
public sealed record NamespaceDiscoveryResult(ulong HostInode, ImmutableArray<DiscoveredNamespace> Namespaces, ImmutableArray<string> Warnings);

/// <summary>
/// Finds every network namespace the way the lesson does, de-duplicated by nsfs inode: every /proc/PID/ns/net,
/// the <c>ip netns</c> bind mounts in /var/run/netns, and Docker's in /var/run/docker/netns (which ip netns does not list).
/// </summary>
public sealed class NetworkNamespaceDiscovery
{
    public const int MaxPids = 16;
    private const string HostPath = "/proc/self/ns/net";
    private readonly string _proc;
    private readonly string _ipNetnsDirectory;
    private readonly string _dockerNetnsDirectory;

    public NetworkNamespaceDiscovery(string proc = "/proc", string ipNetnsDirectory = "/var/run/netns", string dockerNetnsDirectory = "/var/run/docker/netns")
    {
        _proc = proc;
        _ipNetnsDirectory = ipNetnsDirectory;
        _dockerNetnsDirectory = dockerNetnsDirectory;
    }

    public NamespaceDiscoveryResult Discover()
    {
        var found = new Dictionary<ulong, Found>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        // The host is the namespace NetViz runs in; /proc/1 may be a sandbox's init (and unreadable), never assume it.
        var hostInode = Nsfs.InodeOf(HostPath) ?? 0;
        if (hostInode != 0) Get(found, hostInode).Paths.Add(HostPath);

        AddBindMounts(found, _ipNetnsDirectory, named: true);
        AddBindMounts(found, _dockerNetnsDirectory, named: false);

        var denied = 0;
        foreach (var directory in SafeEnumerateDirectories(_proc))
        {
            var name = directory.AsSpan(directory.LastIndexOf('/') + 1);
            if (!int.TryParse(name, out var pid)) continue;
            var inode = ReadProcNamespaceInode($"{directory}/ns/net", ref denied);
            if (inode is null) continue;
            Get(found, inode.Value).Pids.Add(pid);
        }
        if (denied > 0)
            warnings.Add($"{denied} processes' /proc/PID/ns/net could not be read (permission denied: needs root or CAP_SYS_PTRACE)");

        var namespaces = ImmutableArray.CreateBuilder<DiscoveredNamespace>(found.Count);
        foreach (var (inode, f) in found.OrderBy(p => p.Key != hostInode).ThenBy(p => p.Key))
        {
            f.Pids.Sort();
            var pids = f.Pids.Count > MaxPids ? f.Pids.GetRange(0, MaxPids) : f.Pids;
            var paths = ImmutableArray.CreateBuilder<string>(f.Paths.Count + pids.Count);
            paths.AddRange(f.Paths);
            foreach (var pid in pids) paths.Add($"{_proc}/{pid}/ns/net");
            namespaces.Add(new DiscoveredNamespace(inode, inode == hostInode, f.Name, paths.ToImmutable(), [.. pids]));
        }
        return new NamespaceDiscoveryResult(hostInode, namespaces.MoveToImmutable(), warnings.ToImmutable());
    }

    private static void AddBindMounts(Dictionary<ulong, Found> found, string directory, bool named)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            // A file left behind without its nsfs mount stats as a plain tmpfs inode; entering it then fails with
            // EINVAL and it is skipped as vanished.
            if (Nsfs.StatInode(file) is not { } inode) continue;
            var f = Get(found, inode);
            f.Paths.Add(file);
            if (named) f.Name ??= Path.GetFileName(file);
        }
    }

    private static ulong? ReadProcNamespaceInode(string path, ref int denied)
    {
        try
        {
            // A magic link reading "net:[4026531840]".
            var target = new FileInfo(path).LinkTarget;
            if (target is not null && target.StartsWith("net:[", StringComparison.Ordinal) && target.EndsWith(']')
                && ulong.TryParse(target.AsSpan(5, target.Length - 6), out var inode))
                return inode;
        }
        catch (UnauthorizedAccessException)
        {
            denied++;
        }
        catch (IOException)
        {
            // The process exited (or is a zombie): nothing to find there.
        }
        return null;
    }

    private static IEnumerable<string> SafeEnumerateDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static Found Get(Dictionary<ulong, Found> found, ulong inode)
    {
        if (!found.TryGetValue(inode, out var f)) found[inode] = f = new Found();
        return f;
    }

    private sealed class Found
    {
        public List<string> Paths { get; } = [];
        public List<int> Pids { get; } = [];
        public string? Name { get; set; }
    }
}
