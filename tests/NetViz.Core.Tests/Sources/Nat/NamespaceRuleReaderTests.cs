using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Sources.Nat;

/// <summary>When a namespace's rules are read: new, changed, young, old; never for a steady namespace on every poll.</summary>
public class NamespaceRuleReaderTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-29T08:00:00Z"));
    private readonly List<string> _reads = [];

    private NamespaceRuleReader Reader() => new((path, _) =>
    {
        _reads.Add(path);
        return Task.FromResult(new NamespaceRuleRead(
        [
            new NatRule { Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", Rule = $"-A DOCKER_OUTPUT -d 127.0.0.11/32 -j DNAT ({path})" },
        ], path.EndsWith("broken", StringComparison.Ordinal) ? "exited with code 1" : null));
    }, _time);

    private static NetworkNamespaceView Ns(ulong inode, string path, bool isHost = false) => new()
    {
        Inode = inode, IsHost = isHost, Paths = [path], Addresses = [], Routes = [],
        Links = [new LinkInfo { Index = 1, Name = "lo", Type = "loopback" }, new LinkInfo { Index = 5, Name = "eth0", Type = "veth" }],
    };

    private static HostNetworkView View(params NetworkNamespaceView[] namespaces) => new()
    {
        Ok = true, Error = null, HostInode = 1, Namespaces = [Ns(1, "/proc/self/ns/net", isHost: true), .. namespaces],
    };

    [Fact]
    public async Task New_namespaces_are_read_once_settled_ones_only_when_changed_or_old()
    {
        var reader = Reader();
        var view = View(Ns(10, "/var/run/docker/netns/a"), Ns(11, "/var/run/docker/netns/b"), Ns(12, "/var/run/netns/mine"));

        var first = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/a", "/var/run/docker/netns/b", "/var/run/netns/mine"], _reads); // the host's are not read here
        Assert.Equal([10UL, 11UL, 12UL], first.Rules.Select(r => r.NetnsInode!.Value));

        // Young: Docker writes its rules just after its namespaces appear, so those are read again for a while; an
        // ip netns namespace is not.
        _time.Advance(TimeSpan.FromSeconds(5));
        _reads.Clear();
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/a", "/var/run/docker/netns/b"], _reads);

        // Settled: no process per poll.
        _time.Advance(NamespaceRuleReader.YoungFor);
        _reads.Clear();
        var steady = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Empty(_reads);
        Assert.Equal<NatRule>([.. first.Rules], [.. steady.Rules]);

        // Netlink said b changed: only b.
        await reader.ReadAsync(view, new HashSet<ulong> { 11 }, CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/b"], _reads);

        // Old readings are refreshed.
        _reads.Clear();
        _time.Advance(NamespaceRuleReader.RefreshEvery);
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/a", "/var/run/docker/netns/b", "/var/run/netns/mine"], _reads.Order());
    }

    [Fact]
    public async Task A_namespace_with_only_loopback_is_not_entered()
    {
        var reader = Reader();
        var loOnly = Ns(13, "/var/run/netns/empty") with { Links = [new LinkInfo { Index = 1, Name = "lo", Type = "loopback" }] };

        var read = await reader.ReadAsync(View(loOnly, Ns(10, "/a")), new HashSet<ulong>(), CancellationToken.None);

        Assert.Equal(["/a"], _reads);
        Assert.Equal([10UL], read.Rules.Select(r => r.NetnsInode!.Value));
    }

    [Fact]
    public async Task A_vanished_namespace_drops_its_rules_and_a_failure_is_a_warning()
    {
        var reader = Reader();
        await reader.ReadAsync(View(Ns(10, "/a"), Ns(12, "/broken")), new HashSet<ulong>(), CancellationToken.None);

        var after = await reader.ReadAsync(View(Ns(12, "/broken")), new HashSet<ulong>(), CancellationToken.None);

        Assert.Equal([12UL], after.Rules.Select(r => r.NetnsInode!.Value));
        Assert.Equal<string>(["rules of netns 12: exited with code 1"], after.Warnings);
    }

    [Fact]
    public async Task At_most_a_bounded_number_of_namespaces_is_read_per_call_and_the_rest_next_time()
    {
        var reader = Reader();
        var many = Enumerable.Range(100, NamespaceRuleReader.MaxReadsPerCall + 4).Select(i => Ns((ulong)i, $"/ns/{i}")).ToArray();

        var first = await reader.ReadAsync(View(many), new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(NamespaceRuleReader.MaxReadsPerCall, _reads.Count);
        Assert.Equal(NamespaceRuleReader.MaxReadsPerCall, first.Rules.Length);

        _time.Advance(NamespaceRuleReader.YoungFor); // the first ones are settled; the four never read come first
        _reads.Clear();
        var second = await reader.ReadAsync(View(many), new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(Enumerable.Range(100 + NamespaceRuleReader.MaxReadsPerCall, 4).Select(i => $"/ns/{i}"), _reads);
        Assert.Equal(many.Length, second.Rules.Length);
    }
}
