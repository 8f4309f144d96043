using NetViz.Core.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Web.Components.Shared;
using MudBlazor;
using NetViz.Web.Graph;
using NetViz.Web.Live;
using NetViz.Web.Settings;

namespace NetViz.Web.Components.Pages;

/// <summary>
/// The live graph. Owns one instance of the graph module: <c>reset</c> with the first snapshot, then
/// <c>applyDiff</c> with each Core diff mapped element by element, and a full <c>reset</c> on a gap in the numbering
/// or whenever the module reports it could not apply one. What it shows is the first snapshot with every diff since
/// applied (<see cref="TopologyDiffer.Apply"/>): the same fold the browser does.
/// Filters, layout and the side panel come from the saved <see cref="DashboardSettings"/>; what is shown
/// (<c>?show=</c>) and selected (<c>?focus=</c>) are in the URL, so a link shares the view.
/// </summary>
public partial class Topology : ComponentBase, IAsyncDisposable
{
    /// <summary>The graph module, relative to the app base (served from wwwroot/js).</summary>
    public const string ModulePath = "./js/netviz-graph.bundle.js";

    /// <summary>
    /// The names the module's <c>setLayout</c> accepts (graph-contract.json). <c>lanes</c> (the default) draws one lane
    /// per bridge with its namespaces beneath; <c>layered</c> is the host box over its container boxes; <c>fcose</c> is force-directed.
    /// </summary>
    public static IReadOnlyList<string> Layouts => GraphContract.Current.Layouts;

    public static string DefaultLayout => GraphContract.Current.DefaultLayout;

    /// <summary><c>?show=</c> values besides element ids (graph-focus.js).</summary>
    public const string ShowLesson = "lesson";
    public const string ShowSelection = "selection";

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
    private bool _prefetchAsked;
    private string? _firstPicture;

    /// <summary><c>data-first-picture</c>: the first picture came from the page's own GET /api/graph ...</summary>
    public const string FirstPicturePrefetched = "prefetched";

    /// <summary>... or over the circuit (no fetched copy of that snapshot: the host changed meanwhile, or the fetch failed).</summary>
    public const string FirstPictureCircuit = "circuit";
    private string? _graphError;
    private string? _pendingFocus;
    private string? _show;
    /// <summary>The address last put in the address bar without a navigation, and the one Blazor had then.</summary>
    private string? _shownAddress, _navigatedAddress;
    private GraphFilter? _sentFilter;
    private string? _sentLayout;
    private bool _revealPending;
    private bool _appearancePending;
    private bool _viewportPending;
    private bool _renderedPanelOpen = true;
    private MudTextField<string>? _searchField;
    private string? _searchText;
    private IReadOnlyList<string> _matches = [];
    private string? _selectedId;
    private bool _detailsOpen;
    private bool _lessonOpen;

