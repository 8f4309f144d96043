using System.Collections;
using System.Runtime.InteropServices;

namespace NetViz.Core.Privileges;

/// <summary>What <see cref="CapabilityDrop.Apply"/> found and did, for the start-up log.</summary>
public sealed record CapabilityDropOutcome(bool Applied, string Message);

/// <summary>
/// Keeps only the capabilities NetViz uses. Capabilities belong to threads, and the .NET runtime has started
/// several before Main runs, so dropping them in place would leave those threads (and any thread they start)
/// with everything. Instead, on the main thread: drop the rest from the bounding set (prctl PR_CAPBSET_DROP),
/// trim the permitted, effective and inheritable sets (capset), then execve the same command line again. The new
/// image starts every thread from the trimmed sets: as root its permitted and effective sets are recomputed from
/// the bounding set, so all of them hold exactly the kept capabilities, and so do the iptables-save children.
/// The second start finds nothing to drop and goes on; the PID, stdio and arguments stay the same.
/// </summary>
public static partial class CapabilityDrop
{
    /// <summary>Set in the environment of the re-executed image: never re-execute twice.</summary>
    public const string ReExecutedVariable = "NETVIZ_CAPABILITIES_DROPPED";

    private const int PR_CAPBSET_DROP = 24;
    private const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    /// <summary>
    /// Trims the capabilities to <paramref name="keep"/> (intersected with what the process has) and re-executes;
    /// returns only when there was nothing to drop, or it could not be dropped (then the outcome says why).
    /// </summary>
    public static CapabilityDropOutcome Apply(ulong keep)
    {
        if (!OperatingSystem.IsLinux()) return new(false, "not Linux: capabilities left as they are");
        var current = CapabilitySets.OfThisThread();
        var extraBounding = current.Bounding & ~keep;
        var extraPermitted = (current.Permitted | current.Effective | current.Inheritable | current.Ambient) & ~keep;
        if (extraBounding == 0 && extraPermitted == 0)
            return Environment.GetEnvironmentVariable(ReExecutedVariable) is not null
                ? new(true, $"kept only {LinuxCapabilities.Describe(current.Effective)} (the rest dropped from every set at start)")
                : new(false, $"capabilities: {LinuxCapabilities.Describe(current.Effective)} (nothing else to drop)");
        if (Environment.GetEnvironmentVariable(ReExecutedVariable) is not null)
            return new(false, $"capabilities still include {LinuxCapabilities.Describe(extraBounding | extraPermitted)} after re-executing; left as they are");

        var canDropBounding = (current.Effective & (1UL << LinuxCapabilities.SETPCAP)) != 0;
        if (canDropBounding)
        {
            for (var cap = 0; cap <= LinuxCapabilities.LastCap(); cap++)
                if ((extraBounding & (1UL << cap)) != 0 && Prctl(PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0) != 0)
                    return new(false, $"prctl(PR_CAPBSET_DROP, {cap}) failed: errno {Marshal.GetLastPInvokeError()}; capabilities left as they are");
        }
        else if (extraPermitted == 0)
        {
            // No CAP_SETPCAP (a non-root user with only the kept capabilities): the bounding set only limits what
            // a set-uid or file-capability program could gain; the service unit or container bounds it.
            return new(false, $"capabilities: {LinuxCapabilities.Describe(current.Effective)}; bounding set left to the service manager (no CAP_SETPCAP)");
        }

        // Lowering permitted also lowers the ambient set (a non-root service's way of passing capabilities on).
        if (!SetCapabilities(current.Effective & keep, current.Permitted & keep, current.Inheritable & keep))
            return new(false, $"capset failed: errno {Marshal.GetLastPInvokeError()}; capabilities left as they are");

        ReExecute();
        return new(false, $"execve of /proc/self/exe failed: errno {Marshal.GetLastPInvokeError()}; this thread holds {LinuxCapabilities.Describe(current.Effective & keep)}, others more");
    }

    /// <summary>execve(/proc/self/exe, this process's argv, its environment + the marker). Returns only on failure.</summary>
    private static void ReExecute()
    {
        var argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        var environment = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment.Add($"{e.Key}={e.Value}");
        environment.Add($"{ReExecutedVariable}=1");
        var argvPointers = ToNativeArray(argv);
        var envPointers = ToNativeArray(environment);
        // Leaked on purpose: on success the image is replaced, on failure the process goes on once with them.
        Execve("/proc/self/exe", argvPointers, envPointers);
    }

    private static nint[] ToNativeArray(IReadOnlyList<string> values)
    {
        var pointers = new nint[values.Count + 1];
        for (var i = 0; i < values.Count; i++) pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
        return pointers; // null-terminated: the last element stays 0
    }

    private static unsafe bool SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        // struct __user_cap_header_struct { u32 version; int pid; } + two __user_cap_data_struct { u32 effective, permitted, inheritable; }
        var header = stackalloc uint[2];
        header[0] = LINUX_CAPABILITY_VERSION_3;
        header[1] = 0; // this thread
        var data = stackalloc uint[6];
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        return Capset(header, data) == 0;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static unsafe partial int Capset(uint* header, uint* data);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, nint[] argv, nint[] envp);
}
