namespace NetViz.Core.Sources;

// Ports: one interface per source. Real adapters live beside them in Sources/*;
// test doubles live only in unit tests. Every source is read-only by construction.

/// <summary>Netlink + /proc: every network namespace with its links, addresses and routes.</summary>
public interface IHostNetworkSource
{
    /// <summary>One fresh, complete collection. Never throws for a vanished namespace: it is skipped.</summary>
    Task<HostNetworkView> CollectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Incremental refresh: re-discovers which namespaces exist (cheap: /proc and two directories), reads the
    /// <paramref name="stale"/> ones and every one not in <paramref name="known"/>, and says which still exist,
    /// so a caller can patch its last <see cref="HostNetworkView"/> without entering every namespace.
    /// </summary>
    Task<NamespaceRefresh> RefreshNamespacesAsync(IReadOnlyCollection<ulong> stale, IReadOnlySet<ulong> known, CancellationToken cancellationToken);
}

/// <param name="Read">The namespaces that were read (stale ones that still exist, and new ones).</param>
/// <param name="Existing">Inodes of every namespace that exists now.</param>
/// <param name="Warnings">What could not be read.</param>
public sealed record NamespaceRefresh(IReadOnlyList<NetworkNamespaceView> Read, IReadOnlySet<ulong> Existing, IReadOnlyList<string> Warnings);

/// <summary>Netlink multicast notifications (links, addresses, routes) in the host namespace.</summary>
public interface INetlinkChangeSource
{
    /// <summary>Yields one item per notification batch read from the socket until cancelled. Throws if the socket fails.</summary>
    IAsyncEnumerable<NetlinkChange> WatchAsync(CancellationToken cancellationToken);
}

/// <summary>Namespace files appearing or vanishing (inotify on /var/run/netns and /var/run/docker/netns).</summary>
public interface INamespaceChangeSource
{
    /// <summary>Yields the path of each namespace file created or removed; ends if nothing can be watched.</summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken);
}

/// <param name="MessageType">
/// RTM_NEWLINK (16), RTM_DELLINK (17), RTM_NEWADDR (20), ..., or NLMSG_OVERRUN when notifications were lost.
/// Any change re-reads the namespace, but for an RTM_NEWLINK that shows nothing new (<see cref="Link"/>).
/// </param>
public sealed record NetlinkChange(int MessageType)
{
    /// <summary>
    /// For RTM_NEWLINK: the link as the notification describes it (null when it could not be decoded). A notification
    /// that shows nothing the last reading lacks needs no re-read (<see cref="Collection.UnchangedReadings.NotifiedAsRead"/>).
    /// </summary>
    public LinkInfo? Link { get; init; }
}

/// <summary>The Docker engine: containers, networks, version, and its event stream.</summary>
public interface IDockerSource
{
    string Endpoint { get; }

    /// <summary>One fresh collection. Never throws for an unreachable engine: returns Ok=false with the reason.</summary>
    Task<DockerView> CollectAsync(CancellationToken cancellationToken);

    /// <summary>Re-inspects the given containers only; a container that vanished is absent from the result.</summary>
    Task<IReadOnlyList<ContainerInfo>> InspectContainersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Docker's event stream (container and network events). Completes or throws when the stream drops;
    /// the caller reconnects with backoff.
    /// </summary>
    IAsyncEnumerable<DockerEvent> WatchAsync(CancellationToken cancellationToken);
}

/// <param name="Type">container, network, ...</param>
/// <param name="Action">create, start, die, destroy, connect, disconnect, ...</param>
/// <param name="ActorId">The container or network id.</param>
/// <param name="Attributes">Actor attributes (name, container for network events, ...).</param>
public sealed record DockerEvent(string Type, string Action, string ActorId, IReadOnlyDictionary<string, string> Attributes);

/// <summary>iptables (or nft) rules of the host namespace. Read when nftables announces a change, polled on the legacy backend.</summary>
public interface INatSource
{
    /// <summary>One fresh read. Never throws for a missing or refused iptables-save: returns Ok=false with the reason.</summary>
    Task<NatView> CollectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The last <see cref="CollectAsync"/> reading with fresh packet and byte counters, read without running anything
    /// when the backend allows it (iptables-nft: an nftables dump in process); null when it cannot be had that way or
    /// the rules are no longer the ones read (the caller then calls <see cref="CollectAsync"/>).
    /// </summary>
    Task<NatView?> ReadCountersAsync(CancellationToken cancellationToken) => Task.FromResult<NatView?>(null);

    /// <summary>
    /// False only when the rules provably did not change since the last <see cref="CollectAsync"/> (iptables-nft: the
    /// namespace's nftables generation did not move); true when they may have, or it cannot be told.
    /// </summary>
    Task<bool> RulesMayHaveChangedAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
