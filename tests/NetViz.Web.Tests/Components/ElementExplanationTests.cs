using Bunit;
using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// The drawer explains each element from the model, not from a default-bridge template: the sample host's gateway is
/// 10.0.2.2 on eth0 (not docker0's 172.17.0.1), the sidecar joins db on appnet (gateway 172.18.0.1), the macvlan
/// container sits on ens5 with 192.168.50.1 as gateway, the internal one on 10.125.0.0/24 without a default route.
/// Every expected value would be different text if the explanation came from the wrong namespace or a template.
/// </summary>
public class ElementExplanationTests : DashboardTestContext
{
    internal const string MacvlanNetId = "f1f1f1f1e2e2e2e2d3d3d3d3c4c4c4c4b5b5b5b5a6a6a6a6978797879787978";
    internal const string InternalNetId = "c1c1c1c1e2e2e2e2d3d3d3d3c4c4c4c4b5b5b5b5a6a6a6a6978797879787978";
    internal const string MacId = "abab0000aaaabbbbccccddddeeeeffff0000111122223333444455556666777e";
    internal const string VaultId = "cdcd0000aaaabbbbccccddddeeeeffff0000111122223333444455556666777f";
    internal const ulong MacInode = 4026532811, VaultInode = 4026532812;

    private static Route Default(string gateway, string dev) => new() { Family = 4, Destination = "default", Gateway = gateway, Dev = dev };
    private static Route Link(string cidr, string dev) => new() { Family = 4, Destination = cidr, Dev = dev, Scope = "link" };

    /// <summary>The sample with the routing tables the kernel would report, the sidecar moved to db, a macvlan and an internal container.</summary>
    internal static TopologySnapshot Lab()
    {
        var sample = Create();
        var sidecar = Ctr(SidecarId);
        var nodes = sample.Nodes.Select(node => node switch
        {
            NetnsNode { Id: HostNs } n => n with { Routes = [Default("10.0.2.2", "eth0"), Link("10.0.2.0/24", "eth0"), Link("172.17.0.0/16", "docker0")], DefaultGateway = "10.0.2.2" },
            NetnsNode { Id: WebNs } n => n with { Routes = [Default("172.17.0.1", "eth0"), Link("172.17.0.0/16", "eth0")], Containers = [.. n.Containers.Where(c => c.Id != sidecar)], Label = "web" },
            NetnsNode { Id: DbNs } n => n with { Routes = [Default("172.18.0.1", "eth0"), Link("172.18.0.0/16", "eth0")], Containers = [.. n.Containers, new ContainerRef(sidecar, "sidecar")], Label = "db, sidecar" },
            NetnsNode { Id: Lab1Ns } n => n with { Routes = [Default("10.200.1.1", "lab1-ns"), Link("10.200.1.0/24", "lab1-ns")] },
            ContainerNode { Name: "web" } c => c with { Ports = [.. c.Ports.Select(p => p with { ProxyPid = 43999, ProxyListening = true })] },
            ContainerNode { Name: "sidecar" } c => c with { NetworkMode = "container:" + DbId, Netns = DbNs, Parent = DbNs },
            _ => node,
        }).ToList();

        nodes.Add(Iface(HostInode, 21, "ens5", "device", "52:54:00:aa:bb:cc"));
        nodes.Add(new NetnsNode { Id = NodeId.Netns(MacInode), Label = "mac", Inode = MacInode, Pids = [45001], Containers = [new ContainerRef(Ctr(MacId), "mac")],
            Routes = [Default("192.168.50.1", "eth0"), Link("192.168.50.0/24", "eth0")] });
        nodes.Add(Iface(MacInode, 1, "lo", "loopback", "00:00:00:00:00:00"));
        nodes.Add(Iface(MacInode, 5, "eth0", "macvlan", "02:42:c0:a8:32:0a", "192.168.50.10", 24) with { Lower = NodeId.Interface(HostInode, 21) });
        nodes.Add(new ContainerNode { Id = Ctr(MacId), Label = "mac", Parent = NodeId.Netns(MacInode), ContainerId = MacId, Name = "mac", Image = "busybox", Pid = 45001,
            State = "running", NetworkMode = "lan", Netns = NodeId.Netns(MacInode),
            Networks = [new NetworkAttachment { Name = "lan", NetworkId = MacvlanNetId, IPAddress = "192.168.50.10", PrefixLength = 24, Gateway = "192.168.50.1", MacAddress = "02:42:c0:a8:32:0a" }] });
        nodes.Add(new NetworkNode { Id = Net(MacvlanNetId), Label = "lan", NetworkId = MacvlanNetId, Name = "lan", Driver = "macvlan", Subnets = ["192.168.50.0/24"],
            Gateways = ["192.168.50.1"], ParentInterface = NodeId.Interface(HostInode, 21), ParentInterfaceName = "ens5", Containers = [Ctr(MacId)] });

        nodes.Add(new NetnsNode { Id = NodeId.Netns(VaultInode), Label = "vault", Inode = VaultInode, Pids = [45002], Containers = [new ContainerRef(Ctr(VaultId), "vault")],
            Routes = [Link("10.125.0.0/24", "eth0")] });
        nodes.Add(Iface(VaultInode, 1, "lo", "loopback", "00:00:00:00:00:00"));
        nodes.Add(Iface(VaultInode, 9, "eth0", "veth", "02:42:0a:7d:00:02", "10.125.0.2", 24) with { Peer = NodeId.Interface(HostInode, 22) });
        nodes.Add(Iface(HostInode, 22, "vethfeed001", "veth", "6e:00:00:00:00:22") with { Master = NodeId.Interface(HostInode, 23), Peer = NodeId.Interface(VaultInode, 9) });
        nodes.Add(Iface(HostInode, 23, "br-c1c1c1c1e2e2", "bridge", "02:42:00:00:00:23", "10.125.0.1", 24));
        nodes.Add(new ContainerNode { Id = Ctr(VaultId), Label = "vault", Parent = NodeId.Netns(VaultInode), ContainerId = VaultId, Name = "vault", Image = "busybox", Pid = 45002,
            State = "running", NetworkMode = "secrets", Netns = NodeId.Netns(VaultInode),
            Networks = [new NetworkAttachment { Name = "secrets", NetworkId = InternalNetId, IPAddress = "10.125.0.2", PrefixLength = 24, MacAddress = "02:42:0a:7d:00:02" }] });
        nodes.Add(new NetworkNode { Id = Net(InternalNetId), Label = "secrets", NetworkId = InternalNetId, Name = "secrets", Driver = "bridge", Internal = true,
            Subnets = ["10.125.0.0/24"], Gateways = ["10.125.0.1"], Bridge = NodeId.Interface(HostInode, 23), BridgeName = "br-c1c1c1c1e2e2", Containers = [Ctr(VaultId)] });

        return DerivedFacts.Complete(sample with { Nodes = [.. nodes] });
    }

