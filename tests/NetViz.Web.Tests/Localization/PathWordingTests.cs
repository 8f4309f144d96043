using System.Globalization;
using System.Resources;
using NetViz.Core.Paths;
using NetViz.Web.Localization;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Localization;

/// <summary>Every sentence the path explainer can say has Korean words, with the same values in them as the English.</summary>
public sealed class PathWordingTests
{
    private static readonly ResourceManager Resources = new("NetViz.Web.Resources.SharedResource", typeof(SharedResource).Assembly);
    private static readonly CultureInfo Ko = new("ko");

    [Fact]
    public void Every_path_message_has_korean_words_with_the_same_placeholders_as_its_english()
    {
        var korean = Korean.All();
        Assert.True(PathWords.English.Count > 60);
        var problems = new List<string>();
        foreach (var (key, english) in PathWords.English)
        {
            if (string.IsNullOrWhiteSpace(english)) problems.Add($"{key}: empty English");
            if (!korean.TryGetValue(PathWording.Prefix + key, out var ko) || string.IsNullOrWhiteSpace(ko))
            {
                problems.Add($"{key}: no Korean");
                continue;
            }
            var (en, k) = (Korean.Placeholders(english), Korean.Placeholders(ko));
            if (!en.SequenceEqual(k)) problems.Add($"{key}: English has {{{string.Join("},{", en)}}}, Korean {{{string.Join("},{", k)}}}");
            // Both are formats: a stray brace would throw when said.
            _ = string.Format(CultureInfo.InvariantCulture, ko, [.. Enumerable.Range(0, 8).Select(i => (object)"x")]);
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void No_korean_path_message_is_left_over_from_a_key_core_no_longer_has()
    {
        var stale = Korean.All().Keys.Where(k => k.StartsWith(PathWording.Prefix, StringComparison.Ordinal))
            .Where(k => !PathWords.English.ContainsKey(k[PathWording.Prefix.Length..])).ToList();
        Assert.Empty(stale);
    }

    [Fact]
    public void Korean_fills_in_the_values_and_nested_words_and_english_is_cores()
    {
        var text = PathText.Of("route.title", PathText.Of("label.namespace", "{0}<b>"));
        Assert.Equal("route lookup in namespace {0}<b>", PathWording.Say(text, "unused", CultureInfo.InvariantCulture));
        var ko = PathWording.Say(text, "unused", Ko);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, Resources.GetString("PathText.route.title", Ko)!,
            string.Format(CultureInfo.InvariantCulture, Resources.GetString("PathText.label.namespace", Ko)!, "{0}<b>")), ko);
        // A hop made without data (an older or hand-made one) is shown with its own words.
        Assert.Equal("as it came", PathWording.Say(null, "as it came", Ko));
    }
}
