namespace NetViz.IntegrationTests.Agent;

/// <summary>A minimal reader of /api/events for the tests: one SSE event at a time (comments skipped).</summary>
internal sealed class ServerSentEvents(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    public sealed record Event(string Name, string? Id, string Data);

    public HttpResponseMessage Response { get; } = response;

    public static async Task<ServerSentEvents> OpenAsync(HttpClient http, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new ServerSentEvents(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event, or a timeout failure (the agent sends a keep-alive comment every 15 s, never an empty event).</summary>
    public async Task<Event> NextAsync(TimeSpan patience)
    {
        using var cts = new CancellationTokenSource(patience);
        string? name = null, id = null;
        var data = new System.Text.StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0) return new Event(name ?? "message", id, data.ToString());
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "event": name = value; break;
                case "id": id = value; break;
                case "data": data.Append(value); break;
            }
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        Response.Dispose();
    }
}
