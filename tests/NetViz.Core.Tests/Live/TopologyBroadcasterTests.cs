using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;
using NetViz.Core.Correlation;

namespace NetViz.Core.Tests.Live;

/// <summary>The feed on its own: publishing is synchronous, so these tests need no clock at all.</summary>
public sealed class TopologyBroadcasterTests
{
    private static TopologySnapshot Snapshot(long packets) => TopologyBuilder.Build(LessonTopology.Readings(
        nat: LessonTopology.Nat() with { Rules = [.. LessonTopology.Nat().Rules.Select(r => r with { Packets = packets })] }));

    private static List<TopologyUpdate> Drain(TopologySubscription subscription)
    {
        var updates = new List<TopologyUpdate>();
        while (subscription.Reader.TryRead(out var u)) updates.Add(u);
        return updates;
    }

    [Fact]
    public void A_subscriber_gets_the_current_snapshot_then_numbered_diffs_and_an_unchanged_snapshot_is_not_sent()
    {
        var feed = new TopologyBroadcaster(bufferSize: 8);
        Assert.False(feed.FirstSnapshot.IsCompleted);
        Assert.True(feed.Publish(Snapshot(1)));
        Assert.True(feed.FirstSnapshot.IsCompleted);
        using var sub = feed.Subscribe();

        Assert.True(feed.Publish(Snapshot(2)));
        Assert.False(feed.Publish(Snapshot(2) with { GeneratedAt = DateTimeOffset.UnixEpoch }));

        var updates = Drain(sub);
        var reset = Assert.IsType<TopologyReset>(updates[0]);
        Assert.Equal(1, reset.Sequence);
        var change = Assert.IsType<TopologyChange>(Assert.Single(updates.Skip(1)));
        Assert.Equal(2, change.Sequence);
        Assert.Same(feed.Current, change.Snapshot);
        Assert.All(change.Diff.UpdatedNodes, n => Assert.Equal(NodeKinds.NatRule, n.Kind));
        Assert.NotEmpty(change.Diff.UpdatedNodes);
    }

    private static TopologySnapshot WithFilter(long packets, params NatRule[] filterRules) =>
        TopologyBuilder.Build(LessonTopology.Readings(nat: LessonTopology.Nat() with
        {
            FilterRules = [.. filterRules.Select(r => r with { Packets = packets })],
            Chains = [new ChainInfo("filter", "DOCKER-USER", null, 0, 0), new ChainInfo("filter", "FORWARD", "ACCEPT", packets, packets * 60)],
        }));

    private static NatRule FilterRule(int position, string rule, string target) =>
        new() { Table = "filter", Chain = "DOCKER-USER", Position = position, Rule = rule, Target = target };

    [Fact]
    public void A_change_to_the_filter_table_alone_is_published_but_its_counters_alone_are_not()
    {
        var feed = new TopologyBroadcaster(bufferSize: 8);
        var returns = FilterRule(1, "-A DOCKER-USER -j RETURN", "RETURN");
        Assert.True(feed.Publish(WithFilter(1, returns)));
        using var sub = feed.Subscribe();

        // Only counters moved (rules' and the chain's): nothing to send, the graph and the rules are the same.
        Assert.False(feed.Publish(WithFilter(7, returns)));
        // A DROP put before the RETURN draws nothing new, but the path explanations must see it.
        var drop = FilterRule(1, "-A DOCKER-USER -s 10.9.0.0/16 -j DROP", "DROP") with { Source = "10.9.0.0/16" };
        var withDrop = WithFilter(7, drop, returns with { Position = 2 });
        Assert.True(feed.Publish(withDrop));

        var updates = Drain(sub);
        var change = Assert.IsType<TopologyChange>(updates[^1]);
        Assert.Equal(2, change.Sequence);
        Assert.True(change.Diff.IsEmpty);
        Assert.Same(withDrop, feed.Current);
        Assert.Equal(["DROP", "RETURN"], feed.Current.Filter.Rules.Select(r => r.Target));
        // A changed chain policy is news too.
        Assert.True(feed.Publish(withDrop with { Filter = withDrop.Filter with { Chains = [new ChainInfo("filter", "FORWARD", "DROP", 7, 420)] } }));
    }