    [Inject] private ITopologyFeed Feed { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private DashboardViewState ViewState { get; set; } = default!;
    [Inject] private ILogger<Topology> Logger { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;
    [Inject] private DashboardSettingsStore SettingsStore { get; set; } = default!;

    /// <summary>Id of an element to focus and select once the graph is drawn (<c>/?focus=ctr:...</c>).</summary>
    [SupplyParameterFromQuery(Name = "focus")] public string? Focus { get; set; }

    /// <summary>What the graph shows (<c>/?show=lesson</c>, a network, bridge or namespace id; none for everything).</summary>
    [SupplyParameterFromQuery(Name = "show")] public string? ShowParameter { get; set; }

    /// <summary><c>?lesson=1</c> opens the lesson (a link a teacher hands out).</summary>
    [SupplyParameterFromQuery(Name = "lesson")] public string? LessonParameter { get; set; }

    /// <summary>The <c>setFilter</c> payload: the saved toggles and the URL's focus (<c>show</c>).</summary>
    public sealed record GraphFilter(bool HideLoopback, bool HideHostDevices, bool HideNat, string? Focus);

    /// <summary>One entry of the Show list: the <c>?show=</c> value and its text.</summary>
    public sealed record ShowOption(string Value, string Text);

    private DashboardSettings Settings => ViewState.Settings;

    /// <summary>The graph's own words in the page's language, in the prerendered HTML for the picture drawn before the circuit (wwwroot/js/graph-early.js).</summary>
    private static string GraphWords => System.Text.Json.JsonSerializer.Serialize(NetViz.Web.Localization.SharedWords.ForGraphModule());

    private bool PanelOpen => Settings.PanelOpen;

    /// <summary>Lesson mode shows the loopbacks (the point of --network none) and the NAT rules (MASQUERADE, DNAT) whatever the toggles say.</summary>
    private GraphFilter CurrentFilter => new(Settings.HideLoopback && !_lessonOpen, Settings.HideHostDevices, Settings.HideNat && !_lessonOpen, _show);

    /// <summary>
    /// What the graph can be narrowed to: everything, the lesson's cases, the selection with its neighbours, each
    /// Docker network (by its bridge), each bridge made by hand and each <c>ip netns</c> namespace.
    /// </summary>
    public static IReadOnlyList<ShowOption> ShowOptionsFor(TopologyIndex index, string? current)
    {
        {
            var options = new List<ShowOption>
            {
                new("", "Everything"),
                new(ShowLesson, "The lesson: none, host, bridge, ip netns"),
                new(ShowSelection, "The selection and its neighbours"),
            };
            // A hub: one entry per host (several can be chosen together through a link: show=host:a,host:b).
            foreach (var host in index.OfKind<HostNode>().OrderBy(h => h.Name, StringComparer.Ordinal))
                options.Add(new(host.Id, $"host {host.Label}"));
            var networkBridges = new HashSet<string>(StringComparer.Ordinal);
            foreach (var network in index.OfKind<NetworkNode>().Where(CytoscapeElementMapper.IsDrawn).OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                if (network.Bridge is { } bridge) networkBridges.Add(bridge);
                options.Add(new(network.Id, $"network {network.Name}" + (network.BridgeName is { } bridgeName ? $" ({bridgeName})" : "")));
            }
            foreach (var bridge in index.OfKind<InterfaceNode>()
                         .Where(i => i.Type == "bridge" && !networkBridges.Contains(i.Id) && index.IsHostNetns(index.NetnsOf(i)))
                         .OrderBy(i => i.Name, StringComparer.Ordinal))
                options.Add(new(bridge.Id, $"bridge {bridge.Name} (made with ip link)"));
            foreach (var netns in index.OfKind<NetnsNode>()
                         .Where(n => !index.IsHostNetns(n) && !index.ContainersIn(n).Any() && n.Name is { Length: > 0 })
                         .OrderBy(n => n.Name, StringComparer.Ordinal))
                options.Add(new(netns.Id, $"ip netns {netns.Name}"));
            // A shared link may name something this host does not have (any more): keep it listed, so the select shows it.
            if (current is { Length: > 0 } show && options.All(o => o.Value != show))
                options.Add(new(show, show.Contains(',') ? $"{show.Split(',').Length} chosen from a link" : show));
            return options;
        }
    }

    /// <summary>The Show list in the page's language (the fixed entries; names of networks and bridges are names).</summary>
    private IReadOnlyList<ShowOption> ShowOptions => [.. ShowOptionsFor(_index, _show).Select(o => o.Value switch
    {
        "" => o with { Text = L["Topology.Everything"] },
        ShowLesson => o with { Text = L["Topology.ShowLesson"] },
        ShowSelection => o with { Text = L["Topology.ShowSelection"] },
        _ => o,
    })];

    protected override void OnParametersSet()
    {
        if (LessonParameter == "1" && !_lessonOpen)
        {
            _lessonOpen = true;
            if (_graph is not null) _ = InvokeAsync(SyncGraphSettingsAsync);
        }
        if (Focus is not null && Focus != _selectedId)
        {
            _pendingFocus = Focus;
            if (_graphReady) _ = InvokeAsync(FocusPendingAsync);
        }
        var show = string.IsNullOrEmpty(ShowParameter) ? null : ShowParameter;
        if (show != _show)
        {
            _show = show;
            if (_graph is not null) _ = InvokeAsync(SyncGraphSettingsAsync);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            // Theme/projector and the side panel change the graph's frame: tell the graph once the page has its new
            // shape (after this render), so the lanes wrap to the width it really has.
            if (_graph is not null && (_appearancePending || _viewportPending))
            {
                var appearance = _appearancePending;
                _appearancePending = _viewportPending = false;
                try
                {
                    if (appearance) await _graph.InvokeVoidAsync("setAppearance", new { theme = ViewState.Theme, projector = ViewState.IsProjectorMode });
                    else await _graph.InvokeVoidAsync("viewportChanged");
                }
                catch (JSException e)
                {
                    Logger.LogWarning(e, "The graph could not take the new appearance");
                }
                catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException)
                {
                    return; // the tab closed meanwhile: nothing left to draw on
                }
            }
            if (_revealPending && _graph is not null && _selectedId is not null)
            {
                // The details drawer just took part of the width: keep the selection in view.
                _revealPending = false;
                try { await _graph.InvokeVoidAsync("reveal", _selectedId); }
                catch (Exception e) when (e is JSException or JSDisconnectedException or OperationCanceledException) { }
            }
            return;
        }
        try
        {
            // The module loads while the saved settings are read (two round trips at once, not one after the other);
            // the settings come first for create, so the graph is drawn once, the way it was left, filter included.
            var import = JS.ImportModuleAsync(ModulePath).AsTask();
            await ViewState.RestoreAsync();
            _module = await import;
            _dotNetRef = DotNetObjectReference.Create(this);
            _sentFilter = CurrentFilter;
            _graph = await _module.InvokeAsync<IJSObjectReference>("create", _graphElement, _dotNetRef,
                new { theme = ViewState.Theme, projector = ViewState.IsProjectorMode, layout = Settings.Layout, filter = _sentFilter, words = NetViz.Web.Localization.SharedWords.ForGraphModule() });
            if (_disposed) return;
            _sentLayout = Settings.Layout;
            _renderedPanelOpen = PanelOpen;
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
        ViewState.SettingsChanged += OnSettingsChanged;
        ViewState.PausedChanged += OnPausedChanged;
        StateHasChanged();
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
            // The pump must keep running: the graph starts over from the feed's current snapshot, now rather than with
            // the next batch (a quiet host may send none for minutes, and the first picture would never come).
            Logger.LogWarning(e, "The graph rejected an update; it is reset from the current snapshot");
            try
            {
                await ResetFromCurrentAsync();
            }
            catch (JSException again)
            {
                Logger.LogWarning(again, "The graph rejected the reset too; it will be reset with the next update");
                _needsReset = true;
            }
            catch (Exception gone) when (gone is JSDisconnectedException or OperationCanceledException)
            {
                return;
            }
        }
        catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException)
        {
            // The tab closed while the graph was being updated: nothing to update any more, and not a failure.
            return;
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
        // The first picture: the copy the page fetched while it started (GET /api/graph), when it is this very snapshot.
        // Asked once; after that, and when it is another snapshot, the elements go over the circuit.
        var adopted = false;
        if (!_prefetchAsked)
        {
            _prefetchAsked = true;
            adopted = await _graph!.InvokeAsync<bool>("adoptPrefetched", sequence);
            _firstPicture = adopted ? FirstPicturePrefetched : FirstPictureCircuit;
        }
        if (!adopted) await _graph!.InvokeVoidAsync("reset", CytoscapeElementMapper.ToElements(snapshot), sequence);
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

    /// <summary>Sends the filter and the layout to the graph when they differ from what it has.</summary>
    private async Task SyncGraphSettingsAsync()
    {
        if (_graph is null || _disposed) return;
        if (Settings.Layout != _sentLayout)
        {
            _sentLayout = Settings.Layout;
            await _graph.InvokeVoidAsync("setLayout", _sentLayout);
        }
        var filter = CurrentFilter;
        if (filter != _sentFilter)
        {
            _sentFilter = filter;
            await _graph.InvokeVoidAsync("setFilter", filter);
        }
    }

    private void OnSettingsChanged() => _ = InvokeAsync(async () =>
    {
        await SyncGraphSettingsAsync();
        if (PanelOpen != _renderedPanelOpen)
        {
            _renderedPanelOpen = PanelOpen;
            _viewportPending = true;
        }
        StateHasChanged();
    });

    private async Task SetShowAsync(string? value)
    {
        _show = string.IsNullOrEmpty(value) ? null : value;
        SyncUrl();
        await SyncGraphSettingsAsync();
    }

    private void TogglePanel() => ViewState.Update(s => s with { PanelOpen = !s.PanelOpen });

    /// <summary>The URL says what is shown and what is selected, so it can be shared (replacing the history entry).</summary>
    private void SyncUrl()
    {
        // Built on the address Blazor last navigated to (other parameters kept), then only shown: a link's
        // ?show=/?focus= arrive through navigation, the page's own changes go out without one.
        var uri = Nav.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["show"] = _show,
            ["focus"] = _detailsOpen ? _selectedId : null,
        });
        if (Nav.Uri != _navigatedAddress) (_navigatedAddress, _shownAddress) = (Nav.Uri, null); // Blazor navigated since
        if (uri == (_shownAddress ?? Nav.Uri)) return;
        _shownAddress = uri;
        _ = SettingsStore.ReplaceAddressAsync(uri);
    }

