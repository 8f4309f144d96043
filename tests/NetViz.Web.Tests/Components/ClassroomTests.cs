using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using NetViz.Core.Diff;
using NetViz.Core.Sources;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using NetViz.Web.Lessons;
using NetViz.Web.Localization;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>The classroom components (issue 13): language switch, lesson panel, timeline panel.</summary>
public sealed class ClassroomTests : DashboardTestContext, IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    void IDisposable.Dispose() => CultureInfo.CurrentUICulture = _culture;

    private static void UseLanguage(string language) => CultureInfo.CurrentUICulture = new CultureInfo(language);

    private static string Ko(string key, params object[] args) => Korean.Text(key, args);

    [Fact]
    public void The_language_switch_shows_the_current_language_and_links_through_the_cookie_endpoint_back_to_the_page()
    {
        UseLanguage("ko");
        var nav = Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo("nat?x=1");

        var cut = Render<LanguageSwitch>();

        Assert.Equal("ko", cut.Find("[data-testid='language-switch']").GetAttribute("data-language"));
        Assert.Equal("true", cut.Find("[data-testid='lang-ko']").GetAttribute("aria-current"));
        Assert.Null(cut.Find("[data-testid='lang-en']").GetAttribute("aria-current"));
        Assert.Equal("/culture?c=en&r=%2Fnat%3Fx%3D1", cut.Find("[data-testid='lang-en']").GetAttribute("href"));
        // A real page load: the router must not take the click.
        Assert.Equal("_top", cut.Find("[data-testid='lang-en']").GetAttribute("target"));

        nav.NavigateTo("networks");
        cut.WaitForAssertion(() => Assert.Equal("/culture?c=en&r=%2Fnetworks", cut.Find("[data-testid='lang-en']").GetAttribute("href")));
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/nat?x=1", true)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("", false)]
    public void The_switch_only_returns_to_a_page_of_this_site(string path, bool local) =>
        Assert.Equal(local, NetVizLocalization.IsLocalPath(path));

    [Theory]
    [InlineData("en", "Timeline", "Lesson", "Bridge: a virtual switch", "Search names, IPs, MACs", "Why can't A reach B?", "Busiest cables")]
    [InlineData("ko", "타임라인", "강의", "브리지: 가상 스위치", "이름, IP, MAC 검색", "A에서 B로 왜 안 갈까?", "가장 바쁜 케이블")]
    public void The_topology_page_speaks_the_chosen_language(string language, string timeline, string lesson, string legend, string search, string path, string busiest)
    {
        UseLanguage(language);

        var page = RenderReadyTopology();

        Assert.Contains(timeline, page.Find("[data-testid='timeline']").TextContent);
        Assert.Contains(lesson, page.Find("[data-testid='lesson-open']").TextContent);
        Assert.Contains(legend, page.Find("[data-testid='graph-legend']").TextContent);
        Assert.Contains(search, page.Find("[data-testid='side-panel']").TextContent);
        Assert.Contains(path, page.Find("[data-testid='path-panel']").TextContent);
        Assert.Contains(busiest, page.Find("[data-testid='busiest-cables']").TextContent);
    }

    [Fact]
    public void The_lesson_panel_tours_the_steps_with_buttons_and_arrows_and_highlights_each_steps_elements()
    {
        UseLanguage("en");
        var highlighted = new List<IReadOnlyList<string>>();
        var index = new TopologyIndex(SampleTopology.Create());

        var cut = Render<LessonPanel>(p => p.Add(x => x.Index, index).Add(x => x.OnHighlight, ids => highlighted.Add(ids)));

        Assert.Equal("none", cut.Find("[data-testid='lesson']").GetAttribute("data-step-id"));
        Assert.Equal(LessonTargets.Find(index, "none").Elements, highlighted.Last());
        Assert.Contains("nsenter --target 43555 --net ip link", cut.Find("[data-testid='lesson-commands']").TextContent);
        cut.Find("[data-testid='lesson-next']").Click();
        Assert.Equal("host", cut.Find("[data-testid='lesson']").GetAttribute("data-step-id"));
        cut.Find("[data-testid='lesson']").KeyDown(key: "ArrowRight");
        Assert.Equal("bridge", cut.Find("[data-testid='lesson']").GetAttribute("data-step-id"));
        Assert.Equal(LessonTargets.Find(index, "bridge").Elements, highlighted.Last());
        cut.Find("[data-testid='lesson']").KeyDown(key: "ArrowLeft");
        Assert.Equal("host", cut.Find("[data-testid='lesson']").GetAttribute("data-step-id"));
        Assert.Equal(9, cut.FindAll("[data-testid='lesson-step']").Count);
    }

    [Fact]
    public void A_step_without_an_example_on_this_host_says_which_lab_command_builds_it()
    {
        UseLanguage("ko");
        var cut = Render<LessonPanel>(p => p.Add(x => x.Index, new TopologyIndex(NetViz.Core.Model.TopologySnapshot.Empty)));

        Assert.Equal("false", cut.Find("[data-testid='lesson']").GetAttribute("data-found"));
        Assert.Contains("./lab.sh up", cut.Find("[data-testid='lesson-missing']").TextContent);
        Assert.Contains("네트워크 네임스페이스", cut.Find("[data-testid='lesson-title']").TextContent);
    }

    [Fact]
    public void A_malformed_lesson_file_shows_an_error_naming_the_file_instead_of_crashing()
    {
        var folder = Directory.CreateTempSubdirectory("nvcls-lesson-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "en"));
            File.WriteAllText(Path.Combine(folder, "en", "01-none.md"), "---\ntitle: x\nfind: none\n---\nok\n");
            File.WriteAllText(Path.Combine(folder, "en", "02-teacher-edit.md"), "---\ntitle: oops\n");
            Configuration["NetViz:LessonsPath"] = folder;
            UseLanguage("en");

            var cut = Render<LessonPanel>(p => p.Add(x => x.Index, new TopologyIndex(SampleTopology.Create())));

            var error = cut.Find("[data-testid='lesson-error']").TextContent;
            Assert.Contains("02-teacher-edit.md", error);
            Assert.Contains("no closing '---'", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_timeline_lists_an_episode_and_replays_its_steps_on_the_graph()
    {
        UseLanguage("en");
        var highlighted = new List<IReadOnlyList<string>>();
        var cut = Render<TimelinePanel>(p => p.Add(x => x.OnHighlight, ids => highlighted.Add(ids)));
        Assert.NotNull(cut.Find("[data-testid='timeline-empty']"));

        var (before, after) = (SampleTopology.Create(), SampleTopology.WithCacheContainer(SampleTopology.Create()));
        History.Record(before, after, TopologyDiffer.Compute(before, after, 2), [ChangeCause.Of("docker-event-named", "container", "start", "c0ffee", "cache")]);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid='timeline-episode']")));
        Assert.Contains("container cache", cut.Find("[data-testid='timeline-episode']").TextContent);
        cut.Find("[data-testid='timeline-episode']").Click();
        var steps = History.Episodes().Single().Steps.ToList();
        Assert.Equal(steps.Count, cut.FindAll("[data-testid='timeline-step']").Count);
        Assert.Equal(steps[0].Elements, highlighted.Last());
        cut.Find("[data-testid='timeline-next']").Click();
        Assert.Equal(steps[1].Elements, highlighted.Last());
        Assert.Equal("true", cut.FindAll("[data-testid='timeline-step']")[1].GetAttribute("data-active"));
        Assert.Equal("api/history?episode=2&format=text", cut.Find("[data-testid='timeline-export']").GetAttribute("href"));
    }

    [Fact]
    public void In_Korean_a_timeline_step_is_worded_from_its_kind_and_values()
    {
        UseLanguage("ko");
        var (before, after) = (SampleTopology.Create(), SampleTopology.WithCacheContainer(SampleTopology.Create()));
        History.Record(before, after, TopologyDiffer.Compute(before, after, 2), null);

        var cut = Render<TimelinePanel>();
        cut.Find("[data-testid='timeline-episode']").Click();

        var texts = cut.FindAll("[data-testid='timeline-step']").Select(s => s.TextContent.Trim()).ToList();
        // Docker's and the kernel's words in Korean too: the bridge is 브리지, the new container's state 실행 중 (running).
        Assert.Contains(Ko("Step.enslaved", "vethc0ffee1", Ko("Docker.LinkType.bridge"), "docker0"), texts);
        var created = after.Nodes.OfType<NetViz.Core.Model.ContainerNode>().Single(c => !before.Nodes.Any(b => b.Id == c.Id));
        Assert.Contains(Ko("Step.container-created", created.Name, created.Image, Ko("Docker.State." + created.State), created.NetworkMode), texts);
        Assert.DoesNotContain(texts, t => t.Contains(" bridge docker0", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("veth 페어 ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_change_the_monitor_records_from_its_own_thread_is_told_in_the_pages_language()
    {
        UseLanguage("ko");
        var cut = Render<TimelinePanel>();
        Assert.Empty(cut.FindAll("[data-testid='timeline-episode']"));

        // The monitor records on its own thread, whose culture is not the page's (English here).
        var (before, after) = (SampleTopology.Create(), SampleTopology.WithCacheContainer(SampleTopology.Create()));
        var monitor = new Thread(() =>
        {
            CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            History.Record(before, after, TopologyDiffer.Compute(before, after, 2), null);
        });
        monitor.Start();
        monitor.Join();

        var created = after.Nodes.OfType<NetViz.Core.Model.ContainerNode>().Single(c => !before.Nodes.Any(b => b.Id == c.Id));
        var title = Ko("Step.container-created", created.Name, created.Image, Ko("Docker.State." + created.State), created.NetworkMode);
        cut.WaitForAssertion(() => Assert.StartsWith(title, cut.Find("[data-testid='timeline-episode'] .timeline-title").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Equal(1, History.Count);
        Assert.Equal("에피소드 1개, 변경 1개 보관", cut.Find("[data-testid='timeline-count']").TextContent.Trim());
    }

    [Fact]
    public void The_timeline_count_says_one_episode_and_one_change_in_the_singular()
    {
        UseLanguage("en");
        var cut = Render<TimelinePanel>();
        var (before, after) = (SampleTopology.Create(), SampleTopology.WithCacheContainer(SampleTopology.Create()));
        History.Record(before, after, TopologyDiffer.Compute(before, after, 2), null);
        cut.WaitForAssertion(() => Assert.Equal("1 episode, 1 change kept", cut.Find("[data-testid='timeline-count']").TextContent.Trim()));

        History.Record(after, before, TopologyDiffer.Compute(after, before, 3), null);
        cut.WaitForAssertion(() => Assert.Equal($"{cut.FindAll("[data-testid='timeline-episode']").Count} episode{(cut.FindAll("[data-testid='timeline-episode']").Count == 1 ? "" : "s")}, 2 changes kept",
            cut.Find("[data-testid='timeline-count']").TextContent.Trim()));
    }
}
