using System.Runtime.InteropServices;

namespace NetViz.Core.Sources.Netlink;

/// <summary>
/// libc calls for listening on many netlink sockets from one thread: epoll, an eventfd to wake it, non-blocking
/// recv, setsockopt, and sockets of the other netlink families (the process connector, nfnetlink).
/// </summary>
internal static partial class LibC
{
    public const int NETLINK_CONNECTOR = 11;
    public const int NETLINK_NETFILTER = 12;
    public const int SOL_NETLINK = 270;
    public const int NETLINK_ADD_MEMBERSHIP = 1;
    public const int SOL_SOCKET = 1;
    public const int SO_RCVBUF = 8;
    public const int MSG_DONTWAIT = 0x40;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBADF = 9;

    private const int EPOLL_CLOEXEC = 0x80000;
    private const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    private const uint EPOLLIN = 0x1;
    private const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    // struct epoll_event is packed on x86_64 (u32 events; u64 data = 12 bytes) and naturally aligned elsewhere (16).
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint length);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetSockOpt(int fd, int level, int name, byte* value, int length);

    /// <summary>An epoll instance (close-on-exec), or -errno.</summary>
    public static int OpenEpoll()
    {
        var fd = EpollCreate1(EPOLL_CLOEXEC);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>A non-blocking eventfd used to wake a thread blocked in epoll_wait, or -errno.</summary>
    public static int OpenWakeEvent()
    {
        var fd = EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Watches <paramref name="fd"/> for readability (level-triggered) under <paramref name="token"/>. Returns 0 or errno.</summary>
    public static int EpollAdd(int epoll, int fd, ulong token)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        BitConverter.TryWriteBytes(ev, EPOLLIN);
        BitConverter.TryWriteBytes(ev[EpollDataOffset..], token);
        unsafe
        {
            fixed (byte* p = ev)
                return EpollCtl(epoll, EPOLL_CTL_ADD, fd, p) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    public static void EpollRemove(int epoll, int fd)
    {
        unsafe
        {
            // A non-null event pointer keeps kernels before 2.6.9 happy; it is ignored.
            Span<byte> ev = stackalloc byte[16];
            fixed (byte* p = ev)
                EpollCtl(epoll, EPOLL_CTL_DEL, fd, p);
        }
    }

    /// <summary>
    /// Waits for ready fds and writes their tokens into <paramref name="tokens"/>. Returns how many, 0 on EINTR
    /// (the runtime interrupts threads with signals), or -errno.
    /// </summary>
    public static int EpollWaitTokens(int epoll, Span<ulong> tokens, int timeoutMilliseconds)
    {
        Span<byte> events = stackalloc byte[tokens.Length * EpollEventSize];
        int n;
        unsafe
        {
            fixed (byte* p = events)
                n = EpollWait(epoll, p, tokens.Length, timeoutMilliseconds);
        }
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == EINTR ? 0 : -errno;
        }
        for (var i = 0; i < n; i++)
            tokens[i] = BitConverter.ToUInt64(events.Slice(i * EpollEventSize + EpollDataOffset, 8));
        return n;
    }

    /// <summary>recv(2) without blocking: bytes read, or -errno (-EAGAIN when nothing is queued).</summary>
    public static int ReceiveNonBlocking(int fd, Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            unsafe
            {
                fixed (byte* p = buffer)
                    n = Recv(fd, p, buffer.Length, MSG_DONTWAIT);
            }
            if (n >= 0) return (int)n;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return -errno;
        }
    }

    /// <summary>send(2) on an unconnected netlink socket: the kernel is the default peer. Returns 0 or errno.</summary>
    public static int SendToKernel(int fd, ReadOnlySpan<byte> message)
    {
        unsafe
        {
            fixed (byte* p = message)
                return Send(fd, p, message.Length, 0) == message.Length ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    public static void SignalWakeEvent(int fd)
    {
        ulong one = 1;
        unsafe
        {
            Write(fd, (byte*)&one, sizeof(ulong));
        }
    }

    public static void DrainWakeEvent(int fd)
    {
        ulong value;
        unsafe
        {
            Read(fd, (byte*)&value, sizeof(ulong));
        }
    }

    /// <summary>setsockopt with an int value. Returns 0 or errno.</summary>
    public static int SetSocketOption(int fd, int level, int name, int value)
    {
        unsafe
        {
            return SetSockOpt(fd, level, name, (byte*)&value, sizeof(int)) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>An AF_NETLINK socket of the given family in the calling thread's network namespace, or -errno.</summary>
    public static int OpenNetlinkSocketFd(int protocol)
    {
        var fd = Socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Makes a netlink socket a listener: binds it to a kernel-chosen port id (multicast skips unbound sockets) and
    /// joins <paramref name="groups"/>. Joining a group only listens. Returns 0 or the errno of the step that failed.
    /// </summary>
    public static int JoinNetlinkGroups(int fd, ReadOnlySpan<int> groups)
    {
        var error = BindNetlinkAutoPort(fd);
        if (error != 0) return error;
        foreach (var group in groups)
        {
            error = SetSocketOption(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
            if (error != 0) return error;
        }
        return 0;
    }
}
