using NetViz.Core.Collection;
using NetViz.Core.Model;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Docker;
using NetViz.IntegrationTests.Netlink;
using NetViz.Web.Commands;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Commands;
using static NetViz.IntegrationTests.Docker.DockerCli;

namespace NetViz.IntegrationTests.Commands;

/// <summary>
/// Given a namespace, a veth pair, a bridge and a Docker network whose names a tenant chose to attack whoever pastes
/// NetViz's commands (the kernel allows <c>;</c>, <c>$()</c>, backticks, quotes and <c>&lt;&gt;</c> in link names,
/// up to 15 bytes; ip netns and Docker allow spaces and newlines too), when NetViz collects them with its real
/// sources, then every command it offers for copying, pasted into bash with stand-in tools, runs only that tool
/// with each name as one argument and creates nothing; and a name with a newline gets no copy button.
/// Everything is named nvhn* here; cleanup removes exactly those names.
/// </summary>
public sealed class HostileNamesTests : IAsyncLifetime
{
    private const string Marker = "PW";
    private const string Netns = "nvhn;touch PW1;#$(touch PW2) 'x\"";
    private const string NewlineNetns = "nvhn\nid>PW9";
    private const string HostVeth = "x$(>PW3)";        // 8 bytes, in the host namespace, a port of the bridge
    private const string NsVeth = "`>PW4`";            // its peer, inside Netns
    private const string Bridge = "b;id>PW5;#";
    private const string DockerNetwork = "nvhn;touch PW6 '\"<PW7>";
    private const string DockerBridge = "o&>PW8|";     // com.docker.network.bridge.name
    private static readonly string[] Names = [Netns, HostVeth, NsVeth, Bridge, DockerNetwork, DockerBridge];

    private readonly PastedCommandRunner _shell = new();
    private TopologySnapshot _snapshot = TopologySnapshot.Empty;

    public async Task InitializeAsync()
    {
        RequireEngine();
        Cleanup();
        Ip.Run("ip", "netns", "add", Netns);
        Ip.Run("ip", "netns", "add", NewlineNetns);
        Ip.Run("ip", "link", "add", HostVeth, "type", "veth", "peer", "name", NsVeth);
        Ip.Run("ip", "link", "set", NsVeth, "netns", Netns);
        Ip.Run("ip", "link", "add", Bridge, "type", "bridge");
        Ip.Run("ip", "link", "set", HostVeth, "master", Bridge);
        DockerCli.Docker("network", "create", "--label", "netviz.test=nvhn", "-o", "com.docker.network.bridge.name=" + DockerBridge,
            "--subnet", "10.133.0.0/24", DockerNetwork);

        using var host = new NetlinkHostNetworkSource();
        using var docker = new DockerEngineSource();
        _snapshot = await new TopologyCollector(host, docker, new IptablesNatSource(), TimeProvider.System).CollectAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Cleanup();
        _shell.Dispose();
        return Task.CompletedTask;
    }

    private static void Cleanup()
    {
        Run("docker", "network", "rm", DockerNetwork);
        Run("ip", "link", "del", HostVeth);
        Run("ip", "link", "del", Bridge);
        Run("ip", "netns", "del", Netns);
        Run("ip", "netns", "del", NewlineNetns);
    }

    private TopologyNode Named(string kind, string name) =>
        Assert.Single(_snapshot.Nodes, n => n.Kind == kind && n switch
        {
            NetnsNode x => x.Name == name,
            InterfaceNode x => x.Name == name,
            NetworkNode x => x.Name == name,
            ContainerNode x => x.Name == name,
            _ => false,
        });

    [Fact]
    public void Every_offered_command_about_the_hostile_objects_runs_only_its_tool_with_each_name_as_one_argument()
    {
        var elements = new[]
        {
            Named(NodeKinds.Netns, Netns), Named(NodeKinds.Interface, HostVeth), Named(NodeKinds.Interface, NsVeth),
            Named(NodeKinds.Interface, Bridge), Named(NodeKinds.Network, DockerNetwork), Named(NodeKinds.Interface, DockerBridge),
        }.Select(n => n.Id).ToHashSet();
        // The edges that touch them (veth, bridge-port, network-bridge) offer their commands too.
        elements.UnionWith(_snapshot.Edges.Where(e => elements.Contains(e.Source) || elements.Contains(e.Target)).Select(e => e.Id));

        var arrivedWhole = new HashSet<string>(StringComparer.Ordinal);
        var pasted = 0;
        foreach (var id in elements)
        {
            var hints = CommandHints.For(_snapshot, id);
            Assert.NotEmpty(hints);
            foreach (var hint in hints)
            {
                Assert.Null(hint.NotPasteableReason);
                var outcome = _shell.AssertHarmless(hint.Command, Names, Marker);
                pasted++;
                foreach (var arg in outcome.Calls.SelectMany(argv => argv))
                    if (Names.Contains(arg)) arrivedWhole.Add(arg);
            }
        }
        Assert.True(pasted >= 20, $"only {pasted} commands");
        Assert.Equal(Names.Order(StringComparer.Ordinal), arrivedWhole.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_veth_inside_the_hostile_namespace_is_shown_through_ip_netns_exec_with_both_names_intact()
    {
        var hint = Assert.Single(CommandHints.For(_snapshot, Named(NodeKinds.Interface, NsVeth).Id),
            h => h.Command.Contains(" -d link show ", StringComparison.Ordinal));
        var call = Assert.Single(_shell.AssertHarmless(hint.Command, Names, Marker).Calls);
        Assert.Equal(["ip", "netns", "exec", Netns, "ip", "-d", "link", "show", NsVeth], call);
    }

    [Fact]
    public void A_namespace_named_with_a_newline_gets_no_copy_button()
    {
        var hints = CommandHints.For(_snapshot, Named(NodeKinds.Netns, NewlineNetns).Id);
        Assert.NotEmpty(hints);
        Assert.All(hints, h => Assert.Contains("control character (\\n)", h.NotPasteableReason));
    }
}
