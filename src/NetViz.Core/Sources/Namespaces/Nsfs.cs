using System.Runtime.InteropServices;

using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Namespaces;

/// <summary>Identity of namespace files: a network namespace is identified by the inode of its nsfs file.</summary>
public static partial class Nsfs
{
    /// <summary>The inode of the namespace the given nsfs path refers to (follows /proc/PID/ns/net links), or null if unreadable or not a namespace file.</summary>
    public static ulong? InodeOf(string path)
    {
        // /proc/PID/ns/net is a magic link whose target reads "net:[4026531840]": cheaper than stat and
        // needs no ptrace access to read the target text.
        if (path.StartsWith("/proc/", StringComparison.Ordinal))
        {
            try
            {
                var target = new FileInfo(path).LinkTarget;
                if (target is not null && target.StartsWith("net:[", StringComparison.Ordinal) && target.EndsWith(']'))
                    return ulong.Parse(target.AsSpan(5, target.Length - 6));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        // A sandbox file whose mount is gone stats as a tmpfs inode: no namespace's.
        return IsNamespaceFile(path) ? StatInode(path) : null;
    }

    /// <summary>stat(2) the path and return st_ino (a bind-mounted nsfs file under /var/run/netns carries the namespace's inode).</summary>
    public static ulong? StatInode(string path)
    {
        // struct stat on x86_64 and aarch64 begins with st_dev (8 bytes) then st_ino (8 bytes).
        Span<byte> buf = stackalloc byte[256];
        unsafe
        {
            fixed (byte* p = buf)
            {
                if (stat(path, p) != 0) return null;
            }
        }
        return BitConverter.ToUInt64(buf.Slice(8, 8));
    }

    /// <summary>NSFS_MAGIC (linux/magic.h): the f_type statfs(2) reports for a namespace file.</summary>
    private const long NsfsMagic = 0x6e736673;

    /// <summary>
    /// True when the path is a namespace file (on nsfs: a bind mount under /var/run/netns or /var/run/docker/netns,
    /// or a /proc/PID/ns link). The file a stopped sandbox or an engine restart leaves behind without its mount is a
    /// plain tmpfs file: not a namespace, never was one to show.
    /// </summary>
    public static bool IsNamespaceFile(string path)
    {
        // struct statfs on x86_64 and aarch64 begins with f_type (a long).
        Span<byte> buf = stackalloc byte[256];
        unsafe
        {
            fixed (byte* p = buf)
            {
                if (statfs(path, p) != 0) return false;
            }
        }
        return BitConverter.ToInt64(buf[..8]) == NsfsMagic;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statfs(string path, byte* buf);
}
