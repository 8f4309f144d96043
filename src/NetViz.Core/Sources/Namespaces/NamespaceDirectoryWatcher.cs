using System.Runtime.CompilerServices;
using System.Threading.Channels;

using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Namespaces;

/// <summary>
/// `ip netns add` creates a namespace without a single netlink message in the host namespace; it only
/// bind-mounts a file under /var/run/netns (dockerd does the same under /var/run/docker/netns). Watching those
/// folders with inotify makes such a namespace appear at once instead of at the next resync.
/// </summary>
public sealed class NamespaceDirectoryWatcher(params string[] directories) : INamespaceChangeSource
{
    public NamespaceDirectoryWatcher() : this(NetworkNamespaceDiscovery.DefaultIpNetnsDirectory, NetworkNamespaceDiscovery.DefaultDockerNetnsDirectory)
    {
    }

    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        var watchers = new List<FileSystemWatcher>();
        var folderAppeared = false;
        try
        {
            foreach (var dir in directories)
            {
                if (Directory.Exists(dir))
                {
                    var w = new FileSystemWatcher(dir) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName };
                    w.Created += (_, e) => changes.Writer.TryWrite(e.FullPath);
                    w.Deleted += (_, e) => changes.Writer.TryWrite(e.FullPath);
                    w.Renamed += (_, e) => changes.Writer.TryWrite(e.FullPath);
                    w.EnableRaisingEvents = true;
                    watchers.Add(w);
                }
                else if (Path.GetDirectoryName(dir) is { } parent && Directory.Exists(parent))
                {
                    // /var/run/netns appears with the first `ip netns add`: wait for it, then start over watching it.
                    var w = new FileSystemWatcher(parent, Path.GetFileName(dir)) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.DirectoryName };
                    w.Created += (_, e) => { folderAppeared = true; changes.Writer.TryWrite(e.FullPath); };
                    w.EnableRaisingEvents = true;
                    watchers.Add(w);
                }
            }
            if (watchers.Count == 0) yield break;
            while (!folderAppeared && await changes.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                while (changes.Reader.TryRead(out var path)) yield return path;
        }
        finally
        {
            foreach (var w in watchers) w.Dispose();
        }
    }
}
