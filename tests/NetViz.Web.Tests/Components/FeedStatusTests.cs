using Microsoft.Extensions.DependencyInjection;
using Bunit;
using NetViz.Web.Components.Layout;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

public class FeedStatusTests : DashboardTestContext
{
    // 12 s after the sample snapshot was generated (10:30:15 UTC); it moves only when a test advances it.
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 10, 30, 27, TimeSpan.Zero));

    protected override TimeProvider? ClockOverride => _clock;

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
    public void In_Korean_the_status_chips_and_the_pause_button_speak_Korean()
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("ko");
        try
        {
            var status = Render<FeedStatus>();
            var snapshot = SampleTopology.Create(dockerOk: false, dockerError: "permission denied");
            Feed.Publish(snapshot with
            {
                Host = snapshot.Host with { Warnings = ["one", "two", "three"] },
                Sources = snapshot.Sources with { Nat = snapshot.Sources.Nat with { Ok = false, Error = "iptables-save not found" } },
            });
            status.WaitForAssertion(() => Assert.Equal("Docker에 연결할 수 없음", status.Find("[data-testid='docker-status']").TextContent.Trim()));
            Assert.Equal("NAT 규칙을 읽을 수 없음", status.Find("[data-testid='nat-status']").TextContent.Trim());
            Assert.Equal("경고 3개", status.Find("[data-testid='host-warnings']").TextContent.Trim());
            Assert.StartsWith("실시간, 마지막 변경 ", status.Find("[data-testid='last-update']").TextContent.Trim());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = culture;
        }
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

    [Fact]
    public void The_clock_chip_says_live_and_how_long_since_the_last_change_and_counts_on_a_quiet_host()
    {
        // The sample snapshot was generated at 10:30:15 UTC; the clock stands 12 s later.
        var clock = _clock;
        var status = Render<FeedStatus>();
        Assert.Equal("live, last change 12 s ago", status.Find("[data-testid='last-update']").TextContent.Trim());
        Assert.Equal("false", status.Find("[data-testid='last-update']").GetAttribute("data-stalled"));

        clock.Advance(TimeSpan.FromSeconds(50));
        status.WaitForAssertion(() => Assert.Equal("live, last change 1 min ago", status.Find("[data-testid='last-update']").TextContent.Trim()));
    }

    [Fact]
    public void The_chip_turns_amber_when_a_refresh_hangs_or_changes_wait()
    {
        var now = new DateTimeOffset(2026, 11, 28, 10, 35, 0, TimeSpan.Zero);
        var last = now.AddMinutes(-5);
        var healthy = new NetViz.Core.Diagnostics.LiveFeedState { FirstSnapshotAt = last, LastSuccessAt = now.AddSeconds(-20) };
        Assert.Null(NetViz.Web.Live.FeedLiveness.Stall(healthy, now, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2)));
        var view = NetViz.Web.Live.FeedLiveness.Describe(last, healthy, now, paused: false, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));
        Assert.Equal("live, last change 5 min ago", view.Text);

        var waiting = healthy with { OldestUnservedEventAt = now.AddSeconds(-90) };
        view = NetViz.Web.Live.FeedLiveness.Describe(last, waiting, now, paused: false, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));
        Assert.True(view.Stalled);
        Assert.Equal("stalled: changes waiting 1 min for a refresh", view.Text);

        var hung = healthy with { RefreshStartedAt = now.AddSeconds(-61) };
        Assert.Equal("a refresh running for 1 min", NetViz.Web.Live.FeedLiveness.Stall(hung, now, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2)));
        var stale = healthy with { LastSuccessAt = now.AddMinutes(-3) };
        Assert.Equal("no successful refresh for 3 min", NetViz.Web.Live.FeedLiveness.Stall(stale, now, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2)));
    }
}
