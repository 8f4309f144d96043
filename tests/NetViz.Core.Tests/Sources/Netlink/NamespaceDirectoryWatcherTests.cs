using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

public sealed class NamespaceDirectoryWatcherTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nvwatch").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Reports_namespace_files_and_ends_when_a_missing_folder_appears_so_it_can_be_watched()
    {
        var netns = Path.Combine(_root, "netns");          // like /var/run/netns before the first `ip netns add`
        var dockerNetns = Path.Combine(_root, "docker");   // like /var/run/docker/netns
        Directory.CreateDirectory(dockerNetns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var path in new NamespaceDirectoryWatcher(netns, dockerNetns).WatchAsync(cts.Token)) seen.Add(path);
        });
        await Task.Delay(200);
        await File.WriteAllTextAsync(Path.Combine(dockerNetns, "0123abcd"), "");
        while (!seen.Contains(Path.Combine(dockerNetns, "0123abcd"))) await Task.Delay(20, cts.Token);

        Directory.CreateDirectory(netns);
        await watching.WaitAsync(cts.Token); // the enumeration ends: the caller starts over and watches the new folder
        Assert.Contains(netns, seen);
    }
}
