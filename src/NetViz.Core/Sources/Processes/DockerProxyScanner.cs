using System.Collections.Immutable;
using System.Globalization;
using System.IO.Enumeration;
using System.Text;

namespace NetViz.Core.Sources.Processes;

/// <summary>
/// One docker-proxy process: Docker's userland proxy for a published port (<c>userland-proxy</c> is on by default).
/// Connections the host itself opens to 127.0.0.1:port skip the DNAT rule (Docker's OUTPUT jump excludes
/// 127.0.0.0/8); this process accepts them and copies the bytes to the container.
/// </summary>
/// <param name="Listening">A socket this process owns is in LISTEN (tcp) or bound (udp) on the host port, per
/// <c>/proc/PID/net/tcp[6]</c> / <c>udp[6]</c> and the process's own socket descriptors.</param>
public sealed record DockerProxy(int Pid, string Protocol, string HostIp, int HostPort, string? ContainerIp, int? ContainerPort, bool Listening);

/// <summary>
/// Finds docker-proxy processes in the process table (<c>/proc/PID/comm</c>), reads what they forward from their
/// command line (<c>-proto tcp -host-ip 127.0.0.1 -host-port 8080 -container-ip 172.17.0.2 -container-port 80</c>)
/// and whether they listen. Every read is bounded: comm 64 bytes, cmdline 4 KiB, the socket table 1 MiB, 1024
/// descriptors, 512 proxies. Read-only, and needs no ptrace access beyond what NetViz already has as root.
/// </summary>
public static class DockerProxyScanner
{
    public const int MaxProxies = 512, MaxCmdlineBytes = 4096, MaxSocketTableBytes = 1 << 20, MaxDescriptors = 1024;

    public static ImmutableArray<DockerProxy> Scan(string proc = "/proc")
    {
        var result = ImmutableArray.CreateBuilder<DockerProxy>();
        foreach (var pid in Pids(proc))
        {
            if (result.Count >= MaxProxies) break;
            if (ReadBounded($"{proc}/{pid}/comm", 64)?.TrimEnd('\n', '\0') != "docker-proxy") continue;
            if (ReadBounded($"{proc}/{pid}/cmdline", MaxCmdlineBytes) is not { } cmdline) continue;
            if (Parse(pid, cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries)) is not { } proxy) continue;
            result.Add(proxy with { Listening = Listens(proc, pid, proxy) });
        }
        return result.ToImmutable();
    }

    /// <summary>The forwarding a docker-proxy command line describes, or null when it is not one.</summary>
    public static DockerProxy? Parse(int pid, IReadOnlyList<string> argv)
    {
        string? Arg(string name)
        {
            for (var i = 0; i < argv.Count - 1; i++)
                if (argv[i] == name || argv[i] == "-" + name) return argv[i + 1];
            return null;
        }
        var proto = Arg("-proto");
        var hostIp = Arg("-host-ip");
        if (proto is not ("tcp" or "udp" or "sctp") || hostIp is null || !int.TryParse(Arg("-host-port"), out var hostPort)) return null;
        int? containerPort = int.TryParse(Arg("-container-port"), out var cp) ? cp : null;
        return new DockerProxy(pid, proto, hostIp, hostPort, Arg("-container-ip"), containerPort, Listening: false);
    }

    private static bool Listens(string proc, int pid, DockerProxy proxy)
    {
        var owned = SocketInodes(proc, pid);
        if (owned.Count == 0) return false;
        var v6 = proxy.HostIp.Contains(':');
        var table = proxy.Protocol == "udp" ? (v6 ? "udp6" : "udp") : (v6 ? "tcp6" : "tcp");
        // st 0A = TCP_LISTEN; an unconnected bound udp socket shows 07 (TCP_CLOSE).
        var state = proxy.Protocol == "udp" ? "07" : "0A";
        var port = proxy.HostPort.ToString("X4", CultureInfo.InvariantCulture);
        if (ReadBounded($"{proc}/{pid}/net/{table}", MaxSocketTableBytes) is not { } text) return false;
        foreach (var line in text.Split('\n').Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10) continue;
            var local = fields[1];
            if (!local.EndsWith(":" + port, StringComparison.OrdinalIgnoreCase) || fields[3] != state) continue;
            if (ulong.TryParse(fields[9], out var inode) && owned.Contains(inode)) return true;
        }
        return false;
    }

    /// <summary>The socket inodes a process holds (its <c>/proc/PID/fd</c> links read <c>socket:[N]</c>).</summary>
    private static HashSet<ulong> SocketInodes(string proc, int pid)
    {
        var inodes = new HashSet<ulong>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"{proc}/{pid}/fd").Take(MaxDescriptors))
            {
                string? target;
                try { target = new FileInfo(fd).LinkTarget; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                    && ulong.TryParse(target.AsSpan(8, target.Length - 9), out var inode))
                    inodes.Add(inode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return inodes;
    }

    private static IEnumerable<int> Pids(string proc)
    {
        try
        {
            return new FileSystemEnumerable<int>(proc, static (ref FileSystemEntry entry) => int.TryParse(entry.FileName, out var pid) ? pid : -1,
                new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 })
            {
                ShouldIncludePredicate = static (ref FileSystemEntry entry) => entry.IsDirectory && entry.FileName.Length > 0 && char.IsAsciiDigit(entry.FileName[0]),
            }.Where(pid => pid > 0).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>At most <paramref name="limit"/> bytes of a file as UTF-8, or null when it cannot be read (the process exited).</summary>
    private static string? ReadBounded(string path, int limit)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[limit];
            var total = 0;
            int read;
            while (total < limit && (read = stream.Read(buffer, total, limit - total)) > 0) total += read;
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
