using System.Text.RegularExpressions;
using NetViz.Core.Collection;
using NetViz.Core.Model;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Docker;
using NetViz.IntegrationTests.Netlink;
using NetViz.Web.Commands;

namespace NetViz.IntegrationTests.Breadth;

/// <summary>
/// Given a container on a user-defined network (nvbrd-dns), whose namespace Docker gives its embedded-DNS rules
/// (DOCKER_OUTPUT DNATs 127.0.0.11:53 to a private port, DOCKER_POSTROUTING SNATs back), when NetViz collects with the
/// namespace rule reader, then those rules are nat-rule nodes of that namespace, linked to its loopback and to the
/// container, with the ports `iptables-save` prints inside the namespace, read independently.
/// </summary>
[Collection(DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class EmbeddedDnsRulesTests : IDisposable
{
    private const string Label = "netviz.test=nvbrd";
    private const string Network = "nvbrd-dns";
    private const string Container = "nvbrd-dns-c";

    public EmbeddedDnsRulesTests()
    {
        DockerCli.RequireEngine();
        DockerCli.RemoveLabelled(Label);
        DockerCli.Docker("network", "create", "--label", Label, Network);
        DockerCli.Docker("run", "-d", "--name", Container, "--label", Label, "--network", Network, DockerCli.Image, "sleep", "3600");
    }

    public void Dispose() => DockerCli.RemoveLabelled(Label);

    [GeneratedRegex(@"-A DOCKER_OUTPUT -d 127\.0\.0\.11/32 -p (udp|tcp) -m \1 --dport 53 -j DNAT --to-destination 127\.0\.0\.11:(\d+)")]
    private static partial Regex DnsDnat();

    [Fact]
    public async Task Embedded_dns_rules_are_gates_of_the_container_namespace()
    {
        var pid = DockerCli.Docker("inspect", "-f", "{{.State.Pid}}", Container);
        var id = DockerCli.Docker("inspect", "-f", "{{.Id}}", Container);
        var inode = Ip.Inode($"/proc/{pid}/ns/net");
        // The truth: iptables-save run inside the container's namespace by nsenter, not by NetViz.
        var truth = DockerCli.Must("nsenter", $"--net=/proc/{pid}/ns/net", "iptables-save", "-t", "nat");
        var expectedDnat = DnsDnat().Matches(truth).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value))).Order().ToList();
        Assert.Equal(2, expectedDnat.Count); // udp and tcp

        using var netlink = new NetlinkHostNetworkSource();
        using var docker = new DockerEngineSource();
        var collector = new TopologyCollector(netlink, docker, new IptablesNatSource(), TimeProvider.System,
            new NamespaceRuleReader(new IptablesNatSource().ReadNamespaceAsync));
        var snapshot = await collector.CollectAsync(CancellationToken.None);

        var rules = snapshot.Nodes.OfType<NatRuleNode>().Where(n => n.Netns == NodeId.Netns(inode)).ToList();
        Assert.Equal(truth.Split('\n').Count(l => l.StartsWith("-A ", StringComparison.Ordinal)), rules.Count(r => r.Family == 4));
        var dnats = rules.Where(n => n.Target == "DNAT").ToList();
        Assert.Equal(expectedDnat, dnats.Select(n => (n.Protocol!, n.ToPort!.Value)).Order());
        var lo = Assert.Single(snapshot.Nodes.OfType<InterfaceNode>(), n => n.NetnsInode == inode && n.Type == "loopback");
        foreach (var dnat in dnats)
        {
            Assert.Equal("127.0.0.11", dnat.ToIp);
            Assert.True(dnat.Reachable);
            Assert.Equal(new HashSet<(string, string)> { (NatRoles.DnatTo, lo.Id), (NatRoles.DnatToContainer, NodeId.Container(id)) },
                snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == dnat.Id).Select(e => (e.Role, e.Target)).ToHashSet());
        }
        // The host's own rule set is not mixed in: none of the host's nat nodes carries a namespace, and no
        // DOCKER_OUTPUT chain is among them.
        Assert.DoesNotContain(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Netns is null && n.Chain == "DOCKER_OUTPUT");
    }
    /// <summary>
    /// The drawer's commands for such a rule show it where it lives: run as offered (bash -c, the host's tools), the
    /// chain listing inside the namespace holds the rule at the position the drawer gives, with its to:port; the
    /// iptables-save grep prints exactly the drawer's rule; the socket listing shows dockerd's DNS port.
    /// </summary>
    [Fact]
    public async Task The_drawer_commands_of_an_embedded_dns_rule_show_it_inside_the_namespace()
    {
        var pid = DockerCli.Docker("inspect", "-f", "{{.State.Pid}}", Container);
        var inode = Ip.Inode($"/proc/{pid}/ns/net");
        using var netlink = new NetlinkHostNetworkSource();
        using var docker = new DockerEngineSource();
        var collector = new TopologyCollector(netlink, docker, new IptablesNatSource(), TimeProvider.System,
            new NamespaceRuleReader(new IptablesNatSource().ReadNamespaceAsync));
        var snapshot = await collector.CollectAsync(CancellationToken.None);

        // The namespace's drawer names the process holding it: the container's main process, as Docker and /proc say.
        var netns = Assert.Single(snapshot.Nodes.OfType<NetnsNode>(), n => n.Inode == inode);
        Assert.Equal(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), netns.Holder?.Pid);
        Assert.Equal(File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' '), netns.Holder!.Command);
        Assert.Equal("sleep 3600", netns.Holder.Command);

        var dnats = snapshot.Nodes.OfType<NatRuleNode>().Where(n => n.Netns == NodeId.Netns(inode) && n.Target == "DNAT").ToList();
        Assert.Equal(2, dnats.Count);
        foreach (var dnat in dnats)
        {
            var hints = CommandHints.For(snapshot, dnat.Id);
            var list = hints[0].Command;
            Assert.StartsWith("nsenter --net=", list, StringComparison.Ordinal);
            Assert.Null(hints[0].NotPasteableReason);
            var listed = DockerCli.Must("bash", "-c", list);
            var line = Assert.Single(listed.Split('\n'), l => l.Contains($"to:127.0.0.11:{dnat.ToPort}", StringComparison.Ordinal));
            Assert.StartsWith(dnat.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", line.TrimStart(), StringComparison.Ordinal);
            Assert.Contains($"{dnat.Protocol} dpt:53", line, StringComparison.Ordinal);
            // The host's own chain listing does not hold it: the rule is only where the drawer says.
            Assert.DoesNotContain($"to:127.0.0.11:{dnat.ToPort}", DockerCli.Run("iptables", "-t", "nat", "-L", "-v", "-n").Stdout, StringComparison.Ordinal);

            var saved = DockerCli.Must("bash", "-c", hints[1].Command);
            Assert.Equal(dnat.Rule, saved.Trim());
            var sockets = DockerCli.Must("bash", "-c", hints[2].Command);
            Assert.Contains($"127.0.0.11:{dnat.ToPort}", sockets, StringComparison.Ordinal);
        }
    }
}
