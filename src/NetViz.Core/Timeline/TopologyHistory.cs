using System.Collections.Immutable;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Timeline;

/// <summary>
/// The recent past of the feed, so "what did <c>docker run -p</c> just do?" can be answered after the fact: every
/// diff the broadcaster publishes, described in steps (<see cref="ChangeNarrator"/>) with its time and causes, kept
/// in memory up to a number of entries and an estimate of bytes, oldest dropped first. Entries that follow each other
/// within <see cref="EpisodeGap"/> form one <see cref="TimelineEpisode"/>.
/// </summary>
public sealed class TopologyHistory
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(TimelineEntry Entry, long Bytes)> _entries = new();
    private readonly TimeProvider _time;
    private long _bytes;
    private long _dropped;

    /// <param name="maxEntries">Diffs kept at most.</param>
    /// <param name="maxBytes">Estimated bytes kept at most (text of steps and causes).</param>
    /// <param name="episodeGap">Diffs closer than this in time belong to one episode.</param>
    /// <param name="time">The clock that stamps each entry.</param>
    public TopologyHistory(int maxEntries, long maxBytes, TimeSpan episodeGap, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodeGap, TimeSpan.Zero);
        (MaxEntries, MaxBytes, EpisodeGap, _time) = (maxEntries, maxBytes, episodeGap, time);
    }

    public int MaxEntries { get; }
    public long MaxBytes { get; }
    public TimeSpan EpisodeGap { get; }

    /// <summary>Raised after an entry was kept (on the publishing thread: handlers must not block).</summary>
    public event Action? Changed;

    public int Count { get { lock (_gate) return _entries.Count; } }
    public long Bytes { get { lock (_gate) return _bytes; } }
    /// <summary>Entries dropped to stay within the bounds since start.</summary>
    public long Dropped { get { lock (_gate) return _dropped; } }

    /// <summary>
    /// Records the diff from <paramref name="before"/> to <paramref name="after"/>. The first look (from the empty
    /// snapshot) is the starting point, not a change, and a diff of nothing but counters says nothing: neither is kept.
    /// </summary>
    public void Record(TopologySnapshot before, TopologySnapshot after, TopologyDiff diff, IEnumerable<ChangeCause>? causes)
    {
        if (before.Nodes.IsEmpty && before.Edges.IsEmpty) return;
        var steps = ChangeNarrator.Describe(before, after, diff);
        if (steps.IsEmpty) return;
        var entry = new TimelineEntry
        {
            Sequence = diff.Sequence,
            At = _time.GetUtcNow(),
            Causes = [.. (causes ?? []).Distinct().Take(20)], // each bounded when made
            Steps = steps,
        };
        var bytes = Estimate(entry);
        lock (_gate)
        {
            _entries.AddLast((entry, bytes));
            _bytes += bytes;
            // Keep the newest entry even if it alone is over the byte cap: an empty history explains nothing.
            while (_entries.Count > 1 && (_entries.Count > MaxEntries || _bytes > MaxBytes))
            {
                _bytes -= _entries.First!.Value.Bytes;
                _entries.RemoveFirst();
                _dropped++;
            }
        }
        Changed?.Invoke();
    }

    /// <summary>The entries kept, oldest first.</summary>
    public ImmutableArray<TimelineEntry> Entries()
    {
        lock (_gate) return [.. _entries.Select(e => e.Entry)];
    }

    /// <summary>The kept entries grouped into episodes, oldest first.</summary>
    public ImmutableArray<TimelineEpisode> Episodes() => Group(Entries(), EpisodeGap);

    /// <summary>Groups entries (oldest first) into episodes: a gap longer than <paramref name="gap"/> starts a new one.</summary>
    public static ImmutableArray<TimelineEpisode> Group(IReadOnlyList<TimelineEntry> entries, TimeSpan gap)
    {
        var episodes = ImmutableArray.CreateBuilder<TimelineEpisode>();
        var current = new List<TimelineEntry>();
        foreach (var entry in entries)
        {
            if (current.Count > 0 && entry.At - current[^1].At > gap)
            {
                episodes.Add(Episode(current));
                current = [];
            }
            current.Add(entry);
        }
        if (current.Count > 0) episodes.Add(Episode(current));
        return episodes.ToImmutable();
    }

    /// <summary>An episode as lecture notes: a title, then one numbered line per step.</summary>
    public static string ToText(TimelineEpisode episode)
    {
        var text = new System.Text.StringBuilder();
        text.Append(episode.Start.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", System.Globalization.CultureInfo.InvariantCulture))
            .Append("  ").AppendLine(episode.Title);
        var n = 0;
        foreach (var entry in episode.Entries)
            foreach (var step in entry.Steps)
                text.Append(++n).Append(". ").AppendLine(step.Text);
        var causes = episode.Entries.SelectMany(e => e.Causes).Distinct().ToList();
        if (causes.Count > 0) text.Append("Causes: ").AppendLine(string.Join("; ", causes));
        return text.ToString();
    }

    private static TimelineEpisode Episode(List<TimelineEntry> entries)
    {
        var steps = entries.SelectMany(e => e.Steps).ToList();
        // Named after the container it is about, if any (what the teacher typed), else after its first step.
        var title = steps.FirstOrDefault(s => s.Kind is StepKinds.ContainerCreated or StepKinds.ContainerRemoved
            or StepKinds.ContainerStarted or StepKinds.ContainerStopped) ?? steps[0];
        var others = steps.Count - 1;
        return new TimelineEpisode
        {
            Id = entries[0].Sequence,
            Title = others > 0 ? $"{title.Text} (+{others} more)" : title.Text,
            Start = entries[0].At,
            End = entries[^1].At,
            Entries = [.. entries],
        };
    }

    private static long Estimate(TimelineEntry entry)
    {
        // UTF-16 characters plus a fixed overhead per object: an estimate that grows with what is really held.
        long bytes = 128;
        foreach (var cause in entry.Causes)
        {
            bytes += 64 + (cause.Kind.Length + cause.Text.Length) * 2;
            foreach (var a in cause.Args) bytes += 24 + a.Length * 2;
        }
        foreach (var step in entry.Steps)
        {
            bytes += 96 + (step.Kind.Length + step.Text.Length) * 2;
            foreach (var a in step.Args) bytes += 24 + a.Length * 2;
            foreach (var e in step.Elements) bytes += 24 + e.Length * 2;
        }
        return bytes;
    }
}
