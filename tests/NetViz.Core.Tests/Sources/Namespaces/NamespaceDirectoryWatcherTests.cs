using NetViz.Core.Sources.Namespaces;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Namespaces;

public sealed class NamespaceDirectoryWatcherTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _root = Directory.CreateTempSubdirectory("nvwatch").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Reports_namespace_files_and_ends_when_a_missing_folder_appears_so_it_can_be_watched()
    {
        var netns = Path.Combine(_root, "netns");          // like /var/run/netns before the first `ip netns add`
        var dockerNetns = Path.Combine(_root, "docker");   // like /var/run/docker/netns
        Directory.CreateDirectory(dockerNetns);
        using var cts = new CancellationTokenSource(Patience);
        await using var watch = new NamespaceDirectoryWatcher(netns, dockerNetns).WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        // The first MoveNextAsync runs the watch up to its first wait: the inotify watches exist when it returns.
        var next = watch.MoveNextAsync();
        Assert.False(next.IsCompleted);
        var file = Path.Combine(dockerNetns, "0123abcd");
        await File.WriteAllTextAsync(file, "");
        Assert.True(await next);
        Assert.Equal(file, watch.Current);

        Directory.CreateDirectory(netns);
        var seen = new List<string>();
        while (await watch.MoveNextAsync()) seen.Add(watch.Current);
        // The enumeration ended after reporting the new folder: the caller starts over and watches it.
        Assert.Equal([netns], seen);
    }
}
