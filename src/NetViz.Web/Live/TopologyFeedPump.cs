using NetViz.Core.Live;

namespace NetViz.Web.Live;

/// <summary>
/// Reads one <see cref="TopologySubscription"/> and hands its updates to a component in batches, at most one
/// batch per <see cref="Interval"/>, so a burst of container starts is one render rather than a hundred
/// (the pacing of Aspire's ChannelExtensions.GetBatchesAsync). The first update is delivered at once.
/// </summary>
public sealed class TopologyFeedPump : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly TopologySubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="feed">The live feed to subscribe to.</param>
    /// <param name="onBatch">Called with each batch, in order; the caller marshals to its renderer (InvokeAsync).</param>
    public TopologyFeedPump(ITopologyFeed feed, Func<IReadOnlyList<TopologyUpdate>, Task> onBatch)
    {
        _subscription = feed.Subscribe();
        _loop = RunAsync(onBatch, _stop.Token);
    }

    private async Task RunAsync(Func<IReadOnlyList<TopologyUpdate>, Task> onBatch, CancellationToken cancellationToken)
    {
        var reader = _subscription.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                var batch = new List<TopologyUpdate>();
                while (reader.TryRead(out var update)) batch.Add(update);
                if (batch.Count > 0) await onBatch(batch);
                await Task.Delay(Interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _subscription.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception) when (_loop.IsFaulted || _loop.IsCanceled)
        {
            // The component is going away; a failure of its last render is of no use to anyone now. Canceled counts
            // too: a closed tab cancels the JS call a batch was awaiting (TaskCanceledException), and rethrowing it
            // here made every closed tab log "Unhandled exception in circuit".
        }
        _stop.Dispose();
    }
}
