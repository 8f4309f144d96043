using System.Globalization;

namespace NetViz.Core.Privileges;

/// <summary>A thread's five capability sets, as /proc/PID/status prints them (CapInh, CapPrm, CapEff, CapBnd, CapAmb).</summary>
public sealed record CapabilitySets(ulong Inheritable, ulong Permitted, ulong Effective, ulong Bounding, ulong Ambient)
{
    /// <summary>Reads the sets from the text of a /proc/PID/status (or /proc/PID/task/TID/status) file.</summary>
    public static CapabilitySets Parse(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        ulong Field(string name)
        {
            foreach (var line in status.Split('\n'))
                if (line.StartsWith(name + ":", StringComparison.Ordinal))
                    return ulong.Parse(line[(name.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            throw new FormatException($"{name} missing from the status text");
        }
        return new CapabilitySets(Field("CapInh"), Field("CapPrm"), Field("CapEff"), Field("CapBnd"), Field("CapAmb"));
    }

    /// <summary>The calling thread's sets (/proc/thread-self/status).</summary>
    public static CapabilitySets OfThisThread() => Parse(File.ReadAllText("/proc/thread-self/status"));
}

/// <summary>Capability numbers (linux/capability.h) and the set NetViz needs.</summary>
public static class LinuxCapabilities
{
    public const int DAC_READ_SEARCH = 2, SETPCAP = 8, NET_BIND_SERVICE = 10, NET_ADMIN = 12, NET_RAW = 13, SYS_PTRACE = 19, SYS_ADMIN = 21;

    /// <summary>
    /// What NetViz uses, verified by running it with only these (docs/security.md): SYS_ADMIN for setns(2) into other
    /// namespaces, SYS_PTRACE for /proc/PID/ns/net of others' processes, NET_ADMIN for iptables-save (nft backend),
    /// NET_RAW for iptables-legacy-save. With only these the snapshot is identical to a full-root one.
    /// </summary>
    public static readonly int[] Needed = [SYS_ADMIN, SYS_PTRACE, NET_ADMIN, NET_RAW];

    /// <summary>
    /// What a NetViz running as a user other than root needs besides <see cref="Needed"/>: DAC_READ_SEARCH, because
    /// Docker keeps its namespace bind mounts under /var/run/docker, which is root's alone (mode 0700). Root owns it.
    /// </summary>
    public static int[] NeededBy(bool isRoot) => isRoot ? Needed : [.. Needed, DAC_READ_SEARCH];

    private static readonly string[] Names =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ];

    public static ulong Mask(IEnumerable<int> capabilities) =>
        capabilities.Aggregate(0UL, (mask, cap) => mask | (1UL << cap));

    /// <summary>"NET_ADMIN,NET_RAW,SYS_PTRACE,SYS_ADMIN" for a mask, in bit order; "none" for 0.</summary>
    public static string Describe(ulong mask)
    {
        var names = Enumerable.Range(0, 64).Where(bit => (mask & (1UL << bit)) != 0)
            .Select(bit => bit < Names.Length ? Names[bit] : $"CAP_{bit}").ToList();
        return names.Count == 0 ? "none" : string.Join(",", names);
    }

    /// <summary>The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap), 40 if unreadable.</summary>
    public static int LastCap()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return 40; }
    }
}
