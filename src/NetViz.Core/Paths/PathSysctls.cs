using System.Collections.Immutable;
using System.Globalization;

namespace NetViz.Core.Paths;

/// <summary>
/// The host namespace's kernel settings that change where a packet goes. Null means "could not be read": the
/// explainer then says what it assumed.
/// </summary>
public sealed record PathSysctls
{
    /// <summary>The values on a stock Docker host: forwarding on, bridged traffic seen by iptables, rp_filter off.</summary>
    public static PathSysctls DockerDefaults { get; } = new() { IpForward = 1, BridgeNfCallIptables = 1, RpFilterAll = 0 };

    /// <summary>net.ipv4.ip_forward.</summary>
    public int? IpForward { get; init; }
    /// <summary>net.bridge.bridge-nf-call-iptables; 0 when br_netfilter is not loaded (the file does not exist).</summary>
    public int? BridgeNfCallIptables { get; init; }
    /// <summary>net.ipv4.conf.all.rp_filter.</summary>
    public int? RpFilterAll { get; init; }
    /// <summary>net.ipv4.conf.DEV.rp_filter per host interface; the kernel uses max(all, DEV).</summary>
    public ImmutableDictionary<string, int> RpFilterByDevice { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>The rp_filter mode the kernel applies to packets arriving on <paramref name="device"/>: 0 off, 1 strict, 2 loose.</summary>
    public int? RpFilter(string device) =>
        RpFilterAll is not { } all ? null : Math.Max(all, RpFilterByDevice.GetValueOrDefault(device));
}

/// <summary>Reads <see cref="PathSysctls"/> from /proc/sys of the namespace NetViz runs in, a few bytes per file.</summary>
public static class ProcSysctls
{
    /// <summary>At most this many interfaces' rp_filter files are read (a host with more is not a learner's host).</summary>
    public const int MaxDevices = 512;

    public static PathSysctls Read(IEnumerable<string> hostDevices, string root = "/proc/sys")
    {
        var byDevice = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var device in hostDevices.Distinct(StringComparer.Ordinal).Take(MaxDevices))
        {
            // A name with a slash or dots could walk out of the conf folder; kernel names never contain '/'.
            if (device.Length == 0 || device.Contains('/') || device is "." or "..") continue;
            if (ReadInt(Path.Combine(root, "net/ipv4/conf", device, "rp_filter")) is { } value) byDevice[device] = value;
        }
        var bridgeFile = Path.Combine(root, "net/bridge/bridge-nf-call-iptables");
        return new PathSysctls
        {
            IpForward = ReadInt(Path.Combine(root, "net/ipv4/ip_forward")),
            // Without br_netfilter the file is absent and bridged frames never meet iptables.
            BridgeNfCallIptables = File.Exists(bridgeFile) ? ReadInt(bridgeFile) : 0,
            RpFilterAll = ReadInt(Path.Combine(root, "net/ipv4/conf/all/rp_filter")),
            RpFilterByDevice = byDevice.ToImmutable(),
        };
    }

    /// <summary>The integer in a sysctl file (at most 32 bytes read), or null.</summary>
    internal static int? ReadInt(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> buffer = stackalloc byte[32];
            var read = stream.Read(buffer);
            var text = System.Text.Encoding.ASCII.GetString(buffer[..read]).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Where the API and the dashboard get <see cref="PathSysctls"/>: a port, so tests can give fixed values.</summary>
public interface IPathSysctlsSource
{
    PathSysctls Read(IEnumerable<string> hostDevices);
}

/// <summary>Reads /proc/sys at most once a second (a path panel asks on every change of its pickers).</summary>
public sealed class ProcSysctlsSource(TimeProvider time) : IPathSysctlsSource
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private (PathSysctls Value, DateTimeOffset At, string Devices)? _last;

    public PathSysctls Read(IEnumerable<string> hostDevices)
    {
        var devices = string.Join('\n', hostDevices.Take(ProcSysctls.MaxDevices));
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_last is { } last && last.Devices == devices && now - last.At < MaxAge) return last.Value;
        }
        var value = ProcSysctls.Read(devices.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        lock (_gate) _last = (value, now, devices);
        return value;
    }
}
