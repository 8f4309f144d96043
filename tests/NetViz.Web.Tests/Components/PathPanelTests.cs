using Bunit;
using MudBlazor;
using NetViz.Core.Paths;
using NetViz.Web.Components.Shared;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

public sealed class PathPanelTests : DashboardTestContext
{
    private IRenderedComponent<PathPanel> RenderPanel()
    {
        var host = Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<PathPanel>(1);
            builder.AddAttribute(2, nameof(PathPanel.Snapshot), SampleTopology.Create());
            builder.CloseComponent();
        });
        return host.FindComponent<PathPanel>();
    }

    [Fact]
    public void The_pickers_offer_the_host_the_outside_running_containers_and_published_ports()
    {
        var panel = RenderPanel();
        var sources = panel.Instance.Sources.Select(o => o.Value).ToList();
        Assert.Equal(["host", "outside"], sources.Take(2));
        Assert.Contains("container:web", sources);
        Assert.Contains("container:db", sources);
        Assert.DoesNotContain(sources, s => s.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(panel.Instance.Destinations, o => o.Value == "127.0.0.1:8080" && o.Text == "published 127.0.0.1:8080 → web:80/tcp");
    }

    [Fact]
    public async Task Explaining_lists_every_hop_with_its_command_and_the_verdict()
    {
        var panel = RenderPanel();
        panel.Instance.From = "host";
        panel.Instance.To = "container:web";
        panel.Instance.Protocol = "icmp";
        await panel.InvokeAsync(panel.Instance.ExplainAsync);
        var expected = PathExplainer.Explain(SampleTopology.Create(), PathSysctls.DockerDefaults, new PathQuery("host", "container:web", "icmp", null));
        panel.WaitForAssertion(() => Assert.Equal(expected.Verdict, panel.Find("[data-testid='path-verdict']").GetAttribute("data-verdict")));
        var hops = panel.FindAll("[data-testid='path-hop']");
        Assert.Equal(expected.Hops.Select(h => h.Kind), hops.Select(h => h.GetAttribute("data-kind")));
        Assert.Equal(expected.Hops.Count(h => h.Command is not null), panel.FindAll("code.path-hop-command").Count);
        Assert.Contains(expected.Reason, panel.Find("[data-testid='path-verdict']").TextContent);
    }

    [Fact]
    public async Task An_unknown_endpoint_shows_the_sentence_instead_of_a_path()
    {
        var panel = RenderPanel();
        panel.Instance.From = "container:nobody";
        panel.Instance.To = "host";
        await panel.InvokeAsync(panel.Instance.ExplainAsync);
        panel.WaitForAssertion(() => Assert.Contains("no container 'nobody'", panel.Find("[data-testid='path-error']").TextContent));
        Assert.Empty(panel.FindAll("[data-testid='path-hop']"));
    }
}
