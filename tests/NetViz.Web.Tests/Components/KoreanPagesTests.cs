using System.Globalization;
using Bunit;
using NetViz.Web.Components.Layout;
using NetViz.Web.Components.Pages;

namespace NetViz.Web.Tests.Components;

/// <summary>Blazor's reconnect dialog, the error pages and the status chip's stall reason in Korean (issue 13).</summary>
public sealed class KoreanPagesTests : DashboardTestContext, IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    void IDisposable.Dispose() => CultureInfo.CurrentUICulture = _culture;

    private static string Ko(string key, params object[] args) => Fakes.Korean.Text(key, args);

    [Fact]
    public void The_reconnect_dialog_speaks_korean_around_blazors_seconds_counter()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("ko");
        var cut = Render<ReconnectModal>();

        Assert.Equal(Ko("Reconnect.Rejoining"), cut.Find(".components-reconnect-first-attempt-visible").TextContent.Trim());
        Assert.Equal(Ko("Reconnect.Retry"), cut.Find("#components-reconnect-button").TextContent.Trim());
        Assert.Equal(Ko("Reconnect.Resume"), cut.Find("#components-resume-button").TextContent.Trim());
        Assert.Equal(Ko("Reconnect.Paused"), cut.Find(".components-pause-visible").TextContent.Trim());
        // Blazor writes the seconds into the span: with 7 in it the sentence reads as the resource filled with 7.
        var repeated = cut.Find(".components-reconnect-repeated-attempt-visible");
        var seconds = repeated.QuerySelector("#components-seconds-to-next-attempt");
        Assert.NotNull(seconds);
        seconds.TextContent = "7";
        Assert.Equal(Ko("Reconnect.RetryIn", 7), repeated.TextContent.Trim());
    }

    [Fact]
    public void The_reconnect_dialog_keeps_its_english_in_english()
    {
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        var repeated = Render<ReconnectModal>().Find(".components-reconnect-repeated-attempt-visible");
        repeated.QuerySelector("#components-seconds-to-next-attempt")!.TextContent = "7";
        Assert.Equal("Rejoin failed... trying again in 7 seconds.", repeated.TextContent.Trim());
    }

    [Fact]
    public void The_error_and_not_found_pages_speak_korean()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("ko");
        var error = Render<Error>();
        Assert.Equal(Ko("Error.Detail"), error.Find("h2").TextContent.Trim());
        Assert.Equal(Ko("Error.DevelopmentHeading"), error.Find("h3").TextContent.Trim());

        var notFound = Render<NotFound>();
        Assert.Equal(Ko("NotFound.Heading"), notFound.Find("[data-testid='not-found']").TextContent.Trim());
        Assert.Equal(Ko("NotFound.Detail"), notFound.Find("p").TextContent.Trim());
    }

    [Fact]
    public void The_status_chips_stall_reason_and_its_durations_are_korean()
    {
        var now = new DateTimeOffset(2026, 11, 28, 10, 35, 0, TimeSpan.Zero);
        var feed = new NetViz.Core.Diagnostics.LiveFeedState { FirstSnapshotAt = now.AddMinutes(-5), LastSuccessAt = now.AddSeconds(-20), OldestUnservedEventAt = now.AddSeconds(-90) };

        CultureInfo.CurrentUICulture = new CultureInfo("ko");
        var view = NetViz.Web.Live.FeedLiveness.Describe(now.AddMinutes(-5), feed, now, paused: false, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));

        Assert.True(view.Stalled);
        Assert.Equal(Ko("Live.Stalled", Ko("Live.StallWaiting", Ko("Live.Minutes", "1"))), view.Text);
        var healthy = NetViz.Web.Live.FeedLiveness.Describe(now.AddSeconds(-12), feed with { OldestUnservedEventAt = null }, now, paused: false,
            TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));
        Assert.Equal(Ko("Live.Live", Ko("Live.Seconds", "12")), healthy.Text);
    }
}
