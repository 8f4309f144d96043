using NetViz.Web.Live;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// A closed tab cancels the JS call a batch is awaiting: the pump's loop then ends canceled, and disposing it (the
/// circuit tearing the page down) must not throw, or the circuit logs "Unhandled exception" for every closed tab.
/// </summary>
public class FeedPumpTeardownTests
{
    [Fact]
    public async Task A_batch_canceled_by_the_closing_circuit_is_not_rethrown_on_dispose()
    {
        var feed = new FakeTopologyFeed(SampleTopology.Create());
        var called = new TaskCompletionSource();
        var pump = new TopologyFeedPump(feed, _ =>
        {
            called.TrySetResult();
            return Task.FromCanceled(new CancellationToken(canceled: true));
        });
        await called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await pump.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_that_fails_is_not_rethrown_on_dispose_either()
    {
        var feed = new FakeTopologyFeed(SampleTopology.Create());
        var called = new TaskCompletionSource();
        var pump = new TopologyFeedPump(feed, _ =>
        {
            called.TrySetResult();
            throw new InvalidOperationException("render failed");
        });
        await called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await pump.DisposeAsync();
    }
}
