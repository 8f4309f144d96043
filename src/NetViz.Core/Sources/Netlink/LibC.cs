using System.Runtime.InteropServices;

namespace NetViz.Core.Sources.Netlink;

/// <summary>The few libc calls .NET does not expose: netlink sockets (AF_NETLINK is 16, which .NET maps to AppleTalk) and setns.</summary>
internal static partial class LibC
{
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;
    public const int CLONE_NEWNET = 0x40000000;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EACCES = 13;
    public const int EINVAL = 22;
    public const int ENOBUFS = 105;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // open(2) is variadic in glibc; the mode argument is read only with O_CREAT, which we never pass.
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int Bind(int fd, byte* address, int length);

    /// <summary>
    /// bind(2) a netlink socket to a kernel-chosen port id (struct sockaddr_nl with nl_pid 0). Multicast delivery
    /// skips sockets whose port id is still 0 (unbound), so a listener must bind before it can hear anything.
    /// Returns 0 or errno.
    /// </summary>
    public static int BindNetlinkAutoPort(int fd)
    {
        // struct sockaddr_nl { u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups; }
        Span<byte> address = stackalloc byte[12];
        address.Clear();
        BitConverter.TryWriteBytes(address, (ushort)AF_NETLINK);
        unsafe
        {
            fixed (byte* p = address)
            {
                return Bind(fd, p, address.Length) == 0 ? 0 : Marshal.GetLastPInvokeError();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true)]
    private static unsafe partial nint ReadLink(byte* path, byte* buffer, nint size);

    /// <summary>
    /// The inode of a namespace magic link such as /proc/PID/ns/net, from its target text "net:[4026531840]".
    /// readlink without .NET's FileInfo: /proc holds hundreds of these and this runs on every collection.
    /// Returns null with <paramref name="errno"/> set when it cannot be read.
    /// </summary>
    public static ulong? ReadNamespaceLinkInode(ReadOnlySpan<byte> nulTerminatedPath, out int errno)
    {
        Span<byte> target = stackalloc byte[64];
        nint length;
        unsafe
        {
            fixed (byte* p = nulTerminatedPath)
            fixed (byte* t = target)
            {
                length = ReadLink(p, t, target.Length);
            }
        }
        if (length < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        errno = 0;
        var text = target[..(int)length];
        var open = text.IndexOf((byte)'[');
        if (open < 0 || text[^1] != (byte)']' || !ulong.TryParse(text[(open + 1)..^1], out var inode)) return null;
        return inode;
    }

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* buf);

    /// <summary>st_ino of an open fd (struct stat on x86_64 and aarch64 begins with st_dev then st_ino, 8 bytes each).</summary>
    public static ulong? InodeOfFd(int fd)
    {
        Span<byte> buf = stackalloc byte[256];
        unsafe
        {
            fixed (byte* p = buf)
            {
                if (FStat(fd, p) != 0) return null;
            }
        }
        return BitConverter.ToUInt64(buf.Slice(8, 8));
    }

    /// <summary>An AF_NETLINK/NETLINK_ROUTE socket in the calling thread's network namespace, or -errno.</summary>
    public static int OpenRouteSocketFd()
    {
        var fd = Socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    public static string ErrnoName(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EACCES => "EACCES",
        EINVAL => "EINVAL",
        ENOBUFS => "ENOBUFS",
        _ => $"errno {errno}",
    };
}
