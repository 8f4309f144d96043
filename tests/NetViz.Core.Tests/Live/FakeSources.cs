using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Live;

// Test doubles for the monitor's and the collector's unit tests only: the real sources are exercised in NetViz.IntegrationTests.

internal sealed class FakeHostSource(HostNetworkView view) : IHostNetworkSource
{
    public volatile HostNetworkView View = view;
    public int FullCollections;
    public readonly List<ulong[]> PartialCollections = [];

    public Task<HostNetworkView> CollectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref FullCollections);
        return Task.FromResult(View);
    }

    public Task<NamespaceRefresh> RefreshNamespacesAsync(IReadOnlyCollection<ulong> stale, IReadOnlySet<ulong> known, CancellationToken cancellationToken)
    {
        lock (PartialCollections) PartialCollections.Add([.. stale.Order()]);
        var read = View.Namespaces.Where(n => stale.Contains(n.Inode) || !known.Contains(n.Inode)).ToList();
        return Task.FromResult(new NamespaceRefresh(read, View.Namespaces.Select(n => n.Inode).ToHashSet(), []));
    }
}

internal sealed class FakeDockerSource(DockerView view) : IDockerSource
{
    public volatile DockerView View = view;
    public readonly Channel<DockerEvent> Events = Channel.CreateUnbounded<DockerEvent>();
    public readonly HandOver HandedOver = new();
    public volatile Exception? StreamFailure;
    public volatile Exception? InspectFailure;
    public int FullCollections;
    public int Inspections;
    public string Endpoint => View.Endpoint;

    public Task<DockerView> CollectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref FullCollections);
        return Task.FromResult(View);
    }

    public Task<IReadOnlyList<ContainerInfo>> InspectContainersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        // Fails once, like an inspect that timed out on a loaded engine.
        if (Interlocked.Exchange(ref InspectFailure, null) is { } failure) throw failure;
        Interlocked.Add(ref Inspections, ids.Count);
        return Task.FromResult<IReadOnlyList<ContainerInfo>>([.. View.Containers.Where(c => ids.Contains(c.Id))]);
    }

    public async IAsyncEnumerable<DockerEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (StreamFailure is { } failure) throw failure;
        while (await Events.Reader.WaitToReadAsync(cancellationToken))
        {
            while (Events.Reader.TryRead(out var e))
            {
                if (e.Type == "fail") throw new IOException("connection reset by peer");
                yield return e;
                HandedOver.Count(); // the consumer asked for the next one: it is done with this one
            }
        }
    }

    public void Emit(string type, string action, string id) =>
        Events.Writer.TryWrite(new DockerEvent(type, action, id, ImmutableDictionary<string, string>.Empty));
}

/// <summary>Counts items a watch consumer has finished with, so a test knows every trigger reached the monitor.</summary>
internal sealed class HandOver
{
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private int _count;

    public void Count()
    {
        lock (_waiters)
        {
            _count++;
            foreach (var w in _waiters.Where(w => w.Count <= _count).ToList())
            {
                w.Done.TrySetResult();
                _waiters.Remove(w);
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> items in all have been handed over.</summary>
    public Task Reached(int count)
    {
        lock (_waiters)
        {
            if (_count >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }
}

internal sealed class FakeNatSource(NatView view) : INatSource
{
    public volatile NatView View = view;
    public readonly HandOver Reads = new();
    public int Collections;

    public Task<NatView> CollectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Collections);
        Reads.Count();
        return Task.FromResult(View);
    }

    /// <summary>What <see cref="ReadCountersAsync"/> answers (null: it cannot, as on the legacy backend).</summary>
    public volatile NatView? CountersView;
    /// <summary>What <see cref="RulesMayHaveChangedAsync"/> answers (true, as on the legacy backend).</summary>
    public volatile bool RulesChanged = true;
    public int CounterReads, ChangeChecks;

    public Task<NatView?> ReadCountersAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref CounterReads);
        return Task.FromResult(CountersView);
    }

    public Task<bool> RulesMayHaveChangedAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref ChangeChecks);
        return Task.FromResult(RulesChanged);
    }
}

internal sealed class FakeNetlinkChanges : INetlinkChangeSource
{
    public readonly Channel<NetlinkChange> Changes = Channel.CreateUnbounded<NetlinkChange>();
    /// <summary>The next change read ends the watch with an error instead (a socket that failed); the watch can start again.</summary>
    public volatile bool FailNext;

    public async IAsyncEnumerable<NetlinkChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await Changes.Reader.WaitToReadAsync(cancellationToken))
            while (Changes.Reader.TryRead(out var c))
            {
                if (FailNext)
                {
                    FailNext = false;
                    throw new IOException("netlink socket failed");
                }
                yield return c;
            }
    }
}

/// <summary>A logger that lets a test await a warning instead of sleeping until it probably happened.</summary>
internal sealed class WarningSignal<T> : ILogger<T>
{
    private readonly Channel<string> _warnings = Channel.CreateUnbounded<string>();

    public ValueTask<string> NextAsync(CancellationToken cancellationToken) => _warnings.Reader.ReadAsync(cancellationToken);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning) _warnings.Writer.TryWrite(formatter(state, exception));
    }
}
