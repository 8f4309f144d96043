using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetViz.Core.Correlation;
using NetViz.Core.Live;
using NetViz.Core.Model;

namespace NetViz.Core.Hub;

/// <summary>
/// The hub's one subscription to one agent's <c>/api/events</c>, kept alive for as long as the hub runs. A well-behaved
/// SSE client: it resumes after a lost connection with <c>Last-Event-ID</c> and the <c>X-NetViz-Stream</c> it was
/// reading (docs/api.md, "Resuming"), starts over from the snapshot the agent sends when that is impossible, starts over
/// itself when it sees a gap, waits longer after each failed attempt (<see cref="RetryBackoff"/>), counts an agent silent
/// for <see cref="HubOptions.AgentSilenceTimeout"/> as unreachable, and never buffers more than one event
/// (<see cref="HubOptions.MaxEventBytes"/>). Every change of what it knows goes to <c>report</c>; it never blocks on it.
/// </summary>
public sealed class AgentSubscription(AgentEndpoint endpoint, HttpClient http, HubOptions options, TimeProvider time, Action<AgentState> report, ILogger logger)
{
    public const string StreamHeader = "X-NetViz-Stream";

    private readonly string _prefix = HubMerge.Prefix(endpoint.Name);
    private AgentState _state = AgentState.Connecting(endpoint);
    private long _sequence;
    private string? _stream;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(Math.Min(1000, options.AgentRetryMax.TotalMilliseconds)), options.AgentRetryMax, time);
        report(_state);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReadStreamAsync(backoff, cancellationToken).ConfigureAwait(false);
                Fail("the agent ended the event stream");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or JsonException
                                          or TimeoutException or OperationCanceledException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                Fail(Reason(e));
            }
            try { await backoff.WaitAsync(cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task ReadStreamAsync(RetryBackoff backoff, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(endpoint.Url.TrimEnd('/') + "/"), "api/events"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (!string.IsNullOrEmpty(endpoint.Token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
        if (_state.Snapshot is not null && _stream is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", _sequence.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(StreamHeader, _stream);
        }

        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(options.AgentSilenceTimeout);
        HttpResponseMessage response;
        try { response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, silence.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { throw Silent(); }
        using var _ = response;
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}" +
                (response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? " (wrong or missing token)" : ""));
        _stream = response.Headers.TryGetValues(StreamHeader, out var streams) ? streams.FirstOrDefault() : null;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var reader = new ServerSentEventReader(body, options.MaxEventBytes);
        while (true)
        {
            silence.CancelAfter(options.AgentSilenceTimeout);
            ServerSentEvent? e;
            try { e = await reader.ReadAsync(silence.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { throw Silent(); }
            if (e is null) return;
            var now = time.GetUtcNow();
            if (e.IsComment)
            {
                // The stream is alive. A resumed stream with nothing missed starts with a comment only: the agent is back.
                if (_state.Status != HostStatuses.Ok && _state.Snapshot is not null && _stream is not null)
                    Report(_state with { Status = HostStatuses.Ok, Reason = null, LastSeen = now });
                else _state = _state with { LastSeen = now };
                continue;
            }
            switch (e.Name)
            {
                case "snapshot":
                {
                    using var json = JsonDocument.Parse(e.Data);
                    var snapshot = DerivedFacts.Complete(AgentJson.ReadSnapshot(json.RootElement.GetProperty("snapshot"), _prefix, out var skipped));
                    _sequence = long.Parse(e.Id ?? json.RootElement.GetProperty("sequence").GetRawText(), CultureInfo.InvariantCulture);
                    Report(_state with { Status = HostStatuses.Ok, Reason = null, LastSeen = now, Snapshot = snapshot, Skipped = skipped });
                    backoff.Reset();
                    break;
                }
                case "diff":
                {
                    var sequence = long.Parse(e.Id ?? "0", CultureInfo.InvariantCulture);
                    if (_state.Snapshot is not { } previous || sequence != _sequence + 1)
                    {
                        // A gap: never apply a diff on top of it. Start over from a snapshot (a new stream, no resume).
                        _stream = null;
                        throw new InvalidDataException($"diff {sequence} after {_sequence}: starting over from a snapshot");
                    }
                    using var json = JsonDocument.Parse(e.Data);
                    var next = DerivedFacts.Complete(AgentJson.ApplyDiff(previous, json.RootElement, _prefix, out var skipped));
                    _sequence = sequence;
                    Report(_state with { Status = HostStatuses.Ok, Reason = null, LastSeen = now, Snapshot = next, Skipped = Math.Max(_state.Skipped, skipped) });
                    backoff.Reset();
                    break;
                }
            }
        }
    }

    private TimeoutException Silent() => new($"no answer for {options.AgentSilenceTimeout.TotalSeconds:0.#} s");

    private void Fail(string reason)
    {
        if (_state.Status != HostStatuses.Unreachable || _state.Reason != reason)
            logger.LogWarning("Agent {Agent} ({Url}) unreachable: {Reason}", endpoint.Name, endpoint.Url, reason);
        Report(_state with { Status = HostStatuses.Unreachable, Reason = reason });
    }

    private void Report(AgentState state)
    {
        var changed = state.Status != _state.Status || !ReferenceEquals(state.Snapshot, _state.Snapshot) || state.Reason != _state.Reason;
        if (state.Status == HostStatuses.Ok && _state.Status != HostStatuses.Ok)
            logger.LogInformation("Agent {Agent} ({Url}) connected", endpoint.Name, endpoint.Url);
        _state = state;
        if (changed) report(state);
    }

    private static string Reason(Exception e) => Text.Bounded.Text(e switch
    {
        HttpRequestException { InnerException: { } inner } => inner.Message,
        _ => e.Message,
    }, 300);
}
