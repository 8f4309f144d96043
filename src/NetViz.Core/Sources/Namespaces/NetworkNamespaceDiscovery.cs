using System.Collections.Immutable;
using System.IO.Enumeration;
using System.Text;

using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Namespaces;

/// <summary>A network namespace found on the host, before it is read.</summary>
/// <param name="Inode">The nsfs inode: the namespace's identity.</param>
/// <param name="IsHost">The namespace NetViz runs in (<c>/proc/self/ns/net</c>).</param>
/// <param name="Name">The <c>ip netns</c> name (a bind mount under /var/run/netns), else null.</param>
/// <param name="Paths">nsfs paths that lead to it, bind mounts first; any of them can be opened to enter it.</param>
/// <param name="Pids">Sorted pids living in it, capped at <see cref="NetworkNamespaceDiscovery.MaxPids"/>.</param>
public sealed record DiscoveredNamespace(ulong Inode, bool IsHost, string? Name, ImmutableArray<string> Paths, ImmutableArray<int> Pids)
{
    /// <summary>The lowest PID living in it, with its command; null when no process does (a bind mount holds it) or it exited.</summary>
    public Model.NetnsHolder? Holder { get; init; }
}

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
    /// <summary>Namespaces read (the host first, then by inode); the rest are counted in a warning.</summary>
    public const int MaxNamespaces = 4096;
    public const string DefaultIpNetnsDirectory = "/var/run/netns";
    public const string DefaultDockerNetnsDirectory = "/var/run/docker/netns";
    private readonly string _proc;
    private readonly string _ipNetnsDirectory;
    private readonly string _dockerNetnsDirectory;

    public NetworkNamespaceDiscovery(string proc = "/proc", string ipNetnsDirectory = DefaultIpNetnsDirectory, string dockerNetnsDirectory = DefaultDockerNetnsDirectory)
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
        var hostPath = $"{_proc}/self/ns/net";
        var hostInode = LibC.ReadNamespaceLinkInode(Encoding.UTF8.GetBytes(hostPath + "\0"), out _) ?? 0;
        if (hostInode != 0) Get(found, hostInode).Paths.Add(hostPath);

        AddBindMounts(found, _ipNetnsDirectory, named: true, warnings);
        AddBindMounts(found, _dockerNetnsDirectory, named: false, warnings);

        var denied = new List<int>();
        Span<byte> path = stackalloc byte[_proc.Length + 32];
        foreach (var pid in EnumeratePids(_proc))
        {
            var inode = ReadProcNamespaceInode(path, pid, denied);
            if (inode is null) continue;
            Get(found, inode.Value).Pids.Add(pid);
        }
        if (denied.Count > 0) warnings.AddRange(DeniedWarnings(denied, found, hostInode));

        if (found.Count > MaxNamespaces)
            warnings.Add($"{found.Count - MaxNamespaces} network namespaces beyond the first {MaxNamespaces} not shown");
        var namespaces = ImmutableArray.CreateBuilder<DiscoveredNamespace>(Math.Min(found.Count, MaxNamespaces));
        foreach (var (inode, f) in found.OrderBy(p => p.Key != hostInode).ThenBy(p => p.Key).Take(MaxNamespaces))
        {
            f.Pids.Sort();
            var pids = f.Pids.Count > MaxPids ? f.Pids.GetRange(0, MaxPids) : f.Pids;
            var paths = ImmutableArray.CreateBuilder<string>(f.Paths.Count + pids.Count);
            paths.AddRange(f.Paths);
            foreach (var pid in pids) paths.Add($"{_proc}/{pid}/ns/net");
            namespaces.Add(new DiscoveredNamespace(inode, inode == hostInode, f.Name, paths.ToImmutable(), [.. pids])
            {
                Holder = pids.Count > 0 && HolderCommand(pids[0]) is { } command ? new Model.NetnsHolder(pids[0], command) : null,
            });
        }
        return new NamespaceDiscoveryResult(hostInode, namespaces.MoveToImmutable(), warnings.ToImmutable());
    }

    private static void AddBindMounts(Dictionary<ulong, Found> found, string directory, bool named, ImmutableArray<string>.Builder warnings)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory);
        }
        catch (UnauthorizedAccessException)
        {
            warnings.Add($"{directory} could not be listed (permission denied: needs root)");
            return;
        }
        catch (IOException)
        {
            // Absent: no ip netns namespace, or no Docker, on this host.
            return;
        }
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            // A file left behind without its nsfs mount (a sandbox of a killed engine, an `ip netns` mount undone by
            // hand) is not a namespace: skipped here, not reported later as one that "vanished".
            if (!Nsfs.IsNamespaceFile(file) || Nsfs.StatInode(file) is not { } inode) continue;
            var f = Get(found, inode);
            f.Paths.Add(file);
            if (named) f.Name ??= Path.GetFileName(file); // NAME_MAX (255 bytes) bounds it
        }
    }

    /// <summary>Processes named in warnings; the rest are counted.</summary>
    public const int MaxNamedDenied = 5;

    /// <summary>
    /// A warning per process whose namespace could not be read, only when that matters: <c>/proc/PID/net/dev</c> is
    /// readable without ptrace access and its inode is per namespace, so a process living in a namespace NetViz
    /// already shows (the sandbox's init in the host's, say) is skipped. The rest are named (PID, command) with
    /// the reason: without root it is the missing capability; as root, the kernel's ptrace access check refused it.
    /// </summary>
    private IEnumerable<string> DeniedWarnings(List<int> denied, Dictionary<ulong, Found> found, ulong hostInode)
    {
        var known = new HashSet<ulong>();
        if (Nsfs.StatInode($"{_proc}/self/net/dev") is { } self) known.Add(self);
        foreach (var (inode, f) in found)
            if (inode != hostInode && f.Pids.Count > 0 && Nsfs.StatInode($"{_proc}/{f.Pids[0]}/net/dev") is { } netDev) known.Add(netDev);
        var unknown = denied.Where(pid => Nsfs.StatInode($"{_proc}/{pid}/net/dev") is not { } netDev || !known.Contains(netDev)).ToList();
        if (unknown.Count == 0) yield break;
        var why = Environment.IsPrivilegedProcess
            ? "permission denied even as root: the kernel's ptrace access check refused it (a non-dumpable process, another user namespace or a security module)"
            : "permission denied: NetViz runs without root (or CAP_SYS_PTRACE)";
        foreach (var pid in unknown.Take(MaxNamedDenied))
            yield return $"PID {pid} ({Command(pid)}): /proc/{pid}/ns/net could not be read ({why}); it is not in any namespace NetViz shows, so a namespace only it holds is missing from the graph";
        if (unknown.Count > MaxNamedDenied)
            yield return $"… and {unknown.Count - MaxNamedDenied} more processes whose network namespace could not be read";
    }

    /// <summary>
    /// /proc/PID/cmdline (at most <see cref="Model.NetnsHolder.MaxCommandBytes"/> bytes, NULs as spaces, control characters
    /// as '?'), or "[comm]" when it is empty (a kernel thread, a zombie); null when the process is gone.
    /// </summary>
    private string? HolderCommand(int pid)
    {
        try
        {
            using var stream = new FileStream($"{_proc}/{pid}/cmdline", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> buffer = stackalloc byte[Model.NetnsHolder.MaxCommandBytes + 1];
            var read = 0;
            while (read < buffer.Length && stream.Read(buffer[read..]) is var n and > 0) read += n;
            var cut = read > Model.NetnsHolder.MaxCommandBytes;
            var text = Encoding.UTF8.GetString(buffer[..Math.Min(read, Model.NetnsHolder.MaxCommandBytes)]).TrimEnd('\0');
            if (text.Length == 0) return Command(pid) is "exited" ? null : $"[{Command(pid)}]";
            var shown = new string(text.Select(ch => ch == '\0' ? ' ' : char.IsControl(ch) ? '?' : ch).ToArray());
            return cut ? shown + "…" : shown;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>/proc/PID/comm (at most 16 bytes by the kernel; read bounded anyway), with control characters out.</summary>
    private string Command(int pid)
    {
        try
        {
            using var stream = new FileStream($"{_proc}/{pid}/comm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> buffer = stackalloc byte[64];
            var read = stream.Read(buffer);
            var text = Encoding.UTF8.GetString(buffer[..read]).Trim();
            return text.Length == 0 ? "?" : new string(text.Select(ch => char.IsControl(ch) ? '?' : ch).ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "exited";
        }
    }

    private ulong? ReadProcNamespaceInode(Span<byte> path, int pid, List<int> denied)
    {
        // "/proc/PID/ns/net\0" built in place: no string per process.
        var length = Encoding.UTF8.GetBytes(_proc, path);
        path[length++] = (byte)'/';
        pid.TryFormat(path[length..], out var written);
        length += written;
        "/ns/net\0"u8.CopyTo(path[length..]);
        var inode = LibC.ReadNamespaceLinkInode(path, out var errno);
        // ENOENT/ESRCH: the process exited (or is a zombie); EACCES/EPERM: ptrace access to it is denied.
        if (errno is LibC.EACCES or LibC.EPERM) denied.Add(pid);
        return inode;
    }

    private static IEnumerable<int> EnumeratePids(string proc)
    {
        try
        {
            var pids = new FileSystemEnumerable<int>(proc, static (ref FileSystemEntry entry) => int.TryParse(entry.FileName, out var pid) ? pid : -1,
                new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 })
            {
                ShouldIncludePredicate = static (ref FileSystemEntry entry) => entry.IsDirectory && entry.FileName.Length > 0 && char.IsAsciiDigit(entry.FileName[0]),
            };
            return pids.Where(pid => pid > 0).ToList();
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
