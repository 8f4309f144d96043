using NetViz.Core.Sources.Namespaces;
using System.Collections.Immutable;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetViz.Core.Sources.Netlink;

/// <summary>What reading a set of discovered namespaces produced: the namespaces that could be read, and why others could not.</summary>
public sealed record NamespaceReadResult(ImmutableArray<NetworkNamespaceView> Namespaces, ImmutableArray<string> Warnings);

/// <summary>
/// <see cref="IHostNetworkSource"/> over rtnetlink, in process: discovers every network namespace, enters each on a
/// dedicated thread just long enough to create a NETLINK_ROUTE socket there, then dumps links, addresses and routes
/// over those sockets concurrently, and resolves netns ids (RTM_GETNSID) so veth peers can be matched across namespaces.
/// Read-only: it sends nothing but GET requests.
/// </summary>
public sealed class NetlinkHostNetworkSource : IHostNetworkSource, IDisposable
{
    private const string Capabilities = "NetViz needs root, or CAP_SYS_ADMIN (setns), CAP_SYS_PTRACE (/proc/PID/ns/net) and CAP_NET_ADMIN";
    private readonly NetworkNamespaceDiscovery _discovery;
    private readonly NamespaceSocketThread _entry = new();

    public NetlinkHostNetworkSource() : this(new NetworkNamespaceDiscovery())
    {
    }

    public NetlinkHostNetworkSource(NetworkNamespaceDiscovery discovery) => _discovery = discovery;

    public async Task<HostNetworkView> CollectAsync(CancellationToken cancellationToken)
    {
        var discovered = _discovery.Discover();
        var read = await ReadNamespacesAsync(discovered.Namespaces, discovered.Namespaces, cancellationToken).ConfigureAwait(false);
        var warnings = discovered.Warnings.AddRange(read.Warnings);
        if (discovered.HostInode == 0 || !read.Namespaces.Any(n => n.IsHost))
        {
            return new HostNetworkView
            {
                Ok = false,
                Error = $"cannot dump the host network namespace ({string.Join("; ", warnings)}). {Capabilities}.",
                HostInode = discovered.HostInode,
                Namespaces = read.Namespaces,
                Warnings = warnings,
            };
        }
        return new HostNetworkView { Ok = true, Error = null, HostInode = discovered.HostInode, Namespaces = read.Namespaces, Warnings = warnings };
    }

    public async Task<NamespaceRefresh> RefreshNamespacesAsync(IReadOnlyCollection<ulong> stale, IReadOnlySet<ulong> known, CancellationToken cancellationToken)
    {
        var discovered = _discovery.Discover();
        var wanted = stale as IReadOnlySet<ulong> ?? stale.ToHashSet();
        var targets = discovered.Namespaces.Where(n => wanted.Contains(n.Inode) || !known.Contains(n.Inode)).ToList();
        var existing = discovered.Namespaces.Select(n => n.Inode).ToHashSet();
        if (targets.Count == 0) return new NamespaceRefresh([], existing, discovered.Warnings);
        var read = await ReadNamespacesAsync(targets, discovered.Namespaces, cancellationToken).ConfigureAwait(false);
        return new NamespaceRefresh(read.Namespaces, existing, [.. discovered.Warnings, .. read.Warnings]);
    }

