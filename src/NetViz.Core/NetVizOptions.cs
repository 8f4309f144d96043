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

    /// <summary>How often NAT packet counters (which change without any notification) are re-read while someone is subscribed. Zero: never.</summary>
    public TimeSpan NatCounterInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Listen for nftables rule-set changes (NETLINK_NETFILTER) instead of polling, on the nftables backends.</summary>
    public bool WatchNftables { get; set; } = true;

    /// <summary>
    /// Full re-collection as a safety net. Events should have told everything already: a resync that finds a
    /// difference logs it as a warning (a missed event).
    /// </summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Netlink listener sockets at most, one per non-host namespace; namespaces beyond it update only at the resync.</summary>
    public int MaxNamespaceListeners { get; set; } = 4096;

    /// <summary>Namespaces coming and going with processes (process connector): at most one re-discovery per this.</summary>
    public TimeSpan NamespaceSweepMinInterval { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Without the process connector (not root, in a container): re-discover namespaces this often.</summary>
    public TimeSpan NamespaceSweepFallbackInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a burst of events is gathered before one snapshot is built from all of them.</summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Updates buffered per subscriber; a subscriber that falls further behind is reset from a fresh snapshot.</summary>
    public int SubscriberBufferSize { get; set; } = 64;

    /// <summary>Docker endpoint; null means DOCKER_HOST, else unix:///var/run/docker.sock.</summary>
    public string? DockerHost { get; set; }

    /// <summary>Path of iptables-save.</summary>
    public string IptablesSavePath { get; set; } = "iptables-save";
}
