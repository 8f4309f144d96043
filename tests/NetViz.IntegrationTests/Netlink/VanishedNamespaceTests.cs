using NetViz.Core.Sources.Namespaces;
using System.Diagnostics;
using NetViz.Core.Sources.Netlink;

namespace NetViz.IntegrationTests.Netlink;

/// <summary>A namespace that disappears between discovery and read is skipped: no exception, no half result.</summary>
public sealed class VanishedNamespaceTests : IDisposable
{
    private const string Gone = "nvnl-gone";
    private const string Kept = "nvnl-kept";
    private const string Stale = "nvnl-stale";
    private readonly NetlinkHostNetworkSource _source = new();

    public VanishedNamespaceTests()
    {
        CleanUp();
        Ip.Cmd($"netns add {Gone}");
        Ip.Cmd($"netns add {Kept}");
    }

    public void Dispose()
    {
        _source.Dispose();
        CleanUp();
    }

    private static void CleanUp()
    {
        Ip.TryCmd($"netns del {Gone}");
        Ip.TryCmd($"netns del {Kept}");
        Ip.TryCmd($"netns del {Stale}");
        if (File.Exists($"/var/run/netns/{Stale}")) File.Delete($"/var/run/netns/{Stale}");
    }

    /// <summary>
    /// What a killed engine leaves in /var/run/docker/netns (and `umount` leaves in /var/run/netns): the file of a bind
    /// mount without the mount. It is not a namespace: not discovered, and no "vanished" warning on every read.
    /// </summary>
    [Fact]
    public async Task A_namespace_file_left_without_its_mount_is_not_a_namespace_and_warns_nothing()
    {
        Ip.Cmd($"netns add {Stale}");
        var mounted = Ip.Inode($"/var/run/netns/{Stale}");
        Assert.Contains(new NetworkNamespaceDiscovery().Discover().Namespaces, n => n.Name == Stale && n.Inode == mounted);
        using (var umount = Process.Start("umount", $"/var/run/netns/{Stale}")!) await umount.WaitForExitAsync();
        Assert.True(File.Exists($"/var/run/netns/{Stale}")); // the plain file stays, as after an engine restart

        var discovered = new NetworkNamespaceDiscovery().Discover();
        var read = await _source.CollectAsync(CancellationToken.None);

        Assert.DoesNotContain(discovered.Namespaces, n => n.Name == Stale || n.Paths.Contains($"/var/run/netns/{Stale}"));
        Assert.DoesNotContain(read.Warnings, w => w.Contains(Stale, StringComparison.Ordinal));
        Assert.Contains(read.Namespaces, n => n.Name == Kept); // a mounted one next to it is still read
    }

    [Fact]
    public async Task Namespaces_deleted_after_discovery_are_skipped_and_the_rest_is_read()
    {
        var discovered = new NetworkNamespaceDiscovery().Discover();
        var gone = discovered.Namespaces.Single(n => n.Name == Gone);
        var kept = discovered.Namespaces.Single(n => n.Name == Kept);
        // A process that has exited: its /proc/PID/ns/net no longer exists.
        using var exited = Process.Start("true")!;
        await exited.WaitForExitAsync();
        var deadPid = new DiscoveredNamespace(gone.Inode + 1_000_000, false, null, [$"/proc/{exited.Id}/ns/net"], [exited.Id]);

        Ip.Cmd($"netns del {Gone}");
        Assert.False(File.Exists($"/var/run/netns/{Gone}"));

        var result = await _source.ReadNamespacesAsync([gone, deadPid, kept], discovered.Namespaces, CancellationToken.None);

        var read = Assert.Single(result.Namespaces);
        Assert.Equal(Ip.Inode($"/var/run/netns/{Kept}"), read.Inode);
        Assert.Equal("lo", Assert.Single(read.Links).Name);
        Assert.Equal(2, result.Warnings.Count(w => w.Contains("vanished")));
    }

    [Fact]
    public async Task Refreshing_a_deleted_namespace_reads_nothing_and_says_it_no_longer_exists()
    {
        var inode = Ip.Inode($"/var/run/netns/{Gone}");
        var known = new NetworkNamespaceDiscovery().Discover().Namespaces.Select(n => n.Inode).ToHashSet();
        Assert.Contains(inode, known);
        Ip.Cmd($"netns del {Gone}");

        var refresh = await _source.RefreshNamespacesAsync([inode], known, CancellationToken.None);

        Assert.DoesNotContain(refresh.Read, n => n.Inode == inode);
        Assert.DoesNotContain(inode, refresh.Existing);
        Assert.Contains(Ip.Inode($"/var/run/netns/{Kept}"), refresh.Existing);
    }
}
