using System.Globalization;
using NetViz.Core.Sources;

namespace NetViz.Web.Localization;

/// <summary>
/// Why NetViz looked (<see cref="ChangeCause"/>) in a page's language: the words of <c>Cause.KIND</c> in strings.py
/// filled with the cause's values (ids, names, message types: data, as they came), or Core's English for a kind the
/// language lacks and for free text.
/// </summary>
public static class CauseWording
{
    public const string Prefix = "Cause.";

    public static string Text(ChangeCause cause, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(cause);
        if (cause.Kind == ChangeCause.SaidKind || SharedWords.Find(Prefix + cause.Kind, culture) is not { Length: > 0 } format) return cause.Text;
        var text = string.Format(CultureInfo.InvariantCulture, format, [.. cause.Args]);
        if (cause.MoreNamespaces == 0) return text;
        return SharedWords.Find(Prefix + ChangeCause.MoreNamespacesKey, culture) is { Length: > 0 } more
            ? text + string.Format(CultureInfo.InvariantCulture, more, cause.MoreNamespaces)
            : cause.Text;
    }
}
