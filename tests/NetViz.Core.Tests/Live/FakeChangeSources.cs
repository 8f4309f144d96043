using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Live;

// Test doubles of the issue-8 change sources, for the monitor's unit tests only.

internal sealed class FakeNamespaceListeners : INamespaceNetlinkSource
{
    public readonly Channel<NamespaceChangeBatch> Batches = Channel.CreateUnbounded<NamespaceChangeBatch>();
    public volatile HostNetworkView? Tracked;
    public int ListenerCount => Tracked?.Namespaces.Count(n => !n.IsHost) ?? 0;
    public IReadOnlyCollection<ulong> ListeningTo => [.. Tracked?.Namespaces.Where(n => !n.IsHost).Select(n => n.Inode) ?? []];

    public void Track(HostNetworkView host) => Tracked = host;

    public async IAsyncEnumerable<NamespaceChangeBatch> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await Batches.Reader.WaitToReadAsync(cancellationToken))
            while (Batches.Reader.TryRead(out var b)) yield return b;
    }
}

internal sealed class FakeLifecycle : INamespaceLifecycleSource
{
    public readonly Channel<NamespaceLifecycleSignal> Signals = Channel.CreateUnbounded<NamespaceLifecycleSignal>();
    public volatile HostNetworkView? Tracked;

    public void Track(HostNetworkView host) => Tracked = host;

    public async IAsyncEnumerable<NamespaceLifecycleSignal> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await Signals.Reader.WaitToReadAsync(cancellationToken))
            while (Signals.Reader.TryRead(out var s)) yield return s;
    }
}

internal sealed class FakeNatChanges : INatChangeSource
{
    public readonly Channel<RulesetChange> Changes = Channel.CreateUnbounded<RulesetChange>();
    public int Watches;

    public async IAsyncEnumerable<RulesetChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Watches);
        while (await Changes.Reader.WaitToReadAsync(cancellationToken))
            while (Changes.Reader.TryRead(out var c)) yield return c;
    }
}

internal sealed class CountingNatSource(NatView view) : INatSource
{
    public volatile NatView View = view;
    public int Reads;

    public Task<NatView> CollectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        return Task.FromResult(View);
    }
}

/// <summary>Keeps what was logged, to assert on warnings.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add((logLevel, formatter(state, exception)));
    }
}