    private static InterfaceNode Iface(ulong netns, int ifindex, string name, string type, string mac, string? ip = null, int prefix = 0) => new()
    {
        Id = NodeId.Interface(netns, ifindex), Label = name, Parent = NodeId.Netns(netns), Name = name, Ifindex = ifindex, Type = type, Mac = mac, Up = true,
        Addresses = ip is null ? [] : [new InterfaceAddress { Address = ip, PrefixLength = prefix }], NetnsInode = netns,
    };

    private string Explained(string id)
    {
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Lab())).Add(x => x.ElementId, id));
        return string.Join("\n", details.FindAll("[data-testid='explanation']").Select(e => e.TextContent));
    }

    [Fact]
    public void None_has_only_lo_and_no_routes()
    {
        var text = Explained(Ctr(IsolatedId));
        Assert.Contains("--network none", text);
        Assert.Contains("holding only lo 127.0.0.1/8", text);
        Assert.Contains("routing table is empty", text);
        Assert.DoesNotContain("veth pair", text);
        Assert.DoesNotContain("172.17.0.1", text);
    }

    [Fact]
    public void Host_mode_routes_via_the_hosts_own_gateway_on_the_hosts_nic()
    {
        var text = Explained(Ctr(HostnetId));
        Assert.Contains("--network host", text);
        Assert.Contains($"inode {HostInode}", text);
        Assert.Contains("default route goes via 10.0.2.2 on eth0", text);
        Assert.DoesNotContain("172.17.0.1", text);
        Assert.DoesNotContain("veth pair", text);
    }

    [Fact]
    public void A_container_sidecar_names_its_owner_and_the_owners_gateway()
    {
        var text = Explained(Ctr(SidecarId));
        Assert.Contains("--network container:db", text);
        Assert.Contains($"joins db's (inode {DbInode})", text);
        Assert.Contains("eth0 172.18.0.2/16", text);
        Assert.Contains("db is attached to appnet as 172.18.0.2, gateway 172.18.0.1", text);
        Assert.Contains("default route goes via 172.18.0.1 on eth0", text);
        Assert.DoesNotContain("172.17.0.1", text);
    }

    [Fact]
    public void A_default_bridge_container_names_its_veth_peer_bridge_and_gateway()
    {
        var text = Explained(Ctr(WebId));
        Assert.Contains("Docker's default bridge network bridge: eth0 (172.17.0.2/16) is one end of a veth pair; the other end, veth1a2b3c4, is a port of the Linux bridge docker0, whose address 172.17.0.1 is the gateway", text);
        Assert.Contains("default route goes via 172.17.0.1 on eth0", text);
        Assert.Contains("127.0.0.1:8080 on the host goes to port 80/tcp at 172.17.0.2", text);
        Assert.Contains("docker-proxy (PID 43999), listening on 127.0.0.1:8080, carries it", text);
    }

    [Fact]
    public void A_dnat_rule_says_remote_traffic_takes_it_and_local_traffic_takes_its_docker_proxy_drawn_beside_it()
    {
        var index = new TopologyIndex(Lab());
        var text = Explained("nat:nat:DOCKER:d1");
        Assert.Contains("DNAT: new tcp connections to 127.0.0.1:8080 arriving from outside docker0 are sent to 172.17.0.2:80", text);
        Assert.Contains("Remote traffic (and traffic from containers) takes the DNAT rule", text);
        Assert.Contains("docker-proxy (PID 43999)", text);
        var rule = Assert.IsType<NatRuleNode>(index.Node("nat:nat:DOCKER:d1"));
        Assert.EndsWith("+ docker-proxy (pid 43999)", CytoscapeElementMapper.Label(rule));
        // Without a listening proxy the text says so instead of inventing one.
        var withoutProxy = Create();
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(withoutProxy)).Add(x => x.ElementId, "nat:nat:DOCKER:d1"));
        Assert.Contains("no docker-proxy was found listening", details.Markup);
        Assert.DoesNotContain("docker-proxy (pid", CytoscapeElementMapper.Label(withoutProxy.Nodes.OfType<NatRuleNode>().Single(r => r.Id == "nat:nat:DOCKER:d1")));
    }

    [Fact]
    public void A_user_defined_bridge_container_gets_its_own_bridge_and_dns()
    {
        var text = Explained(Ctr(DbId));
        Assert.Contains("user-defined bridge network appnet: eth0 (172.18.0.2/16)", text);
        Assert.Contains("veth9f8e7d6, is a port of the Linux bridge br-a0a0a0a0b1b1, whose address 172.18.0.1", text);
        Assert.Contains("127.0.0.11", text);
    }

    [Fact]
    public void A_macvlan_container_sits_on_the_parent_nic_without_bridge_or_nat()
    {
        var text = Explained(Ctr(MacId));
        Assert.Contains("macvlan network lan: eth0 (192.168.50.10/24) is a macvlan device on the host's ens5 with its own MAC 02:42:c0:a8:32:0a", text);
        Assert.Contains("default route goes via 192.168.50.1 on eth0", text);
        Assert.DoesNotContain("veth pair", text);
        Assert.Contains("lan is a macvlan network on the host's ens5", Explained(Net(MacvlanNetId)));
    }

    [Fact]
    public void An_internal_container_has_no_default_route_and_no_way_out()
    {
        var text = Explained(Ctr(VaultId));
        Assert.Contains("secrets is internal", text);
        Assert.Contains("vethfeed001, is a port of the Linux bridge br-c1c1c1c1e2e2", text);
        Assert.Contains("no default route: it reaches only 10.125.0.0/24 dev eth0", text);
        Assert.DoesNotContain("goes via", text);
    }

    [Fact]
    public void A_manual_netns_is_explained_as_ip_netns_with_its_own_gateway()
    {
        var text = Explained(Lab1Ns);
        Assert.Contains("Namespace lab1", text);
        Assert.Contains("ip netns add", text);
        Assert.Contains("/var/run/netns/lab1", text);
        Assert.Contains("lab1-ns 10.200.1.2/24", text);
        Assert.Contains("default route goes via 10.200.1.1 on lab1-ns", text);
    }

    [Fact]
    public void A_veth_names_its_peer_with_the_peers_container_and_links_to_both()
    {
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Lab())).Add(x => x.ElementId, "if:4026531840:9"));
        var text = string.Join("\n", details.FindAll("[data-testid='explanation']").Select(e => e.TextContent));
        Assert.Contains("veth9f8e7d6 is one end of a veth pair in the host: what enters here leaves at eth0 in the namespace of db, sidecar", text);
        var related = details.FindAll("[data-testid='related-link']").Select(e => e.GetAttribute("data-related-id")).ToList();
        Assert.Contains("if:4026532402:8", related);
        Assert.Contains(Ctr(DbId), related);
        Assert.Contains("if:4026531840:4", related);
        Assert.Contains(Net(AppnetId), related);
    }

    [Fact]
    public void Clicking_a_related_link_or_show_in_graph_asks_to_navigate_to_that_element()
    {
        string? navigated = null;
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Lab())).Add(x => x.ElementId, Ctr(WebId))
            .Add(x => x.OnNavigate, (string? id) => navigated = id));
        details.Find($"[data-related-id='{WebNs}']").Click();
        Assert.Equal(WebNs, navigated);
        details.Find("[data-testid='show-in-graph'] ").Click();
        Assert.Equal(Ctr(WebId), navigated);
    }

    [Fact]
    public void Routes_and_addresses_are_tables_and_fields_are_labelled_in_words()
    {
        var netns = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Lab())).Add(x => x.ElementId, HostNs));
        var rows = netns.FindAll("[data-testid='route-row']").Select(r => r.TextContent).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("default10.0.2.2eth0", rows[0].Replace(" ", ""));

        var rule = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Lab())).Add(x => x.ElementId, "nat:nat:DOCKER:d1"));
        var labels = rule.FindAll("[data-testid='details-props'] th").Select(t => t.TextContent.Trim()).ToList();
        Assert.Contains("Source negated", labels);
        Assert.Contains("In interface negated", labels);
        Assert.DoesNotContain("sourceNegated", labels);
    }
}
