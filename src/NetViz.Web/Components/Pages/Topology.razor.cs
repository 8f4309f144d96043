using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using NetViz.Web.Live;

namespace NetViz.Web.Components.Pages;

/// <summary>
/// The live graph. Owns one instance of the graph module: <c>reset</c> with the first snapshot, then
/// <c>applyDiff</c> with each Core diff mapped element by element, and a full <c>reset</c> on a gap in the numbering
/// or whenever the module reports it could not apply one. What it shows is the first snapshot with every diff since
/// applied (<see cref="TopologyDiffer.Apply"/>): the same fold the browser does.
/// </summary>
public partial class Topology : ComponentBase, IAsyncDisposable
{
    /// <summary>The graph module, relative to the app base (served from wwwroot/js).</summary>
    public const string ModulePath = "./js/netviz-graph.bundle.js";

    /// <summary>
    /// The names the module's <c>setLayout</c> accepts (graph-contract.json). <c>layered</c> (the default) is the
    /// module's deterministic teaching layout: host box on top, bridges over their ports, each container box under its veth cable.
    /// </summary>
    public static IReadOnlyList<string> Layouts => GraphContract.Current.Layouts;

    public static string DefaultLayout => GraphContract.Current.DefaultLayout;

    private ElementReference _graphElement;
    private IJSObjectReference? _module;
    private IJSObjectReference? _graph;
    private DotNetObjectReference<Topology>? _dotNetRef;
    private TopologyFeedPump? _pump;
    private bool _disposed;

    private TopologySnapshot _shown = TopologySnapshot.Empty;
    private TopologyIndex _index = new(TopologySnapshot.Empty);
    private long? _sequence;
    private bool _graphReady;
    private bool _missedWhilePaused;
    private bool _needsReset;
    private string? _graphError;
    private string? _pendingFocus;

    private GraphFilter _filter = new(HideLoopback: true, HideHostDevices: false, HideNat: false, Network: null);
    private string _layout = DefaultLayout;
    private string? _searchText;
    private IReadOnlyList<string> _matches = [];
    private string? _selectedId;
    private bool _detailsOpen;

    [Inject] private ITopologyFeed Feed { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private DashboardViewState ViewState { get; set; } = default!;
    [Inject] private ILogger<Topology> Logger { get; set; } = default!;

    /// <summary>Id of an element to focus and select once the graph is drawn (<c>/?focus=ctr:...</c>).</summary>
    [SupplyParameterFromQuery(Name = "focus")] public string? Focus { get; set; }

    /// <summary>The <c>setFilter</c> payload.</summary>
    public sealed record GraphFilter(bool HideLoopback, bool HideHostDevices, bool HideNat, string? Network);

    protected override void OnParametersSet()
    {
        if (Focus is null) return;
        _pendingFocus = Focus;
        if (_graphReady) _ = InvokeAsync(FocusPendingAsync);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        try
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            _dotNetRef = DotNetObjectReference.Create(this);
            _graph = await _module.InvokeAsync<IJSObjectReference>("create", _graphElement, _dotNetRef,
                new { theme = ViewState.Theme, projector = ViewState.IsProjectorMode, layout = _layout });
            if (_disposed) return;
            await _graph.InvokeVoidAsync("setFilter", _filter);
        }
        catch (JSException e)
        {
            // A missing or broken bundle must say so on the page, not leave an empty area (and must not kill the circuit).
            Logger.LogError(e, "The graph module {Module} could not be loaded", ModulePath);
            _graphError = $"The graph could not be drawn: {e.Message}";
            StateHasChanged();
            return;
        }
        ViewState.AppearanceChanged += OnAppearanceChanged;
        ViewState.PausedChanged += OnPausedChanged;
        // Subscribe only now: the first update (a reset) needs the graph instance.
        _pump = new TopologyFeedPump(Feed, batch => InvokeAsync(() => ApplyBatchAsync(batch)));
    }

    private async Task ApplyBatchAsync(IReadOnlyList<TopologyUpdate> batch)
    {
        if (_disposed || _graph is null) return;
        if (ViewState.IsPaused)
        {
            _missedWhilePaused = true;
            return;
        }
        try
        {
            await ApplyToGraphAsync(batch);
        }
        catch (JSException e)
        {
            // The pump must keep running: the next batch starts over from the feed's current snapshot.
            Logger.LogWarning(e, "The graph rejected an update; it will be reset with the next one");
            _needsReset = true;
        }
        StateHasChanged();
    }

