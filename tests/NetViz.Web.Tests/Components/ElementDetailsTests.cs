using Bunit;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Commands;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

public class ElementDetailsTests : DashboardTestContext
{
    [Fact]
    public void A_command_holding_a_newline_from_a_name_is_shown_escaped_without_a_copy_button_and_with_the_reason()
    {
        var snapshot = HostileNameCommandTests.Renamed(Create(), new Dictionary<string, string> { ["lab1"] = "nv\nid>PW" });
        var details = Render<ElementDetails>(p => p
            .Add(x => x.Index, new TopologyIndex(snapshot))
            .Add(x => x.ElementId, Lab1Ns));

        var hints = details.FindAll("[data-testid='command-hint']");
        Assert.NotEmpty(hints);
        Assert.All(hints, hint =>
        {
            Assert.Empty(hint.QuerySelectorAll("[data-testid='copy-command']"));
            Assert.Contains("control character (\\n)", hint.QuerySelector("[data-testid='not-pasteable']")!.TextContent);
            Assert.Contains("'nv\\nid>PW'", hint.QuerySelector("[data-testid='command']")!.TextContent);
        });
    }

    [Fact]
    public void Ordinary_commands_keep_their_copy_button()
    {
        var details = Render<ElementDetails>(p => p
            .Add(x => x.Index, new TopologyIndex(Create()))
            .Add(x => x.ElementId, Lab1Ns));
        var hints = details.FindAll("[data-testid='command-hint']");
        Assert.NotEmpty(hints);
        Assert.All(hints, hint => Assert.Single(hint.QuerySelectorAll("[data-testid='copy-command']")));
        Assert.Empty(details.FindAll("[data-testid='not-pasteable']"));
    }

    [Theory]
    [InlineData("en", "See it yourself", "Show in graph", "Related")]
    [InlineData("ko", "직접 확인하기", "그래프에서 보기", "관련 요소")]
    public void The_drawer_headings_follow_the_language(string language, string commands, string showInGraph, string related)
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(language);
        try
        {
            var details = Render<ElementDetails>(p => p
                .Add(x => x.Index, new TopologyIndex(Create()))
                .Add(x => x.ElementId, Lab1Ns));
            Assert.Contains(commands, details.Markup);
            Assert.Equal(showInGraph, details.Find("[data-testid='show-in-graph']").TextContent.Trim());
            Assert.Contains(related, details.Markup);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = culture;
        }
    }
}
