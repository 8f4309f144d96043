using Bunit;
using NetViz.Web.Components.Layout;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

public class FeedStatusTests : DashboardTestContext
{
    [Fact]
    public void Docker_chip_turns_red_with_the_reason_when_docker_becomes_unavailable()
    {
        var status = Render<FeedStatus>();
        Assert.Equal("labhost", status.Find("[data-testid='host-name']").TextContent.Trim());
        Assert.Contains("Docker 20.10.24", status.Find("[data-testid='docker-status']").TextContent);

        Feed.Publish(SampleTopology.Create(dockerOk: false, dockerError: "permission denied on /var/run/docker.sock"));

        status.WaitForAssertion(() =>
        {
            var chip = status.Find("[data-testid='docker-status']");
            Assert.Contains("Docker unavailable", chip.TextContent);
            Assert.Equal("permission denied on /var/run/docker.sock", chip.GetAttribute("title"));
            Assert.Contains("mud-chip-color-error", chip.ClassList);
        });
    }
}
