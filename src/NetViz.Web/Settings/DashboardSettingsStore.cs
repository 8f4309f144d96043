using NetViz.Web.Components;
using NetViz.Web.Components.Shared;
using System.Text.Json;
using Microsoft.JSInterop;

namespace NetViz.Web.Settings;

/// <summary>
/// Reads and writes <see cref="DashboardSettings"/> in the browser's localStorage, and the page's shareable
/// address, through <c>wwwroot/js/netviz-settings.js</c>. Scoped (one per circuit). The stored text is the browser's, so it is
/// read defensively: too long or not the expected JSON means the defaults.
/// </summary>
public sealed class DashboardSettingsStore(IJSRuntime js) : IAsyncDisposable
{
    /// <summary>The module, relative to the app base.</summary>
    public const string ModulePath = "./js/netviz-settings.js";

    private const int MaxLength = 4096;
    private IJSObjectReference? _module;

    /// <summary>What the browser holds, and whether its screen is narrow (a phone: the side panel starts closed).</summary>
    public sealed record Loaded(DashboardSettings? Settings, bool Narrow);

    /// <summary>What <c>load()</c> in the module returns: the stored text and whether the screen is narrow.</summary>
    public sealed record BrowserSettings(string? Json, bool Narrow);

    public async Task<Loaded> LoadAsync()
    {
        try
        {
            _module ??= await js.ImportModuleAsync(ModulePath);
            if (_module is null) return new Loaded(null, false);
            var result = await _module.InvokeAsync<BrowserSettings?>("load");
            return new Loaded(Parse(result?.Json), result?.Narrow ?? false);
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            // No browser to ask (prerendering, a dropped circuit) or no module: the defaults.
            return new Loaded(null, false);
        }
    }

    public async Task SaveAsync(DashboardSettings settings)
    {
        try
        {
            _module ??= await js.ImportModuleAsync(ModulePath);
            if (_module is not null) await _module.InvokeVoidAsync("save", JsonSerializer.Serialize(settings));
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            // Not saved: the page keeps working with what it has.
        }
    }

    /// <summary>
    /// Shows <paramref name="url"/> in the address bar, replacing the current history entry, without a navigation:
    /// the page's state made shareable. A closed tab or a missing module loses only the address, silently (through
    /// NavigationManager, a tab closed during the call logged "Navigation failed" and an unhandled circuit error).
    /// </summary>
    public async Task ReplaceAddressAsync(string url)
    {
        try
        {
            _module ??= await js.ImportModuleAsync(ModulePath);
            if (_module is not null) await _module.InvokeVoidAsync("replaceAddress", url);
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
        }
    }

    /// <summary>The settings in a stored text, or null when it is missing, too long or not ours.</summary>
    public static DashboardSettings? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.Length > MaxLength) return null;
        try
        {
            var settings = JsonSerializer.Deserialize<DashboardSettings>(json);
            if (settings is null) return null;
            // Only names the graph module knows; anything else (an old or edited value) is the default.
            return GraphContract.Current.Layouts.Contains(settings.Layout) ? settings : settings with { Layout = DashboardSettings.DefaultLayout };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_module is not null) await _module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
    }
}
