using System.Globalization;
using System.Resources;

namespace NetViz.Web.Localization;

/// <summary>
/// The dashboard's words for code that has no <c>IStringLocalizer</c> (the static element mapper's labels: <c>network: x</c>,
/// <c>outside world</c>; the live-status text), in the current UI culture, read from the same resources as
/// <c>IStringLocalizer&lt;SharedResource&gt;</c>. It runs inside the circuit, whose culture is the page's.
/// </summary>
public static class SharedWords
{
    private static readonly ResourceManager Resources = new("NetViz.Web.Resources.SharedResource", typeof(SharedResource).Assembly);

    /// <summary>The word for <paramref name="key"/> (a key of strings.py), formatted with the arguments.</summary>
    public static string Get(string key, params object[] args)
    {
        var format = Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;
        return args.Length == 0 ? format : string.Format(CultureInfo.CurrentCulture, format, args);
    }

    /// <summary>The word for <paramref name="key"/> in the current UI culture, or null when no resource has it.</summary>
    public static string? Find(string key) => Find(key, CultureInfo.CurrentUICulture);

    /// <summary>The word for <paramref name="key"/> in <paramref name="culture"/> (a page's, captured), or null when no resource has it.</summary>
    public static string? Find(string key, CultureInfo culture) => Resources.GetString(key, culture);

    /// <summary>The word for <paramref name="key"/> in <paramref name="culture"/>, formatted with the arguments (values, shown as they are).</summary>
    public static string Get(CultureInfo culture, string key, params object[] args)
    {
        var format = Find(key, culture) ?? key;
        return args.Length == 0 ? format : string.Format(culture, format, args);
    }

    /// <summary>What the graph module draws itself (create({ words })), in the current UI culture.</summary>
    public static object ForGraphModule() => new
    {
        hostBand = Get("Graph.HostBand"),
        noNetwork = Get("Graph.NoNetwork"),
        vethNoBridge = Get("Graph.VethNoBridge"),
    };
}