    private void OnAppearanceChanged() => _ = InvokeAsync(() =>
    {
        if (_graph is null || _disposed) return;
        _appearancePending = true;
        StateHasChanged();
    });

    private void OnPausedChanged() => _ = InvokeAsync(async () =>
    {
        if (_disposed || _graph is null || ViewState.IsPaused || !_missedWhilePaused) return;
        _missedWhilePaused = false;
        await ResetFromCurrentAsync();
        StateHasChanged();
    });

    private async Task SearchAsync(string? text)
    {
        _searchText = text;
        _matches = _graph is null ? [] : await _graph.InvokeAsync<string[]>("search", MacAddressText.SearchNeedle(text)) ?? [];
    }

    /// <summary>Marks what a lesson or timeline step is about on the graph (graph module <c>highlight</c>).</summary>
    private async Task HighlightAsync(IReadOnlyList<string> ids)
    {
        if (_graph is null || _disposed) return;
        try { await _graph.InvokeAsync<string[]>("highlight", ids); }
        catch (JSException e) { Logger.LogWarning(e, "The graph could not highlight a step"); }
    }

    private async Task OpenLessonAsync()
    {
        _lessonOpen = true;
        await SyncGraphSettingsAsync();
    }

    private async Task CloseLessonAsync()
    {
        _lessonOpen = false;
        await HighlightAsync([]);
        await SyncGraphSettingsAsync();
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
        var opening = !_detailsOpen;
        _selectedId = id;
        _detailsOpen = true;
        _revealPending = opening;
        SyncUrl();
    }

