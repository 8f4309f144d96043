using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetViz.Core.Sources.Nat;

/// <summary>
/// When the NAT rules must be read again, instead of running iptables-save every 2 s:
/// <list type="bullet">
/// <item>rules, on the nftables backends (iptables-nft, nft): when <see cref="INatChangeSource"/> says the rule set
/// changed; on the legacy backend (which announces nothing), or while the notifications cannot be had: every poll interval;</item>
/// <item>packet counters, which change without any notification: every counter interval, and only while someone is
/// looking (the live feed has a subscriber).</item>
/// </list>
/// An interval of zero or less (or infinite) turns that part off.
/// </summary>
public sealed partial class NatRefreshSchedule
{
    /// <summary>After the change notifications failed, poll this long before listening again.</summary>
    private static readonly TimeSpan RetryListeningAfter = TimeSpan.FromSeconds(30);

    private readonly INatChangeSource? _changes;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _counterInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NatRefreshSchedule(INatChangeSource? changes, TimeSpan pollInterval, TimeSpan counterInterval, TimeProvider? time = null, ILogger? logger = null)
    {
        _changes = changes;
        _pollInterval = pollInterval;
        _counterInterval = counterInterval;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>True for the backends whose changes are announced on NFNLGRP_NFTABLES.</summary>
    public static bool AnnouncesChanges(string? backend) => backend is "iptables-nft" or "nft" or "nftables";

    private static bool Enabled(TimeSpan interval) => interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Yields why the rules, or only their counters, should be read now, each time they should; bursts are merged while
    /// the caller reads (a rule read due covers counters due too).
    /// </summary>
    /// <param name="backend">The backend of the last read (<see cref="NatView.Backend"/>), null when unknown.</param>
    /// <param name="anyoneLooking">Whether counters are worth refreshing now.</param>
    /// <param name="cancellationToken">Stops the schedule.</param>
    public async IAsyncEnumerable<NatRefreshDue> WatchAsync(Func<string?> backend, Func<bool> anyoneLooking,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One read due at a time: a read already due covers every reason that comes up before it runs.
        var due = new Pending();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parts = new[] { WatchRulesAsync(backend, due, stop.Token), WatchCountersAsync(anyoneLooking, due, stop.Token) };
        try
        {
            while (true)
                if (await due.TakeAsync(cancellationToken).ConfigureAwait(false) is { } reason)
                    yield return reason;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(parts).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task WatchRulesAsync(Func<string?> backend, Pending due, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var current = backend();
            if (_changes is not null && AnnouncesChanges(current))
            {
                try
                {
                    await foreach (var change in _changes.WatchAsync(cancellationToken).ConfigureAwait(false))
                        due.Add(new NatRefreshDue(change.Messages == 0 ? ChangeCause.Of("nft-listener-started") : ChangeCause.Of("nft-changed", change.Messages), CountersOnly: false));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LogNotificationsFailed(_logger, e.Message, _pollInterval.TotalSeconds);
                }
                var until = _time.GetTimestamp();
                while (_time.GetElapsedTime(until) < RetryListeningAfter && !cancellationToken.IsCancellationRequested)
                    await PollOnceAsync(current, due, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PollOnceAsync(current, due, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PollOnceAsync(string? backend, Pending due, CancellationToken cancellationToken)
    {
        if (!Enabled(_pollInterval))
        {
            // Polling off: only look again whether the backend became one that announces its changes.
            await Task.Delay(RetryListeningAfter, _time, cancellationToken).ConfigureAwait(false);
            return;
        }
        await Task.Delay(_pollInterval, _time, cancellationToken).ConfigureAwait(false);
        due.Add(new NatRefreshDue(backend is null ? ChangeCause.Of("nat-poll-unknown") : ChangeCause.Of("nat-poll", backend), CountersOnly: false));
    }

    private async Task WatchCountersAsync(Func<bool> anyoneLooking, Pending due, CancellationToken cancellationToken)
    {
        if (!Enabled(_counterInterval)) return;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_counterInterval, _time, cancellationToken).ConfigureAwait(false);
            if (anyoneLooking()) due.Add(new NatRefreshDue(ChangeCause.Of("packet-counters"), CountersOnly: true));
        }
    }

    /// <summary>
    /// The one read due (the schedule's channel of capacity one): a later reason is merged into it, and a rule read due
    /// replaces a counter refresh waiting (reading the rules reads their counters too), never the other way round.
    /// </summary>
    private sealed class Pending
    {
        private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        private readonly Lock _gate = new();
        private NatRefreshDue? _due;

        public void Add(NatRefreshDue due)
        {
            lock (_gate)
                if (_due is null || (_due.CountersOnly && !due.CountersOnly)) _due = due;
            _wake.Writer.TryWrite(true);
        }

        public async ValueTask<NatRefreshDue?> TakeAsync(CancellationToken cancellationToken)
        {
            if (!await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            _wake.Reader.TryRead(out _);
            lock (_gate)
            {
                var due = _due;
                _due = null;
                return due;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "nftables change notifications unavailable ({Reason}): polling iptables-save every {Seconds} s meanwhile")]
    private static partial void LogNotificationsFailed(ILogger logger, string reason, double seconds);
}

/// <summary>A NAT read the schedule asks for: the rules (and their counters), or only the counters.</summary>
public sealed record NatRefreshDue(ChangeCause Reason, bool CountersOnly);
