using NetViz.Core.Sources.Namespaces;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Namespaces;

/// <summary>Discovery over a fake /proc: ns/net magic links are symlinks whose target text is "net:[INODE]".</summary>
public sealed class NetworkNamespaceDiscoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nvnl-discovery").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Process(string pid, ulong inode)
    {
        Directory.CreateDirectory(Path.Combine(_root, "proc", pid, "ns"));
        File.CreateSymbolicLink(Path.Combine(_root, "proc", pid, "ns", "net"), $"net:[{inode}]");
    }

    [Fact]
    public void Namespaces_are_deduplicated_by_inode_with_sorted_capped_pids_and_the_host_first()
    {
        Process("self", 100);
        Process("1", 555); // a sandbox init in its own namespace: not the host
        foreach (var pid in Enumerable.Range(2, 20)) Process(pid.ToString(), 100);
        Process("900", 200);
        Process("42", 200);
        Directory.CreateDirectory(Path.Combine(_root, "proc", "sys")); // not a pid
        var netns = Directory.CreateDirectory(Path.Combine(_root, "netns")).FullName;
        File.WriteAllText(Path.Combine(netns, "blue"), "");
        var blueInode = Nsfs.StatInode(Path.Combine(netns, "blue"))!.Value;

        var result = new NetworkNamespaceDiscovery(Path.Combine(_root, "proc"), netns, Path.Combine(_root, "missing")).Discover();

        Assert.Equal(100ul, result.HostInode);
        Assert.Equal(new[] { 100ul, 200ul, 555ul, blueInode }.Order(), result.Namespaces.Select(n => n.Inode).Order());
        var host = result.Namespaces[0];
        Assert.True(host.IsHost);
        Assert.Equal(100ul, host.Inode);
        Assert.Equal(Enumerable.Range(2, NetworkNamespaceDiscovery.MaxPids), host.Pids);
        Assert.Equal(Path.Combine(_root, "proc", "self", "ns", "net"), host.Paths[0]);
        var other = result.Namespaces.Single(n => n.Inode == 200);
        Assert.False(other.IsHost);
        Assert.Equal([42, 900], other.Pids.ToArray());
        Assert.Equal([$"{_root}/proc/42/ns/net", $"{_root}/proc/900/ns/net"], other.Paths.ToArray());
        var blue = result.Namespaces.Single(n => n.Inode == blueInode);
        Assert.Equal("blue", blue.Name);
        Assert.Empty(blue.Pids);
        Assert.False(result.Namespaces.Single(n => n.Inode == 555).IsHost);
    }
}