    /// <summary>
    /// Reads <paramref name="targets"/>; <paramref name="known"/> (a superset) is what netns ids are resolved against.
    /// A namespace that vanished, or whose path now leads to another namespace, is left out with a warning; never a half result.
    /// </summary>
    public async Task<NamespaceReadResult> ReadNamespacesAsync(IReadOnlyList<DiscoveredNamespace> targets, IReadOnlyList<DiscoveredNamespace> known, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var open = new Dictionary<ulong, int>(); // inode -> namespace fd, all closed at the end
        var readers = new List<Reader>(targets.Count);
        try
        {
            foreach (var target in targets)
            {
                if (open.ContainsKey(target.Inode)) continue;
                var fd = OpenNamespace(target, out var failure);
                if (fd < 0)
                {
                    warnings.Add(failure!);
                    continue;
                }
                open[target.Inode] = fd;
                readers.Add(new Reader(target, fd));
            }
            if (readers.Count == 0) return new NamespaceReadResult([], [.. warnings]);
            cancellationToken.ThrowIfCancellationRequested();

            var socketFds = await _entry.OpenSocketsAsync([.. readers.Select(r => r.NamespaceFd)]).ConfigureAwait(false);
            for (var i = 0; i < readers.Count; i++)
            {
                if (socketFds[i] >= 0) readers[i].Socket = NetlinkSocket.FromFd(socketFds[i]);
                else readers[i].Failure = EntryFailure(readers[i].Namespace, -socketFds[i]);
            }

            // Dumps are blocking syscalls of ~0.1 ms: parallel across cores, off the caller's thread.
            await Task.Run(() => Parallel.ForEach(readers, Options(cancellationToken), Dump), cancellationToken).ConfigureAwait(false);

            var resolving = readers.Where(r => r.Dump is not null && r.Dump.Links.Any(l => l.LinkNetnsId is not null)).ToList();
            if (resolving.Count > 0)
            {
                // Candidates to ask about: every known namespace, the host first (a container's veth peer is usually there).
                var candidates = new List<(ulong Inode, int Fd)>(known.Count);
                foreach (var ns in known.OrderBy(n => !n.IsHost))
                {
                    if (!open.TryGetValue(ns.Inode, out var fd))
                    {
                        fd = OpenNamespace(ns, out _);
                        if (fd < 0) continue;
                        open[ns.Inode] = fd;
                    }
                    candidates.Add((ns.Inode, fd));
                }
                await Task.Run(() => Parallel.ForEach(resolving, Options(cancellationToken), r => ResolveNsIds(r, candidates)), cancellationToken).ConfigureAwait(false);
            }

            var views = ImmutableArray.CreateBuilder<NetworkNamespaceView>(readers.Count);
            foreach (var reader in readers)
            {
                if (reader.Failure is not null) warnings.Add(reader.Failure);
                if (reader.Dump is not { } dump) continue;
                foreach (var warning in dump.Warnings.Concat(dump.OmissionWarnings())) warnings.Add($"network namespace {Describe(reader.Namespace)}: {warning}");
                views.Add(new NetworkNamespaceView
                {
                    Inode = reader.Namespace.Inode,
                    IsHost = reader.Namespace.IsHost,
                    Name = reader.Namespace.Name,
                    Paths = reader.Namespace.Paths,
                    Pids = reader.Namespace.Pids,
                    Holder = reader.Namespace.Holder,
                    Links = [.. dump.Links],
                    Addresses = [.. dump.Addresses],
                    Routes = [.. dump.Routes],
                    NsIdToInode = reader.NsIds?.ToImmutableDictionary() ?? ImmutableDictionary<int, ulong>.Empty,
                });
            }
            return new NamespaceReadResult(views.ToImmutable(), [.. warnings]);
        }
        finally
        {
            foreach (var reader in readers) reader.Socket?.Dispose();
            foreach (var fd in open.Values) LibC.Close(fd);
        }
    }

    private static ParallelOptions Options(CancellationToken cancellationToken)
        => new() { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };

    private static void Dump(Reader reader)
    {
        if (reader.Socket is null) return;
        try
        {
            var dump = new NetlinkDump();
            reader.Socket.DumpAll(dump);
            if (dump.Interrupted)
            {
                // NLM_F_DUMP_INTR: a table changed during the dump; one retry gives a consistent picture.
                dump = new NetlinkDump();
                reader.Socket.DumpAll(dump);
                if (dump.Interrupted) dump.Warn("dump interrupted twice by concurrent changes; it may be inconsistent");
            }
            reader.Dump = dump;
        }
        catch (Exception e) when (e is SocketException or InvalidDataException)
        {
            reader.Failure = $"network namespace {Describe(reader.Namespace)} could not be dumped: {e.Message}";
        }
    }

