using Microsoft.Extensions.Options;

namespace NetViz.Core;

/// <summary>Settings under "NetViz" in appsettings.json, overridable on the command line (--NetViz:NatPollInterval=00:00:05).</summary>
public sealed class NetVizOptions
{
    public const string Section = "NetViz";

    /// <summary>iptables has no event source: how often iptables-save is read.</summary>
    public TimeSpan NatPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Full re-collection as a safety net for anything events missed (e.g. a new `ip netns`).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a burst of events is gathered before one snapshot is built from all of them (zero: no gathering).</summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Updates buffered per subscriber; a subscriber that falls further behind is reset from a fresh snapshot.</summary>
    public int SubscriberBufferSize { get; set; } = 64;

    /// <summary>Docker endpoint; null means DOCKER_HOST, else unix:///var/run/docker.sock.</summary>
    public string? DockerHost { get; set; }

    /// <summary>
    /// Keep only the capabilities NetViz uses (SYS_ADMIN, SYS_PTRACE, NET_ADMIN, NET_RAW) from the start; false keeps
    /// whatever it was started with. Read by the web host before anything else (docs/security.md).
    /// </summary>
    public bool DropCapabilities { get; set; } = true;

    /// <summary>Path of iptables-save.</summary>
    public string IptablesSavePath { get; set; } = "iptables-save";

    /// <summary>Bytes of iptables-save output read per poll; beyond it the rules are cut and NAT is marked degraded.</summary>
    public long NatMaxBytes { get; set; } = Sources.Nat.IptablesSaveLimits.Default.MaxBytes;

    /// <summary>Rules (nat and filter tables) read per poll; beyond it the rules are cut and NAT is marked degraded.</summary>
    public int NatMaxRules { get; set; } = Sources.Nat.IptablesSaveLimits.Default.MaxRules;
}

/// <summary>
/// Checks <see cref="NetVizOptions"/> when the host starts (ValidateOnStart), so a bad setting stops the app with a
/// message naming the setting instead of a PeriodicTimer exception from deep inside the monitor.
/// </summary>
public sealed class NetVizOptionsValidator : IValidateOptions<NetVizOptions>
{
    /// <summary>Longest period a timer accepts (PeriodicTimer's limit, about 49.7 days).</summary>
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, NetVizOptions options)
    {
        var failures = new List<string>();
        Period(nameof(NetVizOptions.NatPollInterval), options.NatPollInterval, "how often iptables-save is read");
        Period(nameof(NetVizOptions.ResyncInterval), options.ResyncInterval, "how often everything is re-read");
        if (options.CoalesceWindow < TimeSpan.Zero || options.CoalesceWindow > TimeSpan.FromSeconds(10))
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.CoalesceWindow)} must be between 0 and 00:00:10 (got {options.CoalesceWindow}).");
        if (options.SubscriberBufferSize is < 2 or > 100_000)
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.SubscriberBufferSize)} must be between 2 and 100000 (got {options.SubscriberBufferSize}).");
        if (string.IsNullOrWhiteSpace(options.IptablesSavePath))
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.IptablesSavePath)} must name the iptables-save program.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Period(string setting, TimeSpan value, string what)
        {
            if (value <= TimeSpan.Zero || value > MaxPeriod)
                failures.Add($"{NetVizOptions.Section}:{setting} ({what}) must be a positive duration such as 00:00:02 (got {value}).");
        }
    }
}
