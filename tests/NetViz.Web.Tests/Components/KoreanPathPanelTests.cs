using System.Globalization;
using Bunit;
using MudBlazor;
using NetViz.Core.Model;
using NetViz.Core.Paths;
using NetViz.Core.Text;
using NetViz.Web.Components.Shared;
using NetViz.Core.Tests.Paths;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

/// <summary>The path panel says the explanation in Korean in Korean mode; names stay the host's values, shown as text.</summary>
public sealed class KoreanPathPanelTests : DashboardTestContext, IDisposable
{
    /// <summary>A namespace name as hostile as the host may give: HTML, a command substitution, quotes, 200 characters.</summary>
    private static readonly string Hostile = ("<b id=\"pwn\">x</b>;$(touch /tmp/PWNED)'\"" + new string('n', 200))[..200];

    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    void IDisposable.Dispose() => CultureInfo.CurrentUICulture = _culture;

    private static string Ko(string key, params object[] args) => Korean.Text(key, args);

    /// <summary>The path tests' lab, its namespace "manual" (behind the bridge mbr0) renamed to <see cref="Hostile"/>.</summary>
    private static TopologySnapshot HostileLab()
    {
        var lab = PathLab.Snapshot();
        return lab with { Nodes = [.. lab.Nodes.Select(n => n is NetnsNode { Name: "manual" } ns ? ns with { Name = Hostile } : n)] };
    }