    [Fact]
    public void A_slow_subscriber_is_reset_to_the_newest_snapshot_without_holding_back_a_fast_one()
    {
        var feed = new TopologyBroadcaster(bufferSize: 4);
        feed.Publish(Snapshot(0));
        using var slow = feed.Subscribe();
        using var fast = feed.Subscribe();
        var seen = new List<TopologyUpdate>();
        for (var i = 1; i <= 10; i++)
        {
            Assert.True(feed.Publish(Snapshot(i)));
            seen.AddRange(Drain(fast));
        }

        // The fast one saw every diff in order after its initial reset.
        Assert.IsType<TopologyReset>(seen[0]);
        Assert.Equal(Enumerable.Range(2, 10).Select(i => (long)i), seen.Skip(1).Select(u => u.Sequence));
        // The slow one (buffer 4) was told to start over, and never got a diff on top of a gap.
        var slowUpdates = Drain(slow);
        var reset = Assert.IsType<TopologyReset>(slowUpdates[0]);
        Assert.True(reset.Sequence > 2, $"reset at {reset.Sequence}");
        Assert.Equal(Enumerable.Range(0, slowUpdates.Count).Select(i => reset.Sequence + i), slowUpdates.Select(u => u.Sequence));
        Assert.Equal(11, slowUpdates[^1].Sequence);
    }

    [Fact]
    public async Task Disposing_a_subscription_unsubscribes_it_and_ends_its_reader_after_what_was_buffered()
    {
        var feed = new TopologyBroadcaster(bufferSize: 4);
        feed.Publish(Snapshot(0));
        var sub = feed.Subscribe();
        Assert.Equal(1, feed.SubscriberCount);
        sub.Dispose();
        Assert.Equal(0, feed.SubscriberCount);
        feed.Publish(Snapshot(1));

        var remaining = new List<TopologyUpdate>();
        await foreach (var u in sub.Reader.ReadAllAsync()) remaining.Add(u);
        Assert.IsType<TopologyReset>(Assert.Single(remaining));
    }

    [Fact]
    public async Task Waiting_for_the_first_snapshot_returns_once_it_is_published()
    {
        var feed = new TopologyBroadcaster(bufferSize: 4);
        var waiting = feed.WaitForFirstSnapshotAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        feed.Publish(Snapshot(0));
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, feed.SubscriberCount);
        Assert.True(feed.WaitForFirstSnapshotAsync(TimeSpan.Zero, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void A_subscriber_resuming_its_stream_gets_only_the_diffs_it_missed()
    {
        var feed = new TopologyBroadcaster(bufferSize: 4);
        for (var i = 1; i <= 5; i++) feed.Publish(Snapshot(i));

        using var behind = feed.Resume(feed.StreamId, lastSeen: 3);
        Assert.Equal([4L, 5L], Drain(behind).Select(u => Assert.IsType<TopologyChange>(u).Sequence));

        using var current = feed.Resume(feed.StreamId, lastSeen: 5);
        Assert.Empty(Drain(current));
        feed.Publish(Snapshot(6));
        Assert.Equal(6, Assert.IsType<TopologyChange>(Assert.Single(Drain(current))).Sequence);
    }

    [Theory]
    [InlineData("other-run", 4L)] // another process: its sequence 4 is not ours
    [InlineData(null, 1L)] // diff 2 has left the history (4 held: 3..6)
    [InlineData(null, 7L)] // ahead of the feed: it restarted under the same name
    [InlineData(null, 0L)]
    public void A_subscriber_that_cannot_resume_starts_over_from_the_current_snapshot(string? stream, long lastSeen)
    {
        var feed = new TopologyBroadcaster(bufferSize: 4);
        for (var i = 1; i <= 6; i++) feed.Publish(Snapshot(i));

        using var sub = feed.Resume(stream ?? feed.StreamId, lastSeen);
        var reset = Assert.IsType<TopologyReset>(Assert.Single(Drain(sub)));
        Assert.Equal(6, reset.Sequence);
        Assert.Same(feed.Current, reset.Snapshot);
    }

    [Fact]
    public void Each_feed_names_its_own_stream() =>
        Assert.NotEqual(new TopologyBroadcaster(2).StreamId, new TopologyBroadcaster(2).StreamId);
}
