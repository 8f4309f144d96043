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

    [Fact]
    public void Nat_chip_says_incomplete_when_nat_is_degraded_and_unavailable_when_it_failed()
    {
        var status = Render<FeedStatus>();
        Assert.Empty(status.FindAll("[data-testid='nat-status']"));
        var snapshot = SampleTopology.Create();

        Feed.Publish(snapshot with { Sources = snapshot.Sources with { Nat = snapshot.Sources.Nat with { Ok = false, Degraded = true, Error = "NAT rules incomplete: more than 2000 rules: only the first 2000 were read." } } });
        status.WaitForAssertion(() => Assert.Equal("NAT rules incomplete", status.Find("[data-testid='nat-status']").TextContent.Trim()));

        Feed.Publish(snapshot with { Sources = snapshot.Sources with { Nat = snapshot.Sources.Nat with { Ok = false, Error = "iptables-save not found" } } });
        status.WaitForAssertion(() => Assert.Equal("NAT rules unavailable", status.Find("[data-testid='nat-status']").TextContent.Trim()));
    }

    [Fact]
    public void Warnings_chip_counts_the_host_warnings_and_opens_a_list_of_their_texts()
    {
        var status = Render(builder =>
        {
            builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<FeedStatus>(1);
            builder.CloseComponent();
        });
        Assert.Empty(status.FindAll("[data-testid='host-warnings']"));
        string[] warnings =
        [
            "1 processes' /proc/PID/ns/net could not be read (permission denied: needs root or CAP_SYS_PTRACE)",
            "network namespace 828164 (/var/run/docker/netns/8702b388052b) vanished before it could be read",
        ];
        var snapshot = SampleTopology.Create();
        Feed.Publish(snapshot with { Host = snapshot.Host with { Warnings = [.. warnings] } });

        status.WaitForAssertion(() => Assert.Equal("2 warnings", status.Find("[data-testid='host-warnings']").TextContent.Trim()));
        Assert.Equal(string.Join("\n", warnings), status.Find("[data-testid='host-warnings']").GetAttribute("title"));
        status.Find("[data-testid='host-warnings']").Click();
        status.WaitForAssertion(() =>
            Assert.Equal(warnings, status.FindAll("[data-testid='host-warning']").Select(w => w.TextContent.Trim())));
    }
}
