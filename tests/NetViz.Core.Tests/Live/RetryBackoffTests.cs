using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Live;

namespace NetViz.Core.Tests.Live;

public sealed class RetryBackoffTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Waits_double_up_to_the_maximum_and_start_over_after_progress()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), _time);
        Assert.Equal([250, 500, 1000, 1000], Enumerable.Range(0, 4).Select(_ => backoff.NextDelay().TotalMilliseconds));
        backoff.Reset();
        Assert.Equal(TimeSpan.FromMilliseconds(250), backoff.NextDelay());
    }

    [Fact]
    public void A_zero_or_inverted_schedule_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1), _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), _time));
    }

    /// <summary>A source whose every attempt is scripted by the test: items to yield, then how the stream ends.</summary>
    private sealed class ScriptedWatch
    {
        public readonly Channel<(int[] Items, Exception? End)> Attempts = Channel.CreateUnbounded<(int[], Exception?)>();
        public int Started;

        public async IAsyncEnumerable<int> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Started);
            var (items, end) = await Attempts.Reader.ReadAsync(cancellationToken);
            foreach (var item in items) yield return item;
            if (end is not null) throw end;
        }
    }

    [Fact]
    public async Task A_watch_restarts_after_each_wait_reports_an_outage_once_and_backs_off_only_without_progress()
    {
        var source = new ScriptedWatch();
        var ends = Channel.CreateUnbounded<WatchEnd>();
        var items = new List<int>();
        var restarts = 0;
        using var cts = new CancellationTokenSource();
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), _time);
        var running = backoff.RunWatchAsync(source.WatchAsync, new WatchHandlers<int>(items.Add)
        {
            OnEnded = e => ends.Writer.TryWrite(e),
            OnRestart = () => restarts++,
        }, cts.Token);

        async Task<WatchEnd> EndAsync((int[], Exception?) attempt)
        {
            source.Attempts.Writer.TryWrite(attempt);
            return await ends.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        }

        var first = await EndAsync(([1, 2], new IOException("reset")));
        Assert.Equal(new WatchEnd(2, first.Failure, NewOutage: true), first);
        Assert.Equal(0, restarts);

        // The first wait is the initial one (items reset the backoff): 100 ms, and not a tick less.
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, source.Started);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await EndAsync(([], new IOException("refused")));
        Assert.False(second.NewOutage); // same outage: log once
        Assert.Equal(1, restarts);

        // No progress: the next wait doubled to 200 ms.
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(2, source.Started);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var third = await EndAsync(([3], null));
        Assert.Equal(new WatchEnd(1, null, false), third);
        Assert.Equal([1, 2, 3], items);

        cts.Cancel();
        await running.WaitAsync(Patience); // ends quietly when cancelled
        Assert.Equal(3, source.Started);
    }
}
