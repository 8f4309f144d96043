using System.Globalization;
using Bunit;
using NetViz.Core.Diff;
using NetViz.Core.Sources;
using NetViz.Web.Components.Shared;
using NetViz.Web.Localization;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>The timeline says why NetViz looked in the page's language: Docker events, netlink messages, the NAT poll.</summary>
public sealed class KoreanTimelineCausesTests : DashboardTestContext, IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    void IDisposable.Dispose() => CultureInfo.CurrentUICulture = _culture;

    private static string Ko(string key, params object[] args) => Korean.Text(key, args);

    /// <summary>A container starting, as the monitor records it: the Docker event with a hostile name, and a netlink message in 3 namespaces.</summary>
    private static readonly string HostileName = "<i id=\"pwn\">c</i>;$(reboot)";

    private void RecordCacheStarting()
    {
        var (before, after) = (SampleTopology.Create(), SampleTopology.WithCacheContainer(SampleTopology.Create()));
        History.Record(before, after, TopologyDiffer.Compute(before, after, 2),
        [
            ChangeCause.Of("docker-event-named", "container", "start", "c0ffee", HostileName),
            ChangeCause.Of("netns-netlink", "RTM_NEWLINK", 4026532301UL).AndMoreNamespaces(2),
            ChangeCause.Said("free text"),
        ]);
    }

    [Fact]
    public void In_korean_the_causes_are_korean_with_their_values_as_text()
    {
        CultureInfo.CurrentUICulture = Korean.Culture;
        RecordCacheStarting();
        var cut = Render<TimelinePanel>();
        cut.Find("[data-testid='timeline-episode']").Click();

        var causes = cut.Find("[data-testid='timeline-causes']");
        var expected = string.Join("; ",
            Ko("Cause.docker-event-named", "container", "start", "c0ffee", HostileName),
            Ko("Cause.netns-netlink", "RTM_NEWLINK", "4026532301") + Ko("Cause.and-more-namespaces", 2),
            "free text");
        Assert.Equal(Ko("Timeline.Causes", expected), causes.TextContent.Trim());
        Assert.Empty(cut.FindAll("#pwn"));
        Assert.DoesNotContain("docker container start", causes.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void In_english_the_causes_are_cores_text()
    {
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        RecordCacheStarting();
        var cut = Render<TimelinePanel>();
        cut.Find("[data-testid='timeline-episode']").Click();
        Assert.Equal($"Why NetViz looked: docker container start c0ffee ({HostileName}); RTM_NEWLINK in netns 4026532301 (and 2 more namespaces); free text",
            cut.Find("[data-testid='timeline-causes']").TextContent.Trim());
    }

    [Fact]
    public void Every_cause_kind_has_korean_words_with_the_same_placeholders_as_its_english()
    {
        var korean = Korean.All();
        var problems = new List<string>();
        foreach (var (kind, english) in ChangeCause.English)
        {
            if (!korean.TryGetValue(CauseWording.Prefix + kind, out var ko) || string.IsNullOrWhiteSpace(ko)) problems.Add($"{kind}: no Korean");
            else if (!Korean.Placeholders(english).SequenceEqual(Korean.Placeholders(ko))) problems.Add($"{kind}: placeholders differ");
        }
        problems.AddRange(korean.Keys.Where(k => k.StartsWith(CauseWording.Prefix, StringComparison.Ordinal) && !ChangeCause.English.ContainsKey(k[CauseWording.Prefix.Length..])).Select(k => $"{k}: stale"));
        Assert.Empty(problems);
    }
}
