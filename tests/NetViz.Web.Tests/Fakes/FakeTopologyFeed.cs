using System.Threading.Channels;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;

namespace NetViz.Web.Tests.Fakes;

/// <summary>An in-memory <see cref="ITopologyFeed"/>: tests publish snapshots, subscribers get a reset then diffs.</summary>
public sealed class FakeTopologyFeed(TopologySnapshot initial) : ITopologyFeed
{
    private readonly Lock _gate = new();
    private readonly List<(TopologySubscription Subscription, ChannelWriter<TopologyUpdate> Writer)> _subscribers = [];

    public TopologySnapshot Current { get; private set; } = initial;
    public long Sequence { get; private set; } = 1;

    public int SubscriberCount { get { lock (_gate) return _subscribers.Count; } }

    public TopologySubscription Subscribe()
    {
        var channel = Channel.CreateUnbounded<TopologyUpdate>();
        TopologySubscription subscription;
        lock (_gate)
        {
            channel.Writer.TryWrite(new TopologyReset(Sequence, Current));
            subscription = new TopologySubscription(channel.Reader, Unsubscribe);
            _subscribers.Add((subscription, channel.Writer));
        }
        return subscription;
    }

    /// <summary>
    /// Publishes the next snapshot as a <see cref="TopologyChange"/> to every subscriber; <paramref name="skipped"/>
    /// leaves that many sequence numbers out, as a subscriber that missed changes would see.
    /// </summary>
    public TopologyChange Publish(TopologySnapshot next, int skipped = 0)
    {
        lock (_gate)
        {
            var change = new TopologyChange(TopologyDiffer.Compute(Current, next, Sequence + 1 + skipped), next);
            Current = next;
            Sequence = change.Sequence;
            foreach (var (_, writer) in _subscribers) writer.TryWrite(change);
            return change;
        }
    }

    private void Unsubscribe(TopologySubscription subscription)
    {
        lock (_gate)
        {
            var index = _subscribers.FindIndex(s => s.Subscription == subscription);
            if (index < 0) return;
            _subscribers[index].Writer.TryComplete();
            _subscribers.RemoveAt(index);
        }
    }
}
