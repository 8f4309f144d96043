using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Live;

// Test doubles for the monitor's unit tests only: the real sources are exercised in NetViz.IntegrationTests.

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
    public volatile Exception? StreamFailure;
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
            }
        }
    }

    public void Emit(string type, string action, string id) =>
        Events.Writer.TryWrite(new DockerEvent(type, action, id, ImmutableDictionary<string, string>.Empty));
}

internal sealed class FakeNatSource(NatView view) : INatSource
{
    public volatile NatView View = view;
    public Task<NatView> CollectAsync(CancellationToken cancellationToken) => Task.FromResult(View);
}

internal sealed class FakeNetlinkChanges : INetlinkChangeSource
{
    public readonly Channel<NetlinkChange> Changes = Channel.CreateUnbounded<NetlinkChange>();

    public async IAsyncEnumerable<NetlinkChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await Changes.Reader.WaitToReadAsync(cancellationToken))
            while (Changes.Reader.TryRead(out var c)) yield return c;
    }
}
