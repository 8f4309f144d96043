using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;
using NetViz.IntegrationTests.Netlink;

namespace NetViz.IntegrationTests.Nat;

/// <summary>
/// Given a namespace this test makes (nvidle-PID-gen, with a veth so the rule reader enters it), when a rule is written
/// inside it with the real iptables, then its nftables generation moves, and the rule reader reads its rules again
/// after two minutes only then: an unchanged rule set costs no process. Deleting the namespace takes the rule and the
/// veth with it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NamespaceRuleGenerationTests : IDisposable
{
    private readonly string _ns = $"nvidle-{Environment.ProcessId}-gen";
    private string Path => $"/var/run/netns/{_ns}";

    public NamespaceRuleGenerationTests()
    {
        Ip.TryCmd($"netns del {_ns}");
        Ip.Cmd($"netns add {_ns}");
        Ip.Cmd($"-n {_ns} link add nvidle-a type veth peer name nvidle-b");
        Ip.Cmd($"-n {_ns} link set nvidle-a up");
    }

    public void Dispose() => Ip.TryCmd($"netns del {_ns}");

    /// <summary>Rule reads by the real iptables-save entered into the namespace (each a process), counted.</summary>
    private int _processes;

    private Func<string, CancellationToken, Task<NamespaceRuleRead>> CountingRead(IptablesNatSource rules) => async (path, ct) =>
    {
        Interlocked.Increment(ref _processes);
        return await rules.ReadNamespaceAsync(path, ct);
    };

    /// <summary>What the collector reads of the host: the test's namespace, its loopback and its veth end.</summary>
    private HostNetworkView View() => new()
    {
        Ok = true, Error = null, HostInode = 1,
        Namespaces = [new NetworkNamespaceView
        {
            Inode = Ip.Inode(Path), IsHost = false, Paths = [Path], Addresses = [], Routes = [],
            Links = [new LinkInfo { Index = 1, Name = "lo", Type = "loopback" }, new LinkInfo { Index = 2, Name = "nvidle-a", Type = "veth", Up = true }],
        }],
    };

    private void AddRule(string port) =>
        Ip.Run("ip", "netns", "exec", _ns, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", port, "-j", "RETURN");

    [Fact]
    public async Task A_rule_written_inside_moves_the_generation_and_only_then_is_the_rule_set_read_again()
    {
        var rules = new IptablesNatSource();
        Assert.True(await rules.UsesNftablesAsync(CancellationToken.None), "this machine's iptables is iptables-nft (RECIPES)");
        using var generations = new NftablesGeneration();

        var first = await generations.ReadAsync(Path, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Equal(first, await generations.ReadAsync(Path, CancellationToken.None));
        AddRule("18081");
        var second = await generations.ReadAsync(Path, CancellationToken.None);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Null(await generations.ReadAsync("/var/run/netns/nvidle-no-such-namespace", CancellationToken.None));

        // The reader, with the real iptables-save entered into the namespace and the real generation.
        var time = new ManualClock();
        var reader = new NamespaceRuleReader(CountingRead(rules), time, generations.ReadAsync);
        var view = View();
        var none = new HashSet<ulong>();
        var read = await reader.ReadAsync(view, none, CancellationToken.None);
        Assert.Equal(1, _processes);
        Assert.Contains(read.Rules, r => r.Rule.Contains("--dport 18081", StringComparison.Ordinal));

        time.Now += NamespaceRuleReader.RefreshEvery;
        await reader.ReadAsync(view, none, CancellationToken.None);
        Assert.Equal(1, _processes); // nothing written since: checked without a process

        AddRule("18082");
        time.Now += NamespaceRuleReader.RefreshEvery;
        read = await reader.ReadAsync(view, none, CancellationToken.None);
        Assert.Equal(2, _processes);
        // The truth, read independently inside the namespace.
        Assert.Contains("--dport 18082", Ip.Run("ip", "netns", "exec", _ns, "iptables-save", "-t", "nat"));
        Assert.Contains(read.Rules, r => r.Rule.Contains("--dport 18082", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_namespace_without_nftables_tables_costs_no_process_until_a_first_rule_is_written()
    {
        var rules = new IptablesNatSource();
        using var generations = new NftablesGeneration();
        // The truth, read independently inside the namespace: iptables-nft prints no table at all.
        Assert.Equal("", Ip.Run("ip", "netns", "exec", _ns, "iptables-save").Trim());
        Assert.Equal("", Ip.Run("ip", "netns", "exec", _ns, "ip6tables-save").Trim());
        Assert.False(await generations.HasTablesAsync(Path, CancellationToken.None));
        Assert.Null(await generations.HasTablesAsync("/var/run/netns/nvidle-no-such-namespace", CancellationToken.None));

        var time = new ManualClock();
        var reader = new NamespaceRuleReader(CountingRead(rules), time, generations.ReadAsync, generations.HasTablesAsync);
        var view = View();
        var none = new HashSet<ulong>();
        var read = await reader.ReadAsync(view, none, CancellationToken.None);
        Assert.Equal(0, _processes);
        Assert.Empty(read.Rules);
        Assert.Empty(read.Warnings);

        // A first rule: iptables-nft creates its tables, the generation moves, and the next look reads it with a process.
        AddRule("18083");
        Assert.True(await generations.HasTablesAsync(Path, CancellationToken.None));
        Assert.Contains("*nat", Ip.Run("ip", "netns", "exec", _ns, "iptables-save"));
        time.Now += NamespaceRuleReader.RefreshEvery;
        read = await reader.ReadAsync(view, none, CancellationToken.None);
        Assert.Equal(1, _processes);
        Assert.Contains("--dport 18083", Ip.Run("ip", "netns", "exec", _ns, "iptables-save", "-t", "nat"));
        Assert.Contains(read.Rules, r => r.Rule.Contains("--dport 18083", StringComparison.Ordinal));
    }

    /// <summary>The reader's clock, moved by the test (only wall time is read).</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
