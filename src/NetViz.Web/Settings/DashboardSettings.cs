using System.Text.Json.Serialization;

namespace NetViz.Web.Settings;

/// <summary>
/// What a person chose on the dashboard and expects to find again after a reload (kept in the browser's
/// localStorage by <see cref="DashboardSettingsStore"/>): theme, projector mode, the graph's filters and
/// layout, whether the side panel is open. What the graph shows and what is selected go in the URL instead,
/// so they can be shared.
/// </summary>
public sealed record DashboardSettings
{
    public const string DefaultLayout = "lanes";

    [JsonPropertyName("dark")] public bool Dark { get; init; }
    [JsonPropertyName("projector")] public bool Projector { get; init; }
    [JsonPropertyName("hideLoopback")] public bool HideLoopback { get; init; } = true;
    [JsonPropertyName("hideHostDevices")] public bool HideHostDevices { get; init; }
    [JsonPropertyName("hideNat")] public bool HideNat { get; init; }
    [JsonPropertyName("layout")] public string Layout { get; init; } = DefaultLayout;
    [JsonPropertyName("panelOpen")] public bool PanelOpen { get; init; } = true;
}
