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
        // A plain file where a bind mount was (what a killed engine leaves in /var/run/docker/netns): not a namespace.
        File.WriteAllText(Path.Combine(netns, "stale"), "");
        var staleInode = Nsfs.StatInode(Path.Combine(netns, "stale"))!.Value;

        var result = new NetworkNamespaceDiscovery(Path.Combine(_root, "proc"), netns, Path.Combine(_root, "missing")).Discover();

        Assert.Equal(100ul, result.HostInode);
        Assert.Equal(new[] { 100ul, 200ul, 555ul }, result.Namespaces.Select(n => n.Inode).Order());
        Assert.DoesNotContain(result.Namespaces, n => n.Inode == staleInode);
        Assert.Empty(result.Warnings);
        var host = result.Namespaces[0];
        Assert.True(host.IsHost);
        Assert.Equal(100ul, host.Inode);
        Assert.Equal(Enumerable.Range(2, NetworkNamespaceDiscovery.MaxPids), host.Pids);
        Assert.Equal(Path.Combine(_root, "proc", "self", "ns", "net"), host.Paths[0]);
        var other = result.Namespaces.Single(n => n.Inode == 200);
        Assert.False(other.IsHost);
        Assert.Equal([42, 900], other.Pids.ToArray());
        Assert.Equal([$"{_root}/proc/42/ns/net", $"{_root}/proc/900/ns/net"], other.Paths.ToArray());
        Assert.False(result.Namespaces.Single(n => n.Inode == 555).IsHost);
    }
    [Fact]
    public void The_holder_is_the_lowest_pid_with_its_bounded_command_line_or_its_comm()
    {
        Process("self", 100);
        Process("900", 200);
        Process("42", 200);
        File.WriteAllBytes(Path.Combine(_root, "proc", "42", "cmdline"), "sleep\03600\0"u8.ToArray());
        File.WriteAllBytes(Path.Combine(_root, "proc", "900", "cmdline"), "other\0"u8.ToArray());
        Process("77", 300); // a kernel thread: empty cmdline, its comm in brackets
        File.WriteAllBytes(Path.Combine(_root, "proc", "77", "cmdline"), []);
        File.WriteAllText(Path.Combine(_root, "proc", "77", "comm"), "kworker/0:1\n");
        Process("55", 400); // a long command line, with a control character from whoever started it
        File.WriteAllText(Path.Combine(_root, "proc", "55", "cmdline"), "x\u001b" + new string('a', 600));
        Process("66", 500); // exited between the two reads: no cmdline file

        var result = new NetworkNamespaceDiscovery(Path.Combine(_root, "proc"), Path.Combine(_root, "none"), Path.Combine(_root, "missing")).Discover();

        Assert.Equal(new NetViz.Core.Model.NetnsHolder(42, "sleep 3600"), result.Namespaces.Single(n => n.Inode == 200).Holder);
        Assert.Equal(new NetViz.Core.Model.NetnsHolder(77, "[kworker/0:1]"), result.Namespaces.Single(n => n.Inode == 300).Holder);
        var longOne = result.Namespaces.Single(n => n.Inode == 400).Holder!;
        Assert.Equal("x?" + new string('a', NetViz.Core.Model.NetnsHolder.MaxCommandBytes - 2) + "…", longOne.Command);
        Assert.Null(result.Namespaces.Single(n => n.Inode == 500).Holder);
    }
}
