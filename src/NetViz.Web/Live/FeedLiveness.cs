using System.Globalization;
using NetViz.Core.Diagnostics;

namespace NetViz.Web.Live;

/// <summary>What the status chip says about the live feed.</summary>
/// <param name="Text">"live, last change 12 s ago", "paused", "stalled: ...", "waiting for data".</param>
/// <param name="Stalled">The monitor is not keeping up: the chip turns amber.</param>
/// <param name="Detail">The tooltip: when the last change and the last refresh were, as clock times.</param>
public sealed record FeedLivenessView(string Text, bool Stalled, string Detail);

/// <summary>
/// The status chip's words, from the monitor's own bookkeeping (<see cref="LiveFeedState"/>, the same facts the
/// readiness check reads): a quiet host says how long since the picture last changed, so a clock that does not move
/// is not mistaken for a frozen page; a refresh that hangs, changes left waiting, or no successful refresh for longer
/// than the resync period allows make it amber. Pure; every sentence is here, for localisation.
/// </summary>
public static class FeedLiveness
{
    public static FeedLivenessView Describe(DateTimeOffset lastChange, LiveFeedState? feed, DateTimeOffset now, bool paused,
        TimeSpan stallAfter, TimeSpan maxRefreshAge)
    {
        if (lastChange == DateTimeOffset.UnixEpoch) return new(W("Live.Waiting"), false, W("Live.WaitingDetail"));
        var detail = W("Live.LastChangeAt", lastChange.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)) +
            (feed?.LastSuccessAt is { } ok ? W("Live.LastRefreshAt", ok.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)) : "") + ".";
        if (feed is not null && Stall(feed, now, stallAfter, maxRefreshAge) is { } stall)
            return new(W("Live.Stalled", stall), true, detail + W("Live.StalledDetail"));
        var ago = Ago(now - lastChange);
        return paused
            ? new(W("Live.Paused", ago), false, detail + W("Live.PausedDetail"))
            : new(W("Live.Live", ago), false, detail);
    }

    // The chip's words in the page's language (strings.py), the stall reason too. /readyz keeps its own English
    // reasons (Operations/HealthChecks.cs): an HTTP probe's answer is read by machines and operators' logs, not the class.
    private static string W(string key, params object[] args) => NetViz.Web.Localization.SharedWords.Get(key, args);

    /// <summary>Why the feed is stalled in the page's language, or null. The same three conditions as the readiness check.</summary>
    public static string? Stall(LiveFeedState feed, DateTimeOffset now, TimeSpan stallAfter, TimeSpan maxRefreshAge)
    {
        if (feed.FirstSnapshotAt is null) return null;
        if (feed.OldestUnservedEventAt is { } waiting && now - waiting > stallAfter) return W("Live.StallWaiting", Ago(now - waiting));
        if (feed.RefreshStartedAt is { } started && now - started > stallAfter) return W("Live.StallRunning", Ago(now - started));
        if (feed.LastSuccessAt is { } last && now - last > maxRefreshAge) return W("Live.StallNoSuccess", Ago(now - last));
        return null;
    }

    /// <summary>"4 s", "3 min", "2 h", "5 d" ("4초", "3분" in Korean): whole units, never negative.</summary>
    public static string Ago(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        var c = CultureInfo.InvariantCulture;
        return span.TotalSeconds < 60 ? W("Live.Seconds", ((int)span.TotalSeconds).ToString(c))
            : span.TotalMinutes < 60 ? W("Live.Minutes", ((int)span.TotalMinutes).ToString(c))
            : span.TotalHours < 48 ? W("Live.Hours", ((int)span.TotalHours).ToString(c))
            : W("Live.Days", ((int)span.TotalDays).ToString(c));
    }
}
