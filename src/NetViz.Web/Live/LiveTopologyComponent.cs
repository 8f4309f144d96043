using Microsoft.AspNetCore.Components;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Web.Graph;

namespace NetViz.Web.Live;

/// <summary>
/// Base of the live table pages and the status bar: shows the newest snapshot of <see cref="ITopologyFeed"/>,
/// re-rendering at most once per <see cref="TopologyFeedPump.Interval"/>, and honours the pause toggle.
/// </summary>
public abstract class LiveTopologyComponent : ComponentBase, IAsyncDisposable
{
    private TopologyFeedPump? _pump;
    private bool _disposed;

    [Inject] protected ITopologyFeed Feed { get; set; } = default!;
    [Inject] protected DashboardViewState ViewState { get; set; } = default!;

    /// <summary>The snapshot the component shows.</summary>
    protected TopologySnapshot Snapshot { get; private set; } = TopologySnapshot.Empty;

    /// <summary>Lookups over <see cref="Snapshot"/>.</summary>
    protected TopologyIndex Index { get; private set; } = new(TopologySnapshot.Empty);

    /// <summary>False for components that stay live while the pages are paused (the status bar).</summary>
    protected virtual bool FollowsPause => true;

    protected override void OnInitialized()
    {
        Show(Feed.Current);
        ViewState.PausedChanged += OnPausedChanged;
        _pump = new TopologyFeedPump(Feed, batch => InvokeAsync(() => Apply(batch)));
    }

    private void Apply(IReadOnlyList<TopologyUpdate> batch)
    {
        if (_disposed || (FollowsPause && ViewState.IsPaused)) return;
        // Only the newest whole snapshot matters to a table.
        Show(batch[^1] switch
        {
            TopologyReset reset => reset.Snapshot,
            TopologyChange change => change.Snapshot,
            _ => Snapshot,
        });
        StateHasChanged();
    }

    private void OnPausedChanged()
    {
        if (!FollowsPause || ViewState.IsPaused) return;
        _ = InvokeAsync(() =>
        {
            if (_disposed) return;
            Show(Feed.Current);
            StateHasChanged();
        });
    }

    private void Show(TopologySnapshot snapshot)
    {
        Snapshot = snapshot;
        Index = new TopologyIndex(snapshot);
        OnSnapshotChanged();
    }

    /// <summary>Recompute derived rows here; called before each render with a new snapshot.</summary>
    protected virtual void OnSnapshotChanged()
    {
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        ViewState.PausedChanged -= OnPausedChanged;
        if (_pump is not null) await _pump.DisposeAsync();
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a derived component holds (timers); called once on disposal.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
