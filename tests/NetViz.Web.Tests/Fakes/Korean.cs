using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

namespace NetViz.Web.Tests.Fakes;

/// <summary>The dashboard's resources read directly (not through the component under test), for expected Korean texts.</summary>
public static partial class Korean
{
    private static readonly ResourceManager Resources = new("NetViz.Web.Resources.SharedResource", typeof(SharedResource).Assembly);

    public static readonly CultureInfo Culture = new("ko");

    /// <summary>The Korean resource <paramref name="key"/> filled with the arguments; fails when it is missing or the same as the English.</summary>
    public static string Text(string key, params object[] args)
    {
        var format = Resources.GetString(key, Culture);
        Assert.NotNull(format);
        Assert.NotEqual(Resources.GetString(key, CultureInfo.InvariantCulture), format);
        return string.Format(CultureInfo.InvariantCulture, format, args);
    }

    /// <summary>Every Korean resource, by key: the Korean file alone, without falling back to the English.</summary>
    public static IReadOnlyDictionary<string, string> All() =>
        Resources.GetResourceSet(Culture, createIfNotExists: true, tryParents: false)!
            .Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!, StringComparer.Ordinal);

    /// <summary>The values a format fills ({0}, {2}, ...: each once, in order).</summary>
    public static int[] Placeholders(string format) =>
        [.. Placeholder().Matches(format).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order()];

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();
}
