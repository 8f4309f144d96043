using System.Text.Json;
using NetViz.Core.Model;
using static NetViz.IntegrationTests.Topology.LessonScenarioFixture;
using static NetViz.IntegrationTests.Docker.DockerCli;

namespace NetViz.IntegrationTests.Topology;

[Collection(LessonScenarioCollection.Name)]
public sealed class LessonScenarioTests(LessonScenarioFixture f)
{
    private static readonly ulong HostInode = InodeOf("/proc/self/ns/net");

    [Fact]
    public void Every_source_answered()
    {
        Assert.True(f.Snapshot.Sources.Docker.Ok, f.Snapshot.Sources.Docker.Error);
        Assert.True(f.Snapshot.Sources.Netlink.Ok, f.Snapshot.Sources.Netlink.Error);
        Assert.True(f.Snapshot.Sources.Nat.Ok, f.Snapshot.Sources.Nat.Error);
        Assert.Equal(Must("docker", "version", "--format", "{{.Server.Version}}"), f.Snapshot.Sources.Docker.Version);
        Assert.Equal($"netns:{HostInode}", f.Snapshot.Host.Netns);
    }

    [Theory]
    [InlineData("nvsn-web")]
    [InlineData("nvsn-none")]
    [InlineData("nvsn-host")]
    [InlineData("nvsn-side")]
    [InlineData("nvsn-app")]
    [InlineData("nvsn-iso")]
    public void Each_container_sits_in_the_namespace_its_pid_is_in(string name)
    {
        var pid = PidOf(name);
        var node = f.ContainerNode(name);
        Assert.Equal($"netns:{InodeOf($"/proc/{pid}/ns/net")}", node.Parent);
        Assert.Equal(pid, node.Props.GetProperty("pid").GetInt32());
    }