    private IRenderedComponent<PathPanel> RenderPanel(TopologySnapshot snapshot)
    {
        var host = Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<PathPanel>(1);
            builder.AddAttribute(2, nameof(PathPanel.Snapshot), snapshot);
            builder.CloseComponent();
        });
        return host.FindComponent<PathPanel>();
    }

    private static async Task ExplainAsync(IRenderedComponent<PathPanel> panel, string from, string to, string protocol, int port = 80)
    {
        panel.Instance.From = from;
        panel.Instance.To = to;
        panel.Instance.Protocol = protocol;
        panel.Instance.Port = port;
        await panel.InvokeAsync(panel.Instance.ExplainAsync);
    }

    private static bool HasHangul(string text) => text.Any(c => c is >= '\uAC00' and <= '\uD7A3');

    [Fact]
    public async Task Every_hop_and_the_verdict_of_a_real_explanation_are_korean_and_the_commands_are_not_translated()
    {
        CultureInfo.CurrentUICulture = Korean.Culture;
        var snapshot = PathLab.Snapshot();
        var panel = RenderPanel(snapshot);
        await ExplainAsync(panel, "container:web", "container:db", "tcp");
        var english = PathExplainer.Explain(snapshot, PathSysctls.DockerDefaults, new PathQuery("container:web", "container:db", "tcp", 80));

        var hops = panel.FindAll("[data-testid='path-hop']");
        Assert.Equal(english.Hops.Length, hops.Count);
        Assert.True(english.Hops.Length >= 4, "a real path: route, bridge, veth, delivery");
        for (var i = 0; i < hops.Count; i++)
        {
            var detail = hops[i].QuerySelector(".path-hop-detail")!.TextContent;
            Assert.NotEqual(english.Hops[i].Detail, detail);
            Assert.True(HasHangul(detail), $"hop {i} is not Korean: {detail}");
            // Commands are shell, not prose: exactly as the API gives them.
            Assert.Equal(english.Hops[i].Command, hops[i].QuerySelector("code.path-hop-command")?.TextContent);
        }
        // The bridge and the delivery, said from the resources directly.
        Assert.Contains(hops, h => h.QuerySelector(".path-hop-detail")!.TextContent == Ko("PathText.bridge.switch.detail", "docker0", "vethweb", "vethdb"));
        Assert.Equal(Ko("PathText.deliver.title", Ko("PathText.label.container", "db")), hops[^1].QuerySelector(".path-hop-title")!.TextContent);
        var verdict = panel.Find("[data-testid='path-verdict']");
        Assert.Equal(PathVerdicts.Delivered, verdict.GetAttribute("data-verdict"));
        Assert.Contains(Ko("Path.Delivered"), verdict.TextContent);
        Assert.Contains(Ko("PathText.deliver.reason", Ko("PathText.label.container", "db"), "172.17.0.3"), verdict.TextContent);
        Assert.DoesNotContain(english.Reason, verdict.TextContent);
        // The pickers too.
        Assert.Contains(panel.Instance.Destinations, o => o.Value == "host:8081" && o.Text == Ko("Path.Option.Published", "host", 8081, "web", 80, "tcp"));
    }

    [Fact]
    public async Task A_hostile_namespace_name_is_text_in_the_korean_sentences_and_stays_quoted_in_the_commands()
    {
        CultureInfo.CurrentUICulture = Korean.Culture;
        var snapshot = HostileLab();
        var panel = RenderPanel(snapshot);
        await ExplainAsync(panel, "netns:" + Hostile, "host", "icmp");
        var english = PathExplainer.Explain(snapshot, PathSysctls.DockerDefaults, new PathQuery("netns:" + Hostile, "host", "icmp", null));

        var label = Ko("PathText.label.namespace", Hostile);
        var first = panel.FindAll("[data-testid='path-hop']")[0];
        Assert.Equal(Ko("PathText.start.title", label), first.QuerySelector(".path-hop-title")!.TextContent);
        Assert.Contains(label, first.QuerySelector(".path-hop-detail")!.TextContent);
        // Text, not markup: no element the name tried to make.
        Assert.Empty(panel.FindAll("#pwn"));
        Assert.Empty(panel.FindAll(".path-hops b"));
        // Each command exactly as the API gives it: the name shell-quoted, once.
        var commands = panel.FindAll("[data-testid='path-hop'] code").Select(c => c.TextContent).ToList();
        Assert.Equal(english.Hops.Where(h => h.Command is not null).Select(h => ShellQuote.WhyNotPasteable(h.Command!) is null ? h.Command : ShellQuote.Visible(h.Command!)), commands);
        Assert.Contains(commands, c => c.Contains("ip netns exec " + ShellQuote.Word(Hostile), StringComparison.Ordinal));
        Assert.True(HasHangul(panel.Find("[data-testid='path-verdict']").TextContent));
    }

    [Fact]
    public async Task A_query_that_cannot_be_answered_is_refused_in_korean_with_the_name_as_text()
    {
        CultureInfo.CurrentUICulture = Korean.Culture;
        var snapshot = PathLab.Snapshot();
        var panel = RenderPanel(snapshot);
        await ExplainAsync(panel, "container:web", "container:" + Hostile, "tcp");
        var english = Assert.Throws<PathQueryException>(() =>
            PathExplainer.Explain(snapshot, PathSysctls.DockerDefaults, new PathQuery("container:web", "container:" + Hostile, "tcp", 80)));

        Assert.Equal("query.no-container", english.Text.Key);
        var shown = Assert.IsType<string>(Assert.Single(english.Text.Args)); // the name as the API shows it: bounded, visible
        var error = panel.Find("[data-testid='path-error']").TextContent.Trim();
        Assert.Equal(Ko("PathText.query.no-container", shown), error);
        Assert.NotEqual(english.Message, error);
        Assert.Equal($"no container '{shown}'", english.Message); // the API's English is unchanged
        Assert.Empty(panel.FindAll("#pwn"));
        Assert.Empty(panel.FindAll("[data-testid='path-hop']"));
    }

    [Fact]
    public async Task In_english_the_panel_shows_exactly_the_apis_sentences()
    {
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        var snapshot = HostileLab();
        var panel = RenderPanel(snapshot);
        await ExplainAsync(panel, "netns:" + Hostile, "container:web", "tcp");
        var english = PathExplainer.Explain(snapshot, PathSysctls.DockerDefaults, new PathQuery("netns:" + Hostile, "container:web", "tcp", 80));
        var hops = panel.FindAll("[data-testid='path-hop']");
        Assert.Equal(english.Hops.Select(h => (h.Title, h.Detail)),
            hops.Select(h => (h.QuerySelector(".path-hop-title")!.TextContent, h.QuerySelector(".path-hop-detail")!.TextContent)));
        Assert.Contains(english.Reason, panel.Find("[data-testid='path-verdict']").TextContent);
    }
}
