using NetViz.Web.Settings;

namespace NetViz.Web.Live;

/// <summary>
/// Per-circuit view settings shared by the layout's toggles and the pages: theme, projector mode, the graph's
/// filters and layout, the side panel, pause. Scoped: one per browser tab. Everything but pause is restored from
/// and saved to the browser (<see cref="DashboardSettingsStore"/>), so a reload keeps it.
/// </summary>
public sealed class DashboardViewState(DashboardSettingsStore store)
{
    private Task? _restore;

    public DashboardSettings Settings { get; private set; } = new();

    /// <summary>The browser's screen is narrow (a phone): the side panel opens over the graph and starts closed.</summary>
    public bool IsNarrow { get; private set; }

    public bool IsDarkMode => Settings.Dark;

    /// <summary>Bigger type and stronger contrast, for teaching from a projector.</summary>
    public bool IsProjectorMode => Settings.Projector;

    /// <summary>While paused the pages keep the picture they show; on resume they reset from the feed's current snapshot.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>Theme or projector mode changed.</summary>
    public event Action? AppearanceChanged;

    /// <summary>Any setting changed (after <see cref="AppearanceChanged"/> when that one did).</summary>
    public event Action? SettingsChanged;

    public event Action? PausedChanged;

    public string Theme => IsDarkMode ? "dark" : "light";

    /// <summary>
    /// Reads the saved settings once per circuit (every caller gets the same task). Call it after the first
    /// interactive render: the browser is only reachable then.
    /// </summary>
    public Task RestoreAsync() => _restore ??= RestoreCoreAsync();

    private async Task RestoreCoreAsync()
    {
        var loaded = await store.LoadAsync();
        IsNarrow = loaded.Narrow;
        var settings = loaded.Settings ?? Settings;
        if (loaded.Narrow) settings = settings with { PanelOpen = false };
        Apply(settings, save: false);
    }

    public void SetDarkMode(bool value) => Update(s => s with { Dark = value });

    /// <summary>Projector mode gives the graph the whole width: the side panel folds away (and comes back after).</summary>
    public void SetProjectorMode(bool value) => Update(s => s with { Projector = value, PanelOpen = !value && !IsNarrow });

    /// <summary>Changes settings and saves them in the browser.</summary>
    public void Update(Func<DashboardSettings, DashboardSettings> change) => Apply(change(Settings), save: true);

    private void Apply(DashboardSettings next, bool save)
    {
        var before = Settings;
        if (next == before) return;
        Settings = next;
        if (save) _ = store.SaveAsync(next);
        if (before.Dark != next.Dark || before.Projector != next.Projector) AppearanceChanged?.Invoke();
        SettingsChanged?.Invoke();
    }

    public void SetPaused(bool value)
    {
        if (IsPaused == value) return;
        IsPaused = value;
        PausedChanged?.Invoke();
    }
}
