using System.Threading.Channels;
using NetViz.Core.Diagnostics;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Collection;
using NetViz.Core.Sources;
using NetViz.Core.Timeline;

namespace NetViz.Core.Live;

/// <summary>
/// The <see cref="ITopologyFeed"/>: holds the newest snapshot and hands each published one, as a numbered diff, to
/// every subscriber. Each subscriber has a bounded buffer; one that falls behind is reset, never waited for.
/// </summary>
public sealed class TopologyBroadcaster : ITopologyFeed
{
    private readonly int _bufferSize;
    private readonly Lock _gate = new();
    private readonly List<Channel<TopologyUpdate>> _subscribers = [];
    /// <summary>The newest diffs, oldest first, at most <see cref="_bufferSize"/>: what a resuming subscriber may have missed.</summary>
    private readonly Queue<TopologyChange> _recent = new();
    private readonly TaskCompletionSource _firstSnapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TopologySnapshot _current = TopologySnapshot.Empty;
    private long _sequence;

    private readonly NetVizMetrics? _metrics; // [ops hook]
    private readonly TopologyHistory? _history;

    /// <param name="bufferSize">Updates buffered per subscriber (at least 2: a reset and one diff).</param>
    /// <param name="metrics">Subscriber and publish counters, when metrics are on.</param>
    /// <param name="history">The timeline every published diff is recorded in, in order, or null.</param>
    public TopologyBroadcaster(int bufferSize, NetVizMetrics? metrics = null, TopologyHistory? history = null) =>
        (_bufferSize, _metrics, _history) = (Math.Max(2, bufferSize), metrics, history);

    public TopologySnapshot Current => Volatile.Read(ref _current);
    public long Sequence => Interlocked.Read(ref _sequence);
    public string StreamId { get; } = Guid.NewGuid().ToString("N");
    public int SubscriberCount { get { lock (_gate) return _subscribers.Count; } }

    /// <summary>Completes when the first snapshot (sequence 1) has been published.</summary>
    public Task FirstSnapshot => _firstSnapshot.Task;

    public TopologySubscription Subscribe() => Resume("", -1);

    public TopologySubscription Resume(string streamId, long lastSeen)
    {
        var channel = Channel.CreateBounded<TopologyUpdate>(new BoundedChannelOptions(_bufferSize)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_gate)
        {
            // The history holds at most _bufferSize diffs, so they always fit the new channel.
            if (CanResume(streamId, lastSeen))
                foreach (var missed in _recent.Where(c => c.Sequence > lastSeen)) channel.Writer.TryWrite(missed);
            else
                channel.Writer.TryWrite(new TopologyReset(_sequence, _current));
            _subscribers.Add(channel);
        }
        _metrics?.OnSubscriberAdded(); // [ops hook]
        return new TopologySubscription(channel.Reader, _ =>
        {
            bool removed;
            lock (_gate) removed = _subscribers.Remove(channel);
            channel.Writer.TryComplete();
            if (removed) _metrics?.OnSubscriberRemoved(); // [ops hook]
        });
    }

    /// <summary>
    /// Makes <paramref name="snapshot"/> current and sends its diff against the previous one to every subscriber.
    /// Returns false (and sends nothing) when neither the graph, the filter rules nor the sources' status changed.
    /// A change to the filter table alone (a DROP put in DOCKER-USER) draws nothing, but the path explanations read
    /// the current snapshot's rules: it is published as an empty diff, so that they do not answer from old rules.
    /// <paramref name="causes"/> (what made the monitor look) go to the timeline with the diff.
    /// </summary>
    public bool Publish(TopologySnapshot snapshot, IEnumerable<ChangeCause>? causes = null)
    {
        lock (_gate)
        {
            var diff = TopologyDiffer.Compute(_current, snapshot, _sequence + 1);
            if (diff.IsEmpty && _sequence > 0 && SameStatus(_current, snapshot) && UnchangedReadings.SameFilterApartFromCounters(_current.Filter, snapshot.Filter)) return false;
            Interlocked.Exchange(ref _sequence, diff.Sequence);
            // Under the gate, so the timeline holds the diffs in sequence order.
            if (!diff.IsEmpty) _history?.Record(_current, snapshot, diff, causes);
            Volatile.Write(ref _current, snapshot);
            _metrics?.OnSnapshotPublished(snapshot); // [ops hook]
            var change = new TopologyChange(diff, snapshot);
            _recent.Enqueue(change);
            while (_recent.Count > _bufferSize) _recent.Dequeue();
            foreach (var channel in _subscribers)
            {
                if (channel.Writer.TryWrite(change)) continue;
                // Overflow: this subscriber is too slow. Drop what it has not read and tell it to start over,
                // so it never delays the others and never applies a diff on top of a gap.
                while (channel.Reader.TryRead(out _)) { }
                channel.Writer.TryWrite(new TopologyReset(diff.Sequence, snapshot));
                _metrics?.OnSubscriberReset(); // [ops hook]
            }
        }
        _firstSnapshot.TrySetResult();
        return true;
    }

    /// <summary>
    /// Only within this run (<see cref="StreamId"/>), only from a published sequence (above 0, not ahead of the feed),
    /// and only when every diff after it is still held. Caller holds <see cref="_gate"/>.
    /// </summary>
    private bool CanResume(string streamId, long lastSeen)
    {
        if (streamId != StreamId || lastSeen <= 0 || lastSeen > _sequence) return false;
        if (lastSeen == _sequence) return true;
        return _recent.Count > 0 && _recent.Peek().Sequence <= lastSeen + 1;
    }

    /// <summary>Ends every subscription (after what is buffered): the feed stops.</summary>
    public void Complete()
    {
        lock (_gate)
            foreach (var channel in _subscribers) channel.Writer.TryComplete();
    }

    private static bool SameStatus(TopologySnapshot a, TopologySnapshot b) =>
        a.Sources == b.Sources && a.Host.Hostname == b.Host.Hostname && a.Host.MachineId == b.Host.MachineId && a.Host.Netns == b.Host.Netns
        && a.Host.Warnings.SequenceEqual(b.Host.Warnings);
}

/// <summary>Helpers for every <see cref="ITopologyFeed"/> consumer.</summary>
public static class TopologyFeedExtensions
{
    /// <summary>
    /// Waits until the feed has published a first snapshot (sequence above 0), at most <paramref name="timeout"/>;
    /// returns at once when it already has. Never throws: after the timeout or a cancellation the caller answers
    /// with what <see cref="ITopologyFeed.Current"/> holds.
    /// </summary>
    public static async Task WaitForFirstSnapshotAsync(this ITopologyFeed feed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (feed.Sequence > 0) return;
        using var subscription = feed.Subscribe();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await foreach (var update in subscription.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
                if (update.Sequence > 0) return;
        }
        catch (OperationCanceledException) { }
    }
}
