using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace NetViz.Core.Sources.Netlink;

/// <summary>
/// One long-lived dedicated thread that creates NETLINK_ROUTE sockets inside other network namespaces.
/// setns(2) changes the namespace of the calling thread only, so it must never run on a pool thread (another
/// work item would inherit the namespace). A socket keeps the namespace it was created in for its whole life,
/// so the dumps themselves run anywhere afterwards. Reusing one thread avoids a thread start per namespace.
/// </summary>
internal sealed class NamespaceSocketThread : IDisposable
{
    private readonly BlockingCollection<Batch> _queue = new();
    private readonly Thread _thread;

    public NamespaceSocketThread()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "NetViz netns entry" };
        _thread.Start();
    }

    /// <summary>
    /// For each namespace fd: a netlink socket fd created inside it, or -errno (ENOENT/ESRCH/EINVAL: the namespace
    /// vanished or the fd is not a namespace; EPERM: no CAP_SYS_ADMIN). Ownership of the socket fds passes to the caller.
    /// </summary>
    public Task<int[]> OpenSocketsAsync(int[] namespaceFds, int protocol = LibC.NETLINK_ROUTE)
    {
        var batch = new Batch(namespaceFds, protocol);
        try
        {
            _queue.Add(batch);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(NamespaceSocketThread));
        }
        return batch.Completion.Task;
    }

    private void Run()
    {
        // The namespace to come back to: this thread's own, which it inherited from the process.
        var home = LibC.Open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        var homeErrno = home < 0 ? Marshal.GetLastPInvokeError() : 0;
        var homeInode = home >= 0 ? LibC.InodeOfFd(home) : null;
        try
        {
            foreach (var batch in _queue.GetConsumingEnumerable())
            {
                if (home < 0)
                {
                    batch.Completion.SetException(new IOException($"cannot open /proc/thread-self/ns/net: {LibC.ErrnoName(homeErrno)}"));
                    continue;
                }
                var result = new int[batch.NamespaceFds.Length];
                for (var i = 0; i < result.Length; i++)
                    result[i] = OpenSocketIn(batch.NamespaceFds[i], batch.Protocol, home, homeInode);
                batch.Completion.SetResult(result);
            }
        }
        finally
        {
            if (home >= 0) LibC.Close(home);
        }
    }

    private static int OpenSocketIn(int namespaceFd, int protocol, int home, ulong? homeInode)
    {
        // Our own namespace needs no setns (and a process without CAP_SYS_ADMIN can still read it).
        if (homeInode is not null && LibC.InodeOfFd(namespaceFd) == homeInode) return LibC.OpenNetlinkSocketFd(protocol);

        if (LibC.SetNs(namespaceFd, LibC.CLONE_NEWNET) != 0) return -Marshal.GetLastPInvokeError();
        var socket = LibC.OpenNetlinkSocketFd(protocol);
        if (LibC.SetNs(home, LibC.CLONE_NEWNET) != 0)
        {
            // This thread would keep serving requests from the wrong namespace: nothing it reports could be trusted.
            Environment.FailFast($"setns back to the home network namespace failed: {LibC.ErrnoName(Marshal.GetLastPInvokeError())}");
        }
        return socket;
    }

    public void Dispose() => _queue.CompleteAdding();

    private sealed class Batch(int[] namespaceFds, int protocol)
    {
        public int[] NamespaceFds { get; } = namespaceFds;
        public int Protocol { get; } = protocol;
        public TaskCompletionSource<int[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
