using Microsoft.Extensions.Options;

namespace NetViz.Core;

/// <summary>Settings under "NetViz" in appsettings.json, overridable on the command line (--NetViz:NatPollInterval=00:00:05).</summary>
public sealed class NetVizOptions
{
    public const string Section = "NetViz";

    /// <summary>
    /// How often iptables-save is read where rule changes are not announced: the legacy backend, or while the
    /// nftables notifications are unavailable. Zero turns polling off.
    /// </summary>
    public TimeSpan NatPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often NAT packet counters (which change without any notification) are re-read while someone is subscribed:
    /// on iptables-nft from nftables dumps in process, else (or when the rules no longer fit) by iptables-save. Zero: never.
    /// </summary>
    public TimeSpan NatCounterInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Listen for nftables rule-set changes (NETLINK_NETFILTER) instead of polling, on the nftables backends.</summary>
    public bool WatchNftables { get; set; } = true;

    /// <summary>
    /// Full re-collection as a safety net. Events should have told everything already: a resync that finds a
    /// difference logs it as a warning (a missed event).
    /// </summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the resync also re-reads the namespaces that have a netlink listener, the host namespace, Docker, and the
    /// NAT rules, and looks for namespaces that came or went. In between it re-reads the NAT counters (the rules only
    /// when the host's nftables generation moved since they were read, or on the legacy backend, which has no
    /// generation), every namespace without a listener or with a vxlan device (forwarding entries have no listener), the
    /// host namespace when its listener ended since the last resync, Docker when its event stream did, and looks for
    /// namespaces coming and going only without the process connector watch: a listened namespace cannot change
    /// unannounced (a lost notification is an overrun, which re-reads it), nor Docker while its event stream is
    /// connected, and re-reading 300 namespaces every 30 s was most of the idle CPU.
    /// </summary>
    public TimeSpan FullResyncInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Netlink listener sockets at most, one per non-host namespace; namespaces beyond it update only at the resync.</summary>
    public int MaxNamespaceListeners { get; set; } = 4096;

    /// <summary>Namespaces coming and going with processes (process connector): at most one re-discovery per this.</summary>
    public TimeSpan NamespaceSweepMinInterval { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Without the process connector (not root, in a container): re-discover namespaces this often.</summary>
    public TimeSpan NamespaceSweepFallbackInterval { get; set; } = TimeSpan.FromSeconds(2);

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

    /// <summary>Changes kept in the timeline (GET /api/history) at most; the oldest are dropped first.</summary>
    public int HistoryMaxEntries { get; set; } = 2000;

    /// <summary>Estimated bytes the timeline holds at most; the oldest changes are dropped first.</summary>
    public long HistoryMaxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Changes closer than this in time form one episode of the timeline (what one command did).</summary>
    public TimeSpan EpisodeGap { get; set; } = TimeSpan.FromSeconds(3);
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
        OptionalPeriod(nameof(NetVizOptions.NatPollInterval), options.NatPollInterval, "how often iptables-save is read where rule changes are not announced");
        OptionalPeriod(nameof(NetVizOptions.NatCounterInterval), options.NatCounterInterval, "how often NAT counters are re-read while someone looks");
        Period(nameof(NetVizOptions.ResyncInterval), options.ResyncInterval, "how often everything is re-read");
        Period(nameof(NetVizOptions.FullResyncInterval), options.FullResyncInterval, "how often the resync re-reads the namespaces that have a listener too");
        Period(nameof(NetVizOptions.NamespaceSweepMinInterval), options.NamespaceSweepMinInterval, "the least time between two namespace re-discoveries");
        Period(nameof(NetVizOptions.NamespaceSweepFallbackInterval), options.NamespaceSweepFallbackInterval, "the re-discovery period without the process connector");
        if (options.MaxNamespaceListeners is < 0 or > 65_536)
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.MaxNamespaceListeners)} must be between 0 and 65536 (got {options.MaxNamespaceListeners}).");
        if (options.CoalesceWindow < TimeSpan.Zero || options.CoalesceWindow > TimeSpan.FromSeconds(10))
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.CoalesceWindow)} must be between 0 and 00:00:10 (got {options.CoalesceWindow}).");
        if (options.SubscriberBufferSize is < 2 or > 100_000)
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.SubscriberBufferSize)} must be between 2 and 100000 (got {options.SubscriberBufferSize}).");
        if (options.HistoryMaxEntries is < 1 or > 1_000_000)
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.HistoryMaxEntries)} (changes kept in the timeline) must be between 1 and 1000000 (got {options.HistoryMaxEntries}).");
        if (options.HistoryMaxBytes is < 64 * 1024 or > 1L << 30)
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.HistoryMaxBytes)} (bytes the timeline holds) must be between 65536 and 1073741824 (got {options.HistoryMaxBytes}).");
        if (options.EpisodeGap < TimeSpan.Zero || options.EpisodeGap > TimeSpan.FromMinutes(10))
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.EpisodeGap)} (the pause that ends an episode) must be between 0 and 00:10:00 (got {options.EpisodeGap}).");
        if (string.IsNullOrWhiteSpace(options.IptablesSavePath))
            failures.Add($"{NetVizOptions.Section}:{nameof(NetVizOptions.IptablesSavePath)} must name the iptables-save program.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void OptionalPeriod(string setting, TimeSpan value, string what)
        {
            if (value < TimeSpan.Zero || value > MaxPeriod)
                failures.Add($"{NetVizOptions.Section}:{setting} ({what}) must be a positive duration such as 00:00:02, or 00:00:00 for never (got {value}).");
        }

        void Period(string setting, TimeSpan value, string what)
        {
            if (value <= TimeSpan.Zero || value > MaxPeriod)
                failures.Add($"{NetVizOptions.Section}:{setting} ({what}) must be a positive duration such as 00:00:02 (got {value}).");
        }
    }
}
