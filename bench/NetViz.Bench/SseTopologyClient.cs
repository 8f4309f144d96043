using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace NetViz.Bench;

/// <summary>
/// A Server-Sent Events client of GET /api/events that keeps the topology as docs/api.md says (snapshot, then diffs
/// applied in sequence) and notes, per container, the moment a diff made it wired and the moment one removed it.
/// Timestamps are Stopwatch timestamps taken when the event's data line had been read, before parsing it.
/// </summary>
public sealed class SseTopologyClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly TopologyState _state = new();
    private readonly Dictionary<string, long> _wiredAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _goneAt = new(StringComparer.Ordinal);
    private HashSet<string> _present = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(Func<TopologyState, bool> Condition, TaskCompletionSource<long> Met)> _watches = [];
    private readonly Dictionary<string, int> _touched = new(StringComparer.Ordinal);
    private Task? _reader;
    private long _lastSequence = -1;

    public SseTopologyClient(Uri baseAddress) =>
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };

    public int Snapshots { get; private set; }
    public int Diffs { get; private set; }
    /// <summary>Diffs whose sequence did not follow the previous one (the client would have to reset).</summary>
    public int Gaps { get; private set; }

    public async Task StartAsync(TimeSpan timeout)
    {
        var response = await _http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
        _reader = Task.Run(() => ReadAsync(stream, _stop.Token));
        if (!await WaitUntilAsync(() => Snapshots > 0, timeout)) throw new TimeoutException("no snapshot event from /api/events");
    }

    public long? WiredAt(string containerId) { lock (_gate) return _wiredAt.TryGetValue(containerId, out var t) ? t : null; }
    public long? GoneAt(string containerId) { lock (_gate) return _goneAt.TryGetValue(containerId, out var t) ? t : null; }
    public int CountWired(Func<string, bool> nameFilter) { lock (_gate) return _state.WiredContainerNames().Count(nameFilter); }

    /// <summary>
    /// Completes with the receive timestamp of the first event after which <paramref name="condition"/> holds. Register it
    /// before making the change: it must not hold yet.
    /// </summary>
    public Task<long> WhenAsync(Func<TopologyState, bool> condition)
    {
        var met = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_state)) throw new InvalidOperationException("the condition already holds before the change");
            _watches.Add((condition, met));
        }
        return met.Task;
    }

    /// <summary>What the diffs since the last call touched, by kind of id ("if", "ctr", "netns", "nat"...): "if 12, ctr 2".</summary>
    public string TakeDiffTouches()
    {
        lock (_gate)
        {
            var text = _touched.Count == 0 ? "nothing" : string.Join(", ", _touched.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"));
            _touched.Clear();
            return text;
        }
    }

    /// <summary>A copy-free look at the current state (under the client's lock).</summary>
    public T Read<T>(Func<TopologyState, T> read)
    {
        lock (_gate) return read(_state);
    }

    /// <summary>Waits until <paramref name="condition"/> holds after some event (checked after every event).</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            if (condition()) return true;
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) return false;
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)));
            if (_reader is { IsFaulted: true }) throw new InvalidOperationException("the SSE stream failed", _reader.Exception);
        }
    }

    private async Task ReadAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? eventName = null;
        var data = new StringBuilder();
        long receivedAt = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (eventName is not null && data.Length > 0) Dispatch(eventName, data.ToString(), receivedAt);
                eventName = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) eventName = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                receivedAt = Stopwatch.GetTimestamp();
                data.Append(line.AsSpan(5).TrimStart(' '));
            }
            // "id:" repeats the sequence that the data carries; ":" lines are comments (keep-alive).
        }
    }

    private void Dispatch(string eventName, string data, long receivedAt)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        var sequence = root.GetProperty("sequence").GetInt64();
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (eventName == "snapshot")
            {
                _state.Reset(root.GetProperty("snapshot"));
                Snapshots++;
            }
            else if (eventName == "diff")
            {
                if (_lastSequence >= 0 && sequence != _lastSequence + 1) Gaps++;
                foreach (var id in TopologyState.TouchedIds(root))
                {
                    var kind = id.Split(':')[0];
                    _touched[kind] = _touched.GetValueOrDefault(kind) + 1;
                }
                _state.ApplyDiff(root);
                Diffs++;
            }
            _lastSequence = sequence;

            foreach (var id in _state.WiredContainerIds()) _wiredAt.TryAdd(id, receivedAt);
            var present = _state.Nodes.Keys.Where(k => k.StartsWith("ctr:", StringComparison.Ordinal))
                .Select(k => k["ctr:".Length..]).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _present.Where(id => !present.Contains(id))) _goneAt.TryAdd(gone, receivedAt);
            _present = present;
            for (var i = _watches.Count - 1; i >= 0; i--)
            {
                if (!_watches[i].Condition(_state)) continue;
                _watches[i].Met.TrySetResult(receivedAt);
                _watches.RemoveAt(i);
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            try { await _reader; }
            catch (OperationCanceledException) { }
            catch (IOException) { }
            catch (HttpRequestException) { }
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