    [Fact]
    public void Network_modes_look_like_the_lesson_says()
    {
        // host: the host's own stack.
        Assert.Equal($"netns:{HostInode}", f.ContainerNode("nvsn-host").Parent);
        // container:x shares x's namespace box.
        Assert.Equal(f.ContainerNode("nvsn-web").Parent, f.ContainerNode("nvsn-side").Parent);
        // none: a namespace of its own whose links are exactly what nsenter shows: only lo.
        var noneInode = InodeOf($"/proc/{PidOf("nvsn-none")}/ns/net");
        var truth = IpIn(PidOf("nvsn-none"), "link").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).Order();
        Assert.Equal(["lo"], truth);
        Assert.Equal(truth, f.InterfacesIn(noneInode).Select(n => n.Label).Order());
    }

    [Theory]
    [InlineData("nvsn-web", "eth0")]
    [InlineData("nvsn-app", "eth0")]
    [InlineData("nvsn-app", "eth1")]
    [InlineData("nvsn-iso", "eth0")]
    public void Each_container_interface_is_cabled_to_the_host_veth_and_bridge_the_kernel_reports(string container, string ifname)
    {
        var pid = PidOf(container);
        var inode = InodeOf($"/proc/{pid}/ns/net");
        var inside = IpIn(pid, "link", "show", ifname)[0];
        var ifindex = inside.GetProperty("ifindex").GetInt32();
        // Inside the container, "link_index" is the host end's ifindex (eth0@if7).
        var hostIndex = inside.GetProperty("link_index").GetInt32();
        var hostEnd = IpOnHost("link", "show").EnumerateArray().Single(l => l.GetProperty("ifindex").GetInt32() == hostIndex);
        Assert.Equal(ifindex, hostEnd.GetProperty("link_index").GetInt32());

        var id = $"if:{inode}:{ifindex}";
        var veth = Assert.Single(f.EdgesOf(id, EdgeKinds.Veth));
        Assert.Equal($"if:{HostInode}:{hostIndex}", Other(veth, id));
        var port = Assert.Single(f.EdgesOf($"if:{HostInode}:{hostIndex}", EdgeKinds.BridgePort));
        Assert.Equal(hostEnd.GetProperty("master").GetString(), f.Node(port.Target).Label);
        Assert.Equal(inside.GetProperty("address").GetString(), f.Node(id).Props.GetProperty("mac").GetString());
    }

    [Fact]
    public void A_container_on_two_networks_has_two_cables_to_the_two_bridges()
    {
        var pid = PidOf("nvsn-app");
        var inode = InodeOf($"/proc/{pid}/ns/net");
        var bridges = f.InterfacesIn(inode).Where(n => n.Props.GetProperty("type").GetString() == "veth")
            .Select(n => Other(Assert.Single(f.EdgesOf(n.Id, EdgeKinds.Veth)), n.Id))
            .Select(hostEnd => f.Node(Assert.Single(f.EdgesOf(hostEnd, EdgeKinds.BridgePort)).Target).Label)
            .Order().ToArray();
        Assert.Equal(["docker0", CustomBridge], bridges);
        var networks = f.ContainerNode("nvsn-app").Props.GetProperty("networks").EnumerateArray()
            .Select(n => (n.GetProperty("name").GetString(), n.GetProperty("ipAddress").GetString())).Order().ToArray();
        var truth = Inspect("nvsn-app").GetProperty("NetworkSettings").GetProperty("Networks").EnumerateObject()
            .Select(n => ((string?)n.Name, n.Value.GetProperty("IPAddress").GetString())).Order().ToArray();
        Assert.Equal(truth, networks);
    }

    [Fact]
    public void A_custom_named_bridge_and_the_default_bridge_are_their_networks_bridges()
    {
        foreach (var (network, bridge) in new[] { ("nvsn-net", CustomBridge), ("bridge", "docker0") })
        {
            var id = InspectNetwork(network).GetProperty("Id").GetString();
            var node = f.Node($"net:{id}");
            var ifindex = IpOnHost("link", "show", bridge)[0].GetProperty("ifindex").GetInt32();
            Assert.Equal($"if:{HostInode}:{ifindex}", node.Props.GetProperty("bridge").GetString());
            Assert.Contains(f.Snapshot.Edges, e => e.Kind == EdgeKinds.NetworkBridge && e.Source == node.Id && e.Target == $"if:{HostInode}:{ifindex}");
        }
    }

    [Fact]
    public void The_containers_default_route_leads_to_the_bridge_owning_its_gateway()
    {
        var pid = PidOf("nvsn-web");
        var inode = InodeOf($"/proc/{pid}/ns/net");
        var route = IpIn(pid, "route", "show", "default")[0];
        var gateway = route.GetProperty("gateway").GetString()!;
        var dev = route.GetProperty("dev").GetString();
        var owner = IpOnHost("addr", "show").EnumerateArray()
            .Single(l => l.GetProperty("addr_info").EnumerateArray().Any(a => a.GetProperty("local").GetString() == gateway));
        var from = f.InterfacesIn(inode).Single(n => n.Label == dev).Id;
        var edge = Assert.Single(f.EdgesOf(from, EdgeKinds.Route));
        Assert.Equal($"if:{HostInode}:{owner.GetProperty("ifindex").GetInt32()}", edge.Target);
        Assert.Equal("docker0", owner.GetProperty("ifname").GetString());
    }

    [Fact]
    public void The_published_port_is_a_DNAT_rule_pointing_at_the_containers_interface_and_container()
    {
        var ip = Inspect("nvsn-web").GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("bridge").GetProperty("IPAddress").GetString();
        var line = IptablesSaveNat().Split('\n').Single(l => l.Contains($"--dport {f.PublishedPort} ") && l.Contains("DNAT"));
        Assert.Contains($"--to-destination {ip}:80", line);
        var rule = Assert.Single(f.Snapshot.Nodes, n => n.Kind == NodeKinds.NatRule && n.Props.GetProperty("rule").GetString() == line.Trim());
        Assert.Equal(f.PublishedPort, rule.Props.GetProperty("hostPort").GetInt32());
        Assert.Equal(ip, rule.Props.GetProperty("toIp").GetString());
        Assert.Equal(80, rule.Props.GetProperty("toPort").GetInt32());
        Assert.Equal("127.0.0.1", rule.Props.GetProperty("hostIp").GetString());

        var pid = PidOf("nvsn-web");
        var eth0 = IpIn(pid, "link", "show", "eth0")[0].GetProperty("ifindex").GetInt32();
        var targets = f.Snapshot.Edges.Where(e => e.Source == rule.Id && e.Kind == EdgeKinds.Nat).Select(e => e.Target).ToHashSet();
        Assert.Contains($"if:{InodeOf($"/proc/{pid}/ns/net")}:{eth0}", targets);
        Assert.Contains(f.ContainerNode("nvsn-web").Id, targets);
    }

    [Fact]
    public void Masquerade_covers_bridged_subnets_and_the_internal_network_gets_none()
    {
        var nat = IptablesSaveNat();
        var masquerade = $"-A POSTROUTING -s {f.NetSubnet} ! -o nvsn-br0 -j MASQUERADE";
        Assert.Contains(masquerade, nat);
        Assert.DoesNotContain($"-s {f.InternalSubnet}", nat); // ground truth: Docker writes none for --internal

        var custom = Assert.Single(f.Snapshot.Nodes, n => n.Kind == NodeKinds.NatRule && n.Props.GetProperty("rule").GetString() == masquerade);
        var bridgeIndex = IpOnHost("link", "show", CustomBridge)[0].GetProperty("ifindex").GetInt32();
        Assert.Contains(f.Snapshot.Edges, e => e.Source == custom.Id && e.Target == $"if:{HostInode}:{bridgeIndex}" && e.Props.GetProperty("role").GetString() == "masquerade");

        var internalId = InspectNetwork("nvsn-internal").GetProperty("Id").GetString()!;
        var internalBridge = f.Node($"net:{internalId}").Props.GetProperty("bridge").GetString()!;
        Assert.True(f.Node($"net:{internalId}").Props.GetProperty("internal").GetBoolean());
        Assert.DoesNotContain(f.Snapshot.Edges, e => e.Kind == EdgeKinds.Nat && e.Target == internalBridge);
    }

    [Fact]
    public void Every_edge_joins_nodes_that_exist_and_ids_are_unique()
    {
        var ids = f.Snapshot.Nodes.Select(n => n.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var set = ids.ToHashSet();
        Assert.All(f.Snapshot.Edges, e => Assert.True(set.Contains(e.Source) && set.Contains(e.Target), e.Id));
        Assert.All(f.Snapshot.Nodes.Where(n => n.Parent is not null), n => Assert.Contains(n.Parent!, set));
    }
}
