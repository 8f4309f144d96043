using System.Text.Json;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Timeline;

namespace NetViz.Web.Api;

/// <summary>The JSON surfaces (docs/api.md): the current snapshot and a Server-Sent Events stream of diffs.</summary>
public static class TopologyApi
{
    public static IEndpointRouteBuilder MapNetVizApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/topology", GetTopologyAsync);
        app.MapGet(GraphPath, GetGraphAsync);
        app.MapGet("/api/events", StreamEventsAsync);
        app.MapGet("/api/history", GetHistory);
        return app;
    }

    /// <summary>Names the run of the feed a sequence number belongs to; sent back with Last-Event-ID to resume.</summary>
    public const string StreamHeader = "X-NetViz-Stream";

    /// <summary>
    /// The timeline: the kept diffs in steps, grouped into episodes (docs/api.md). <c>?episode=ID&amp;format=text</c>
    /// gives one episode as lecture notes (text/plain).
    /// </summary>
    private static IResult GetHistory(TopologyHistory history, long? episode, string? format)
    {
        var episodes = history.Episodes();
        if (episode is { } id)
        {
            if (episodes.FirstOrDefault(e => e.Id == id) is not { } found) return Results.NotFound();
            return format == "text"
                ? Results.Text(TopologyHistory.ToText(found), "text/plain; charset=utf-8")
                : Results.Json(found, TopologyJson.Options);
        }
        return Results.Json(new HistoryAnswer(history.MaxEntries, history.MaxBytes, history.EpisodeGap, history.Count, history.Bytes,
            history.Dropped, episodes), TopologyJson.Options);
    }

    /// <summary>The answer of <c>GET /api/history</c>: the bounds, what is held, and the episodes, oldest first.</summary>
    public sealed record HistoryAnswer(int MaxEntries, long MaxBytes, TimeSpan EpisodeGap, int Entries, long Bytes, long Dropped,
        System.Collections.Immutable.ImmutableArray<TimelineEpisode> Episodes);

    /// <summary>How long a request made right after start waits for the first collection.</summary>
    private static readonly TimeSpan FirstSnapshotPatience = TimeSpan.FromSeconds(10);

    private static async Task GetTopologyAsync(HttpContext http, ITopologyFeed feed, string? download)
    {
        // Answer from the feed's current snapshot; only the very first request after start waits for it.
        await feed.WaitForFirstSnapshotAsync(FirstSnapshotPatience, http.RequestAborted);
        var snapshot = feed.Current;
        http.Response.Headers["X-NetViz-Sequence"] = feed.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers[StreamHeader] = feed.StreamId;
        http.Response.Headers.CacheControl = "no-store";
        if (IsYes(download))
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"netviz-{snapshot.Host.Hostname}-{snapshot.GeneratedAt:yyyyMMdd-HHmmss}.json\"";
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, snapshot, TopologyJson.Indented, http.RequestAborted);
    }

    /// <summary>The Topology page's own start (wwwroot/js/graph-prefetch.js): the graph's elements of one snapshot and its sequence.</summary>
    public const string GraphPath = "/api/graph";

    /// <summary>The answer of <c>GET /api/graph</c>: what the graph module's <c>reset(elements, sequence)</c> takes.</summary>
    public sealed record GraphAnswer(long Sequence, IReadOnlyList<Graph.CytoscapeElement> Elements);

    /// <summary>The names and shapes Blazor's JS interop gives the same objects (camelCase, nulls left out by the records).</summary>
    private static readonly JsonSerializerOptions InteropJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The Topology page fetches this while Blazor starts, so the graph can be drawn from it when the circuit's first
    /// reset names the same sequence, instead of waiting for the same elements over the circuit. Snapshot and sequence
    /// come from one subscription's first update, so they belong together.
    /// </summary>
    private static async Task<IResult> GetGraphAsync(HttpContext http, ITopologyFeed feed)
    {
        await feed.WaitForFirstSnapshotAsync(FirstSnapshotPatience, http.RequestAborted);
        using var subscription = feed.Subscribe();
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        patience.CancelAfter(FirstSnapshotPatience);
        TopologyUpdate first;
        try { first = await subscription.Reader.ReadAsync(patience.Token); }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested) { return Results.StatusCode(StatusCodes.Status503ServiceUnavailable); }
        if (first is not TopologyReset reset) return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new GraphAnswer(reset.Sequence, Graph.CytoscapeElementMapper.ToElements(reset.Snapshot)), InteropJson);
    }

    /// <summary>
    /// <c>?download=1</c> (what the dashboard's button and docs/api.md use), <c>true</c> or <c>yes</c> ask for an attachment;
    /// anything else, or no value, does not. A string, not a bool, so that <c>1</c> is not a 400.
    /// </summary>
    public static bool IsYes(string? flag) =>
        flag is not null && (flag.Trim() is "1" || flag.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) || flag.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// SSE: first a <c>snapshot</c> event (the full snapshot), then one <c>diff</c> event per change, each with the
    /// sequence number as the SSE id. A consumer that sees a gap, or a later <c>snapshot</c> event, starts over.
    /// A reconnecting consumer that sends <c>Last-Event-ID</c> and the <c>X-NetViz-Stream</c> it was given gets only the
    /// diffs it missed, when the feed still holds them; otherwise the stream starts with a <c>snapshot</c> as usual.
    /// </summary>
    private static async Task StreamEventsAsync(HttpContext http, ITopologyFeed feed)
    {
        var ct = http.RequestAborted;
        await feed.WaitForFirstSnapshotAsync(FirstSnapshotPatience, ct);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Response.Headers[StreamHeader] = feed.StreamId;
        using var subscription = long.TryParse(http.Request.Headers["Last-Event-ID"], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var lastSeen)
            ? feed.Resume(http.Request.Headers[StreamHeader].ToString(), lastSeen)
            : feed.Subscribe();
        var reader = subscription.Reader;
        await http.Response.WriteAsync(": netviz topology events\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // A comment every 15 s keeps proxies open and makes a vanished client fail the write, ending the stream.
                using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(ct);
                keepAlive.CancelAfter(TimeSpan.FromSeconds(15));
                bool ready;
                try { ready = await reader.WaitToReadAsync(keepAlive.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }
                if (!ready) break;
                while (reader.TryRead(out var update))
                {
                    var (name, payload) = update switch
                    {
                        TopologyReset r => ("snapshot", (object)new SnapshotEvent(r.Sequence, r.Snapshot)),
                        TopologyChange c => ("diff", c.Diff),
                        _ => throw new InvalidOperationException(update.GetType().Name),
                    };
                    await http.Response.WriteAsync($"event: {name}\nid: {update.Sequence}\ndata: ", ct);
                    await JsonSerializer.SerializeAsync(http.Response.Body, payload, payload.GetType(), TopologyJson.Options, ct);
                    await http.Response.WriteAsync("\n\n", ct);
                }
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (IOException) { }
    }

    /// <summary>The first SSE event: the sequence number and the full snapshot.</summary>
    public sealed record SnapshotEvent(long Sequence, TopologySnapshot Snapshot);
}