    /// <summary>
    /// Maps this namespace's netns ids to inodes by asking its own socket which id it uses for each other namespace
    /// (the ids are per-namespace: IFLA_LINK_NETNSID means something only to the namespace that reports it).
    /// Only already-assigned ids come back; nothing is allocated.
    /// </summary>
    private static void ResolveNsIds(Reader reader, List<(ulong Inode, int Fd)> candidates)
    {
        var needed = reader.Dump!.Links.Where(l => l.LinkNetnsId is >= 0).Select(l => l.LinkNetnsId!.Value).ToHashSet();
        var ids = new Dictionary<int, ulong>();
        var others = candidates.Where(c => c.Inode != reader.Namespace.Inode).ToList();
        try
        {
            // Usually one question settles it (a container's peer is in the host); ask the rest only if ids remain.
            var first = others.Take(1).ToList();
            Ask(first);
            if (!needed.IsSubsetOf(ids.Keys)) Ask(others.Skip(1).ToList());
        }
        catch (Exception e) when (e is SocketException or InvalidDataException)
        {
            reader.Dump.Warn($"netns ids could not be resolved: {e.Message}");
        }
        reader.NsIds = ids;

        void Ask(List<(ulong Inode, int Fd)> batch)
        {
            if (batch.Count == 0) return;
            var answers = reader.Socket!.GetNsIds(batch.Select(c => c.Fd).ToArray());
            for (var i = 0; i < batch.Count; i++)
                if (answers[i] >= 0) ids[answers[i]] = batch[i].Inode;
        }
    }

    /// <summary>Opens the namespace through the first of its paths that still leads to it; -1 with the reason otherwise.</summary>
    internal static int OpenNamespace(DiscoveredNamespace ns, out string? failure)
    {
        var denied = false;
        foreach (var path in ns.Paths)
        {
            var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                denied |= errno is LibC.EACCES or LibC.EPERM;
                continue;
            }
            // A pid can be reused and a bind mount replaced: only the inode proves it is the same namespace.
            if (LibC.InodeOfFd(fd) == ns.Inode)
            {
                failure = null;
                return fd;
            }
            LibC.Close(fd);
        }
        failure = denied
            ? $"network namespace {Describe(ns)} not readable: permission denied ({Capabilities})"
            : $"network namespace {Describe(ns)} vanished before it could be read";
        return -1;
    }

    private static string EntryFailure(DiscoveredNamespace ns, int errno) => errno switch
    {
        // setns(2): EINVAL when the fd is no longer a namespace (a stale bind-mount file), ENOENT/ESRCH when it is gone.
        LibC.ENOENT or LibC.ESRCH or LibC.EINVAL => $"network namespace {Describe(ns)} vanished before it could be read",
        LibC.EPERM or LibC.EACCES => $"network namespace {Describe(ns)} not readable: setns {LibC.ErrnoName(errno)} ({Capabilities})",
        _ => $"network namespace {Describe(ns)} could not be entered: {LibC.ErrnoName(errno)}",
    };

    private static string Describe(DiscoveredNamespace ns)
        => ns.IsHost ? $"host ({ns.Inode})" : ns.Name is not null ? $"'{ns.Name}' ({ns.Inode})" : $"{ns.Inode}{(ns.Paths.IsEmpty ? "" : $" ({ns.Paths[0]})")}";

    public void Dispose() => _entry.Dispose();

    private sealed class Reader(DiscoveredNamespace ns, int namespaceFd)
    {
        public DiscoveredNamespace Namespace { get; } = ns;
        public int NamespaceFd { get; } = namespaceFd;
        public NetlinkSocket? Socket { get; set; }
        public NetlinkDump? Dump { get; set; }
        public string? Failure { get; set; }
        public Dictionary<int, ulong>? NsIds { get; set; }
    }
}
