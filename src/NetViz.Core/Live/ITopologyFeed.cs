using System.Threading.Channels;
using NetViz.Core.Diff;
using NetViz.Core.Model;

namespace NetViz.Core.Live;

/// <summary>
/// The live topology as subscribers see it: the current snapshot, then diffs.
/// Each subscriber has its own bounded buffer; one that falls behind gets a <see cref="TopologyReset"/>.
/// </summary>
public interface ITopologyFeed
{
    /// <summary>The newest snapshot (cheap; no collection).</summary>
    TopologySnapshot Current { get; }

    /// <summary>Sequence number of <see cref="Current"/>.</summary>
    long Sequence { get; }

    /// <summary>
    /// Subscribes. The first update read is always a <see cref="TopologyReset"/> with the current snapshot.
    /// Dispose the subscription to unsubscribe.
    /// </summary>
    TopologySubscription Subscribe();

    /// <summary>
    /// Names this run of the feed: sequence numbers start over when the process does, so a sequence number means
    /// something only together with the stream it came from (the SSE resume, docs/api.md).
    /// </summary>
    string StreamId => "";

    /// <summary>
    /// Subscribes after <paramref name="lastSeen"/> of stream <paramref name="streamId"/>: when the feed still holds every
    /// diff after it, they are the first updates (none when it is current); otherwise, as <see cref="Subscribe"/>, a
    /// <see cref="TopologyReset"/> first. Feeds without a history always reset.
    /// </summary>
    TopologySubscription Resume(string streamId, long lastSeen) => Subscribe();
}

/// <summary>An update delivered to a subscriber.</summary>
public abstract record TopologyUpdate(long Sequence);

/// <summary>Start over from this full snapshot (first update, or after the subscriber overflowed).</summary>
public sealed record TopologyReset(long Sequence, TopologySnapshot Snapshot) : TopologyUpdate(Sequence);

/// <summary>Apply this diff; <see cref="Snapshot"/> is the snapshot after it, for consumers that want the whole.</summary>
public sealed record TopologyChange(TopologyDiff Diff, TopologySnapshot Snapshot) : TopologyUpdate(Diff.Sequence);

/// <summary>One subscriber's view of the feed.</summary>
public sealed class TopologySubscription(ChannelReader<TopologyUpdate> reader, Action<TopologySubscription> unsubscribe) : IDisposable
{
    private int _disposed;
    public ChannelReader<TopologyUpdate> Reader { get; } = reader;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) unsubscribe(this);
    }
}
