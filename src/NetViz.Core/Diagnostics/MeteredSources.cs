using System.Runtime.CompilerServices;
using NetViz.Core.Sources;

namespace NetViz.Core.Diagnostics;

// Decorators over the source ports: every read is timed and every failure counted, without the monitor or the
// collector knowing. They pass results through untouched.

/// <summary>Times a source call and records it; a caller's own cancellation is not a failure and is not recorded.</summary>
internal static class SourceCall
{
    public static async Task<T> MeasureAsync<T>(NetVizMetrics metrics, TimeProvider time, string source, string operation,
        Func<Task<T>> call, Func<T, string?> errorOf, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        T result;
        try
        {
            result = await call().ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            metrics.OnCollection(source, operation, time.GetElapsedTime(started), SourceErrorKinds.OfException(e));
            throw;
        }
        metrics.OnCollection(source, operation, time.GetElapsedTime(started), errorOf(result));
        return result;
    }

    public static void DisposeInner(object inner)
    {
        if (inner is IDisposable disposable) disposable.Dispose();
    }
}

public sealed class MeteredDockerSource(IDockerSource inner, NetVizMetrics metrics, TimeProvider time) : IDockerSource, IDisposable
{
    public string Endpoint => inner.Endpoint;

    public Task<DockerView> CollectAsync(CancellationToken cancellationToken) =>
        SourceCall.MeasureAsync(metrics, time, SourceNames.Docker, "collect", () => inner.CollectAsync(cancellationToken),
            view => view.Ok ? null : SourceErrorKinds.OfDockerError(view.Error), cancellationToken);

    public Task<IReadOnlyList<ContainerInfo>> InspectContainersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        SourceCall.MeasureAsync(metrics, time, SourceNames.Docker, "inspect", () => inner.InspectContainersAsync(ids, cancellationToken),
            _ => null, cancellationToken);

    public async IAsyncEnumerable<DockerEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var events = inner.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await events.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                metrics.OnSourceError(SourceNames.Docker, SourceErrorKinds.StreamLost);
                throw;
            }
            yield return events.Current;
        }
    }

    public void Dispose() => SourceCall.DisposeInner(inner);
}

public sealed class MeteredHostNetworkSource(IHostNetworkSource inner, NetVizMetrics metrics, TimeProvider time) : IHostNetworkSource, IDisposable
{
    public Task<HostNetworkView> CollectAsync(CancellationToken cancellationToken) =>
        SourceCall.MeasureAsync(metrics, time, SourceNames.Netlink, "collect", () => inner.CollectAsync(cancellationToken),
            view => view.Ok ? null : SourceErrorKinds.Unreadable, cancellationToken);

    public Task<NamespaceRefresh> RefreshNamespacesAsync(IReadOnlyCollection<ulong> stale, IReadOnlySet<ulong> known, CancellationToken cancellationToken) =>
        SourceCall.MeasureAsync(metrics, time, SourceNames.Netlink, "refresh", () => inner.RefreshNamespacesAsync(stale, known, cancellationToken),
            _ => null, cancellationToken);

    public void Dispose() => SourceCall.DisposeInner(inner);
}

public sealed class MeteredNatSource(INatSource inner, NetVizMetrics metrics, TimeProvider time) : INatSource, IDisposable
{
    public async Task<NatView> CollectAsync(CancellationToken cancellationToken)
    {
        var view = await SourceCall.MeasureAsync(metrics, time, SourceNames.Nat, "collect", () => inner.CollectAsync(cancellationToken),
            v => v.Ok ? null : SourceErrorKinds.OfNatError(v.Error), cancellationToken).ConfigureAwait(false);
        if (view.Ok) metrics.OnNatRead(view.Rules.Length, view.FilterRules.Length);
        return view;
    }

    public async Task<NatView?> ReadCountersAsync(CancellationToken cancellationToken)
    {
        var view = await SourceCall.MeasureAsync(metrics, time, SourceNames.Nat, "counters", () => inner.ReadCountersAsync(cancellationToken),
            _ => null, cancellationToken).ConfigureAwait(false);
        if (view is { Ok: true }) metrics.OnNatRead(view.Rules.Length, view.FilterRules.Length);
        return view;
    }

    public Task<bool> RulesMayHaveChangedAsync(CancellationToken cancellationToken) => inner.RulesMayHaveChangedAsync(cancellationToken);

    public void Dispose() => SourceCall.DisposeInner(inner);
}
