using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Web.Commands;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Commands;

public class CommandHintsTests
{
    private static string[] Commands(string id) => CommandHints.For(Create(), id).Select(h => h.Command).ToArray();

    [Fact]
    public void Container_hints_use_its_name_and_pid()
    {
        var commands = Commands(Ctr(WebId));
        Assert.Contains("docker inspect -f '{{.State.Pid}}' web", commands);
        Assert.Contains($"ls -l /proc/{WebPid}/ns/net", commands);
        Assert.Contains($"nsenter --target {WebPid} --net ip addr", commands);
        Assert.Contains($"nsenter --target {WebPid} --net ip route", commands);
        Assert.Contains("docker inspect web", commands);
        Assert.Contains("docker port web", commands);
        Assert.All(CommandHints.For(Create(), Ctr(WebId)), h => Assert.False(string.IsNullOrWhiteSpace(h.Explanation)));
    }

    [Fact]
    public void Unnamed_container_netns_offers_the_bind_mount_trick_marked_as_changing_the_host()
    {
        var hints = CommandHints.For(Create(), DbNs);
        var mount = Assert.Single(hints, h => h.ChangesHost);
        Assert.Equal($"mkdir -p /var/run/netns && touch /var/run/netns/db && mount --bind /proc/{DbPid}/ns/net /var/run/netns/db", mount.Command);
        Assert.Contains(hints, h => h.Command == "ip netns exec db ip link" && !h.ChangesHost);
    }

    [Fact]
    public void Named_netns_uses_ip_netns_and_nothing_that_changes_the_host()
    {
        var hints = CommandHints.For(Create(), Lab1Ns);
        Assert.Contains(hints, h => h.Command == "ip netns exec lab1 ip link");
        Assert.Contains(hints, h => h.Command == "ip -n lab1 addr");
        Assert.DoesNotContain(hints, h => h.ChangesHost);
    }

    [Fact]
    public void Bridge_veth_and_container_side_interfaces()
    {
        Assert.Equal(["ip link show type bridge", "ip link show master docker0", "ip addr show docker0"], Commands("if:4026531840:3"));
        var hostVeth = Commands("if:4026531840:7");
        Assert.Contains("ip -d link show veth1a2b3c4", hostVeth);
        Assert.Contains("ethtool -S veth1a2b3c4", hostVeth);
        Assert.Contains("bridge link show dev veth1a2b3c4", hostVeth);
        Assert.Contains($"nsenter --target {WebPid} --net ethtool -S eth0", Commands("if:4026532301:6"));
        Assert.Contains("ip netns exec lab1 ip -d link show lab1-ns", Commands("if:4026532604:2"));
    }

    [Fact]
    public void Nat_rules_list_their_chain_and_grep_the_saved_rule_without_counters()
    {
        var masquerade = Commands("nat:nat:POSTROUTING:m1");
        Assert.Contains("iptables -t nat -L POSTROUTING -v -n --line-numbers", masquerade);
        Assert.Contains("iptables-save -t nat | grep -F -- '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE'", masquerade);
        Assert.Contains("iptables -t nat -L POSTROUTING -v -n", masquerade);
        var dnat = Commands("nat:nat:DOCKER:d1");
        Assert.Contains("iptables -t nat -L DOCKER -v -n --line-numbers", dnat);
        Assert.Contains("iptables -t nat -L DOCKER -v -n", dnat);
    }

    [Fact]
    public void Network_and_host()
    {
        Assert.Equal(["docker network inspect appnet", "ip addr show br-a0a0a0a0b1b1", "ip link show master br-a0a0a0a0b1b1"], Commands(Net(AppnetId)));
        Assert.Contains("ip route", Commands(HostNs));
        Assert.Contains("ip -br link", Commands(HostNs));
    }

    /// <summary>The sample with Docker's embedded-DNS DNAT inside db's namespace and an IPv6 rule inside lab1's.</summary>
    private static TopologySnapshot WithNamespaceRules()
    {
        var snapshot = Create();
        var db = snapshot.Nodes.OfType<NetnsNode>().Single(n => n.Id == DbNs);
        var dns = new NatRuleNode
        {
            Id = "nat:ns:dns", Label = "dns",
            Parsed = new NatRule
            {
                Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", NetnsInode = DbInode, Protocol = "udp",
                Rule = "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41234",
                Destination = "127.0.0.11/32", DestinationPort = "53", ToDestination = "127.0.0.11:41234", ToIp = "127.0.0.11", ToPort = 41234,
            },
        };
        var v6 = new NatRuleNode
        {
            Id = "nat:ns:v6", Label = "v6",
            Parsed = new NatRule { Table = "nat", Chain = "POSTROUTING", Position = 3, Target = "MASQUERADE", NetnsInode = Lab1Inode, Family = 6, Rule = "-A POSTROUTING -s fd00::/64 -j MASQUERADE" },
        };
        return snapshot with
        {
            Nodes = snapshot.Nodes.Replace(db, db with { Paths = [$"/proc/{DbPid}/ns/net", "/var/run/docker/netns/0f1e 2d"] }).Add(dns).Add(v6),
        };
    }

    [Fact]
    public void A_rule_of_a_container_namespace_is_listed_inside_that_namespace_by_its_docker_file()
    {
        var commands = CommandHints.For(WithNamespaceRules(), "nat:ns:dns").Select(h => h.Command).ToArray();
        Assert.Equal(
        [
            "nsenter --net='/var/run/docker/netns/0f1e 2d' iptables -t nat -L DOCKER_OUTPUT -v -n --line-numbers",
            "nsenter --net='/var/run/docker/netns/0f1e 2d' iptables-save -t nat | grep -F -- '-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41234'",
            "nsenter --net='/var/run/docker/netns/0f1e 2d' ss -lntup",
        ], commands);
        Assert.Contains("db", CommandHints.For(WithNamespaceRules(), "nat:ns:dns")[0].Explanation);
    }

    [Fact]
    public void A_rule_of_a_named_namespace_uses_ip_netns_exec_and_its_family_tool()
    {
        var commands = CommandHints.For(WithNamespaceRules(), "nat:ns:v6").Select(h => h.Command).ToArray();
        Assert.Equal("ip netns exec lab1 ip6tables -t nat -L POSTROUTING -v -n --line-numbers", commands[0]);
        Assert.Equal("ip netns exec lab1 ip6tables-save -t nat | grep -F -- '-A POSTROUTING -s fd00::/64 -j MASQUERADE'", commands[1]);
    }

    [Fact]
    public void Shell_quoting_survives_single_quotes() =>
        Assert.Equal("'a'\\''b'", NetViz.Core.Text.ShellQuote.Quoted("a'b"));
}