    private async Task ApplyToGraphAsync(IReadOnlyList<TopologyUpdate> batch)
    {
        if (_needsReset)
        {
            _needsReset = false;
            await ResetFromCurrentAsync();
            return;
        }
        foreach (var update in batch)
        {
            switch (update)
            {
                case TopologyReset reset:
                    await ResetAsync(reset.Snapshot, reset.Sequence);
                    break;
                // A change already contained in what is shown (after a reset from Current) is skipped.
                case TopologyChange change when _sequence is null || change.Sequence > _sequence:
                    // A diff applies on top of its predecessor only: after a gap, start over.
                    if (change.Sequence != _sequence + 1)
                    {
                        await ResetFromCurrentAsync();
                        break;
                    }
                    var payload = CytoscapeElementMapper.ToDiff(_index, change.Diff);
                    if (await _graph!.InvokeAsync<bool>("applyDiff", payload)) Show(TopologyDiffer.Apply(_shown, change.Diff), change.Sequence);
                    else await ResetFromCurrentAsync();
                    break;
            }
        }
    }

    private Task ResetFromCurrentAsync()
    {
        // Sequence first: Current is then at least that new. A later change that Current already holds re-applies
        // harmlessly (an add of what exists replaces it, a remove of what is gone is skipped).
        var sequence = Feed.Sequence;
        return ResetAsync(Feed.Current, sequence);
    }

    private async Task ResetAsync(TopologySnapshot snapshot, long sequence)
    {
        await _graph!.InvokeVoidAsync("reset", CytoscapeElementMapper.ToElements(snapshot), sequence);
        Show(snapshot, sequence);
        if (!_graphReady)
        {
            _graphReady = true;
            await FocusPendingAsync();
        }
    }

    private void Show(TopologySnapshot snapshot, long sequence)
    {
        _shown = snapshot;
        _index = new TopologyIndex(snapshot);
        _sequence = sequence;
        if (_selectedId is not null && _index.Node(_selectedId) is null && _index.Edge(_selectedId) is null) _detailsOpen = false;
    }

    private async Task FocusPendingAsync()
    {
        if (_pendingFocus is not { } id || _graph is null || !_graphReady) return;
        _pendingFocus = null;
        await _graph.InvokeVoidAsync("focus", id);
        Select(id);
        StateHasChanged();
    }

    private void OnAppearanceChanged() => _ = InvokeAsync(async () =>
    {
        if (_graph is not null && !_disposed)
            await _graph.InvokeVoidAsync("setAppearance", new { theme = ViewState.Theme, projector = ViewState.IsProjectorMode });
    });

    private void OnPausedChanged() => _ = InvokeAsync(async () =>
    {
        if (_disposed || _graph is null || ViewState.IsPaused || !_missedWhilePaused) return;
        _missedWhilePaused = false;
        await ResetFromCurrentAsync();
        StateHasChanged();
    });

    private async Task SetFilterAsync(GraphFilter filter)
    {
        _filter = filter;
        if (_graph is not null) await _graph.InvokeVoidAsync("setFilter", _filter);
    }

    private async Task SearchAsync(string? text)
    {
        _searchText = text;
        _matches = _graph is null ? [] : await _graph.InvokeAsync<string[]>("search", text ?? "") ?? [];
    }

    private async Task SetLayoutAsync(string layout)
    {
        _layout = layout;
        if (_graph is not null) await _graph.InvokeVoidAsync("setLayout", layout);
    }

    private async Task FitAsync()
    {
        if (_graph is not null) await _graph.InvokeVoidAsync("fit");
    }

    private async Task ExportPngAsync()
    {
        if (_graph is not null)
            await _graph.InvokeVoidAsync("exportPng", $"netviz-{_shown.Host.Hostname}-{DateTime.Now:yyyyMMdd-HHmmss}.png");
    }

    private void Select(string id)
    {
        _selectedId = id;
        _detailsOpen = true;
    }

    private void CloseDetails()
    {
        _detailsOpen = false;
        _selectedId = null;
    }

    /// <summary>Called by the graph module when a node or edge is tapped.</summary>
    [JSInvokable]
    public Task OnElementSelected(string id) => InvokeAsync(() =>
    {
        Select(id);
        StateHasChanged();
    });

    /// <summary>Called by the graph module when the background is tapped.</summary>
    [JSInvokable]
    public Task OnBackgroundSelected() => InvokeAsync(() =>
    {
        CloseDetails();
        StateHasChanged();
    });

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        ViewState.AppearanceChanged -= OnAppearanceChanged;
        ViewState.PausedChanged -= OnPausedChanged;
        if (_pump is not null) await _pump.DisposeAsync();
        // The circuit may already be gone (tab closed): then there is no browser left to clean up.
        try
        {
            if (_graph is not null)
            {
                await _graph.InvokeVoidAsync("dispose");
                await _graph.DisposeAsync();
            }
            if (_module is not null) await _module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
        _dotNetRef?.Dispose();
        GC.SuppressFinalize(this);
    }
}
