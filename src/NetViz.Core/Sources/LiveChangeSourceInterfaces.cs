namespace NetViz.Core.Sources;

// Ports of the sources that make every namespace live (issue 8): they say WHAT to re-read and WHEN; the readers
// (IHostNetworkSource, INatSource) still do the reading. Real adapters: Sources/Netlink, Sources/Processes, Sources/Nat.

/// <summary>Something that needs to know which network namespaces the current snapshot holds.</summary>
public interface INamespaceTracker
{
    /// <summary>
    /// The namespaces known now (called after every refresh, cheap, never blocks). The tracker adjusts what it
    /// watches in the background.
    /// </summary>
    void Track(HostNetworkView host);
}

/// <summary>
/// rtnetlink notifications from every known network namespace other than the host's (which
/// <see cref="INetlinkChangeSource"/> covers): one multicast socket per namespace, one reader for all of them.
/// </summary>
public interface INamespaceNetlinkSource : INamespaceTracker
{
    /// <summary>
    /// Yields, until cancelled, batches of namespaces to re-read: ones whose links, addresses, routes or netns ids
    /// changed, ones whose notifications overflowed, and ones whose listener just opened (a change between their
    /// last read and the listener's start would otherwise be missed). One consumer at a time.
    /// </summary>
    IAsyncEnumerable<NamespaceChangeBatch> WatchAsync(CancellationToken cancellationToken);

    /// <summary>Namespaces listened to now.</summary>
    int ListenerCount { get; }

    /// <summary>
    /// Inodes of the namespaces with a listener: their links, addresses, routes and netns ids cannot change unannounced
    /// (a lost notification is reported as an overrun, which re-reads the namespace), so the periodic resync may skip them.
    /// </summary>
    IReadOnlyCollection<ulong> ListeningTo { get; }
}

/// <param name="Inodes">Namespaces to re-read (a vanished one is dropped by the re-read).</param>
/// <param name="Reason">What happened, for logs: "RTM_NEWADDR in netns 4026532XXX", "overrun in ...".</param>
public sealed record NamespaceChangeBatch(IReadOnlyCollection<ulong> Inodes, ChangeCause Reason);

/// <summary>
/// Namespaces that appear with a process (<c>unshare --net</c>, a container's first exec) or die with their last
/// one, told by the kernel's process connector instead of scanning /proc many times a second.
/// </summary>
public interface INamespaceLifecycleSource : INamespaceTracker
{
    /// <summary>
    /// Yields, until cancelled, at most one signal per minimum interval: re-read <see cref="NamespaceLifecycleSignal.Inodes"/>
    /// (a holder of theirs exited; gone ones are dropped) and re-discover which namespaces exist. Without the connector
    /// it falls back to a periodic re-discovery.
    /// </summary>
    IAsyncEnumerable<NamespaceLifecycleSignal> WatchAsync(CancellationToken cancellationToken);
}

/// <param name="Inodes">Known namespaces that may have died; empty when only a re-discovery is needed.</param>
/// <param name="Reason">What happened, for logs.</param>
public sealed record NamespaceLifecycleSignal(IReadOnlyCollection<ulong> Inodes, ChangeCause Reason);

/// <summary>
/// The packet-filter rule set changed: nftables announces every committed change (iptables-nft included) on
/// NETLINK_NETFILTER's NFNLGRP_NFTABLES group, the one <c>nft monitor</c> listens to. The legacy iptables backend
/// announces nothing (it is polled instead).
/// </summary>
public interface INatChangeSource
{
    /// <summary>
    /// Yields one <see cref="RulesetChange"/> per burst of notifications (debounced), and one as soon as it listens
    /// (a change just before that would be missed otherwise). Throws if the socket cannot be opened or fails.
    /// </summary>
    IAsyncEnumerable<RulesetChange> WatchAsync(CancellationToken cancellationToken);
}

/// <param name="Messages">Notifications in the burst (0 for the one yielded when listening starts).</param>
public sealed record RulesetChange(int Messages);

/// <summary>The optional change sources the monitor listens to besides Docker events and host netlink.</summary>
public sealed record LiveChangeSources(INamespaceNetlinkSource? Namespaces, INamespaceLifecycleSource? Lifecycle, INatChangeSource? Nat)
{
    public static LiveChangeSources None { get; } = new(null, null, null);

    public void Track(HostNetworkView host)
    {
        Namespaces?.Track(host);
        Lifecycle?.Track(host);
    }
}
