namespace NetViz.Web.Live;

/// <summary>
/// Per-circuit view settings shared by the layout's toggles and the pages: theme, projector mode, pause.
/// Scoped: one per browser tab.
/// </summary>
public sealed class DashboardViewState
{
    public bool IsDarkMode { get; private set; }

    /// <summary>Bigger type and stronger contrast, for teaching from a projector.</summary>
    public bool IsProjectorMode { get; private set; }

    /// <summary>While paused the pages keep the picture they show; on resume they reset from the feed's current snapshot.</summary>
    public bool IsPaused { get; private set; }

    public event Action? AppearanceChanged;
    public event Action? PausedChanged;

    public string Theme => IsDarkMode ? "dark" : "light";

    public void SetDarkMode(bool value)
    {
        if (IsDarkMode == value) return;
        IsDarkMode = value;
        AppearanceChanged?.Invoke();
    }

    public void SetProjectorMode(bool value)
    {
        if (IsProjectorMode == value) return;
        IsProjectorMode = value;
        AppearanceChanged?.Invoke();
    }

    public void SetPaused(bool value)
    {
        if (IsPaused == value) return;
        IsPaused = value;
        PausedChanged?.Invoke();
    }
}
