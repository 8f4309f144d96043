using System.Net;
using System.Net.Sockets;
using NetViz.Core.Collection;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Nat;

/// <summary>
/// Given a chain this test adds to the host's nat table (nvcnt-PID, jumped to from OUTPUT for TCP to one loopback port)
/// and a few connections over loopback through it, when NetViz reads the counters over NETLINK_NETFILTER (no process),
/// then they are what <c>iptables-save -c</c>, run by the test, prints for the same rules; and the periodic resync runs
/// iptables-save only when the host's nftables generation moved. The chain and the jump are removed in finally.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NftablesCounterIntegrationTests : IDisposable
{
    private readonly string _chain = $"nvcnt-{Environment.ProcessId}";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _dir = Directory.CreateTempSubdirectory("nvcnt-save-").FullName;
    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    /// <summary>The OUTPUT rule that sends the test's connections through its chain (after "-A" or "-D").</summary>
    private string[] Jump => ["OUTPUT", "-o", "lo", "-d", "127.0.0.1/32", "-p", "tcp", "--dport", Port.ToString(), "-j", _chain];

    public NftablesCounterIntegrationTests()
    {
        _listener.Start();
        RemoveChain();
        DockerCli.Must("iptables", "-t", "nat", "-N", _chain);
        DockerCli.Must("iptables", "-t", "nat", "-A", _chain, "-p", "tcp", "-j", "RETURN");
        DockerCli.Must("iptables", ["-t", "nat", "-A", .. Jump]);
    }

    public void Dispose()
    {
        RemoveChain();
        _listener.Stop();
        Directory.Delete(_dir, recursive: true);
    }

    private void RemoveChain()
    {
        while (DockerCli.Run("iptables", ["-t", "nat", "-D", .. Jump]).ExitCode == 0) { }
        DockerCli.Run("iptables", "-t", "nat", "-F", _chain);
        DockerCli.Run("iptables", "-t", "nat", "-X", _chain);
    }

    /// <summary>New TCP connections to the test's listener: the nat table sees the first packet of each.</summary>
    private void Connect(int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            _listener.AcceptTcpClient().Dispose();
        }
    }

    /// <summary>iptables-save and ip6tables-save wrappers that count their runs, so the test sees every process NetViz starts.</summary>
    private string CountingSave()
    {
        foreach (var name in new[] { "iptables-save", "ip6tables-save" })
        {
            var real = DockerCli.Must("sh", "-c", $"command -v {name}").Trim();
            var wrapper = Path.Combine(_dir, name);
            File.WriteAllText(wrapper, $"#!/bin/sh\necho \"$@\" >> {_dir}/runs\nexec {real} \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }
        return Path.Combine(_dir, "iptables-save");
    }

    private int Runs => File.Exists(Path.Combine(_dir, "runs")) ? File.ReadAllLines(Path.Combine(_dir, "runs")).Count(l => l.Trim() == "-c") : 0;

    private List<NatRule> OurRules(IEnumerable<NatRule> rules) =>
        [.. rules.Where(r => r.Chain == _chain || (r.Chain == "OUTPUT" && r.Target == _chain))];

    /// <summary>
    /// How often a check is tried again when something else wrote rules while it ran. The generation is the whole
    /// namespace's: the other test classes, running in parallel, start containers and create networks, and the engine
    /// writes rules for them. NetViz then rightly reads the rules again; the check wants a window nobody wrote in.
    /// </summary>
    private const int Attempts = 20;

    [Fact]
    public async Task Counters_read_over_netlink_are_those_iptables_save_c_prints_and_take_no_process()
    {
        var source = new IptablesNatSource(CountingSave(), printsHostNftables: true);
        Assert.True(await source.UsesNftablesAsync(CancellationToken.None), "this machine's iptables is iptables-nft (RECIPES)");
        var sent = 0L;
        for (var attempt = 1; ; attempt++)
        {
            var runs = Runs;
            var before = NftablesGeneration.ReadCurrent();
            var read = await source.CollectAsync(CancellationToken.None);
            Assert.True(read.Ok, read.Error);
            Assert.Equal(runs + 2, Runs); // iptables-save -c and ip6tables-save -c
            Assert.Equal([sent, sent], OurRules(read.Rules).Select(r => r.Packets));

            Connect(5);
            sent += 5;
            var counted = await source.ReadCountersAsync(CancellationToken.None);
            Assert.Equal(runs + 2, Runs); // no process for the counters, whether or not the dump could be used
            if (counted is null && NftablesGeneration.ReadCurrent() != before)
            {
                Assert.True(attempt < Attempts, $"others wrote rules during each of {Attempts} attempts");
                continue; // another test wrote rules in between: the dump was rightly not used
            }

            Assert.True(counted is not null, source.LastCounterMismatch);
            var truth = OurRules(IptablesSaveParser.Parse(DockerCli.Must("iptables-save", "-c", "-t", "nat")).RulesOf("nat"));
            Assert.Equal(2, truth.Count);
            Assert.Equal([sent, sent], truth.Select(r => r.Packets)); // what the test sent, as the kernel counted it
            Assert.Equal(truth.Select(r => (r.Rule, r.Packets, r.Bytes)), OurRules(counted.Rules).Select(r => (r.Rule, r.Packets, r.Bytes)));
            Assert.Equal(read.Rules.Select(r => r.Rule), counted.Rules.Select(r => r.Rule)); // the same rules, counters put on
            return;
        }
    }

    [Fact]
    public async Task The_light_resync_runs_iptables_save_only_when_the_nftables_generation_moved()
    {
        var source = new IptablesNatSource(CountingSave(), printsHostNftables: true);
        var collector = new TopologyCollector(new NetlinkHostNetworkSource(), new NoDocker(), source, TimeProvider.System);
        var resync = RefreshPlan.ForResync([], readDocker: false);
        var sent = 0L;
        NetViz.Core.Correlation.SourceReadings quiet;
        for (var attempt = 1; ; attempt++)
        {
            var before = NftablesGeneration.ReadCurrent();
            var previous = await collector.ReadAllAsync(CancellationToken.None);
            Assert.True(previous.Nat.Ok, previous.Nat.Error);
            var runs = Runs;

            Connect(3);
            sent += 3;
            quiet = await collector.RefreshAsync(resync, previous, CancellationToken.None);
            Assert.Equal([sent, sent], OurRules(quiet.Nat.Rules).Select(r => r.Packets));
            if (NftablesGeneration.ReadCurrent() != before)
            {
                Assert.True(attempt < Attempts, $"others wrote rules during each of {Attempts} attempts");
                continue; // another test wrote rules in between: reading them again (or not, if before the reading) is right
            }
            Assert.Equal(runs, Runs); // the generation did not move: no process, the counters read in process
            break;
        }

        // A rule written in between moves the generation: the resync reads the rules again, and finds it.
        var beforeAdd = Runs;
        DockerCli.Must("iptables", "-t", "nat", "-A", _chain, "-p", "udp", "-j", "RETURN");
        var moved = await collector.RefreshAsync(resync, quiet, CancellationToken.None);
        Assert.Equal(beforeAdd + 2, Runs);
        Assert.Contains(moved.Nat.Rules, r => r.Chain == _chain && r.Protocol == "udp");

        // And a counter refresh after a change it was not told about reads the rules too (the generation moved).
        DockerCli.Must("iptables", "-t", "nat", "-D", _chain, "-p", "udp", "-j", "RETURN");
        var counted = await collector.RefreshAsync(RefreshPlan.ForNatCounters(ChangeCause.Of("packet-counters")), moved, CancellationToken.None);
        Assert.Equal(beforeAdd + 4, Runs);
        Assert.DoesNotContain(counted.Nat.Rules, r => r.Chain == _chain && r.Protocol == "udp");
    }

    private sealed class NoDocker : IDockerSource
    {
        public string Endpoint => "none";
        public Task<DockerView> CollectAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new DockerView { Ok = false, Endpoint = Endpoint, Error = "not read by this test" });
        public Task<IReadOnlyList<ContainerInfo>> InspectContainersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ContainerInfo>>([]);
        public async IAsyncEnumerable<DockerEvent> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }
}
