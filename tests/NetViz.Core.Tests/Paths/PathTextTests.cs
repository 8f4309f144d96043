using System.Globalization;
using System.Text.RegularExpressions;
using NetViz.Core.Paths;

namespace NetViz.Core.Tests.Paths;

public sealed partial class PathTextTests
{
    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();

    [Fact]
    public void Every_english_format_numbers_its_values_from_zero_without_gaps()
    {
        foreach (var (key, format) in PathWords.English)
        {
            var used = Placeholder().Matches(format).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
            Assert.True(used.SequenceEqual(Enumerable.Range(0, used.Count)), $"{key}: {format}");
        }
    }

    [Fact]
    public void Values_are_shown_as_they_are_never_read_as_formats()
    {
        var hostile = "a{0}b{1}}{;$(id)'\"<i>";
        Assert.Equal($"route lookup in namespace {hostile}", PathText.Of("route.title", PathText.Of("label.namespace", hostile)).ToString());
    }

    [Fact]
    public void Numbers_and_addresses_are_written_the_same_in_every_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("ar-SA");
            Assert.Equal(" (metric 12345)", PathText.Of("route.metric", 12345).ToString());
            Assert.Equal("the outside world (198.51.100.7)", PathText.Of("label.outside", PathExplainer.DefaultOutsideAddress).ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void A_key_without_english_words_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => PathText.Of("no.such.key"));
        Assert.Equal("", PathText.Empty.ToString());
    }

    [Fact]
    public void The_explanation_carries_its_sentences_as_data_that_say_the_same_english()
    {
        var e = PathExplainer.Explain(PathLab.Snapshot(withRules: false), new PathSysctls(), new PathQuery("outside", "10.0.2.15:8081", "tcp", null));
        Assert.NotNull(e.ReasonText);
        Assert.Equal(e.Reason, e.ReasonText!.ToString());
        Assert.NotEmpty(e.Assumptions);
        Assert.Equal(e.Assumptions, e.AssumptionTexts.Select(a => a.ToString()));
        Assert.All(e.Hops, h => Assert.Equal((h.Title, h.Detail), (h.TitleText!.ToString(), h.DetailText!.ToString())));
    }
}
