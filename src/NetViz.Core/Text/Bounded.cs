using System.Collections.Immutable;

namespace NetViz.Core.Text;

/// <summary>
/// Caps on text and lists that come from outside NetViz (names, labels, warnings). Every reader keeps what it shows
/// bounded so that one hostile name or a flood of bad lines cannot grow a snapshot, the API answer or a page.
/// </summary>
public static class Bounded
{
    /// <summary>Characters kept of a name shown (container, network, image, label): far above any real one.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Characters kept of one warning.</summary>
    public const int MaxWarningLength = 300;

    /// <summary>Warnings listed one by one in a snapshot; the rest are counted in one last line.</summary>
    public const int MaxWarnings = 50;

    /// <summary>The text, cut to <paramref name="max"/> characters with a trailing "…" when longer.</summary>
    public static string Text(string text, int max = MaxNameLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (text.Length <= max) return text;
        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1])) cut--; // never split a surrogate pair
        return text[..cut] + "…";
    }

    /// <summary>Null stays null; otherwise <see cref="Text(string, int)"/>.</summary>
    public static string? TextOrNull(string? text, int max = MaxNameLength) => text is null ? null : Text(text, max);

    /// <summary>The first <paramref name="maxCount"/> warnings, each cut to <paramref name="maxLength"/>, then "… and N more warnings".</summary>
    public static ImmutableArray<string> Warnings(IEnumerable<string> warnings, int maxCount = MaxWarnings, int maxLength = MaxWarningLength)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var kept = ImmutableArray.CreateBuilder<string>();
        var more = 0;
        foreach (var warning in warnings)
        {
            if (kept.Count < maxCount) kept.Add(Text(warning, maxLength));
            else more++;
        }
        if (more > 0) kept.Add($"… and {more} more warnings");
        return kept.ToImmutable();
    }
}
