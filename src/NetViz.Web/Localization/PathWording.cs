using System.Globalization;
using NetViz.Core.Paths;

namespace NetViz.Web.Localization;

/// <summary>
/// A path explanation's sentences (<see cref="PathText"/>) in a page's language: the words of <c>PathText.KEY</c> in
/// strings.py, Core's English (<see cref="PathWords"/>) for a key the language lacks. Names, addresses, ports and
/// chains stay the values they are (Blazor escapes them); commands are never translated.
/// </summary>
public static class PathWording
{
    public const string Prefix = "PathText.";

    /// <summary><paramref name="text"/> in <paramref name="culture"/>, or <paramref name="english"/> when there is no text (a hop made without one).</summary>
    public static string Say(PathText? text, string english, CultureInfo culture) =>
        text is null ? english : PathWords.Render(text, key => SharedWords.Find(Prefix + key, culture));

    /// <summary>The explanation's assumptions in <paramref name="culture"/>.</summary>
    public static IEnumerable<string> Assumptions(PathExplanation explanation, CultureInfo culture) =>
        explanation.AssumptionTexts.Length == explanation.Assumptions.Length
            ? explanation.AssumptionTexts.Select(a => Say(a, "", culture))
            : explanation.Assumptions;
}