    /// <summary>"Show in graph" and the drawer's related links: select the element and frame it with its neighbours.</summary>
    private async Task NavigateToAsync(string? id)
    {
        if (id is null) return;
        if (_graph is not null && _graphReady)
        {
            try { await _graph.InvokeVoidAsync("focus", id); } catch (JSException) { }
        }
        Select(id);
    }

    private void CloseDetails()
    {
        var wasOpen = _detailsOpen;
        _detailsOpen = false;
        _selectedId = null;
        if (wasOpen) SyncUrl();
    }

    /// <summary>Called by the graph module when a node or edge is tapped.</summary>
    [JSInvokable]
    public Task OnElementSelected(string id) => InvokeAsync(() =>
    {
        Select(id);
        StateHasChanged();
    });

    /// <summary>Called by the graph module when the background is tapped or Escape is pressed.</summary>
    [JSInvokable]
    public Task OnBackgroundSelected() => InvokeAsync(() =>
    {
        CloseDetails();
        StateHasChanged();
    });

    /// <summary>Called by the graph module when <c>/</c> is pressed: the search box takes the keyboard.</summary>
    [JSInvokable]
    public Task OnSearchRequested() => InvokeAsync(async () =>
    {
        if (!PanelOpen) ViewState.Update(s => s with { PanelOpen = true });
        StateHasChanged();
        await Task.Yield();
        if (_searchField is not null) await _searchField.FocusAsync();
    });

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        ViewState.AppearanceChanged -= OnAppearanceChanged;
        ViewState.SettingsChanged -= OnSettingsChanged;
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
        catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException)
        {
            // A closed tab: the browser is gone, or the circuit canceled the call on its way out.
        }
        _dotNetRef?.Dispose();
        GC.SuppressFinalize(this);
    }
}
