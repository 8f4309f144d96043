using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Fakes;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Graph;

public class CytoscapeElementMapperTests
{
    private static readonly IReadOnlyList<CytoscapeElement> Elements = CytoscapeElementMapper.ToElements(Create());
    private static CytoscapeElement E(string id) => Elements.Single(e => e.Data.Id == id);
    private static string[] Classes(string id) => E(id).Classes.Split(' ');

    [Fact]
    public void Every_drawn_node_and_edge_becomes_one_element_and_parents_come_before_children()
    {
        var snapshot = Create();
        // Left to the tables: the RETURN rule (translates nothing) and the none network (no bridge to draw).
        string[] notDrawnNodes = ["nat:nat:DOCKER:r1", Net(NoneNetId)];
        // The DNAT arrow to web's badge doubles the one to web's eth0; web's default route runs along its cable.
        string[] notDrawnEdges = ["nat:d1c", "route:web"];
        Assert.Equal(snapshot.Nodes.Select(n => n.Id).Except(notDrawnNodes).Order(StringComparer.Ordinal),
            Elements.Where(e => e.Group == "nodes").Select(e => e.Data.Id).Order(StringComparer.Ordinal));
        Assert.Equal(snapshot.Edges.Select(n => n.Id).Except(notDrawnEdges).Order(StringComparer.Ordinal),
            Elements.Where(e => e.Group == "edges").Select(e => e.Data.Id).Order(StringComparer.Ordinal));
        var position = Elements.Select((e, i) => (e.Data.Id, i)).ToDictionary(x => x.Id, x => x.i);
        foreach (var element in Elements.Where(e => e.Data.Parent is not null))
            Assert.True(position[element.Data.Parent!] < position[element.Data.Id], element.Data.Id);
    }

    [Fact]
    public void Only_nat_rules_that_translate_addresses_are_drawn()
    {
        var drawn = Elements.Where(e => e.Data.Kind == "nat-rule").Select(e => e.Data.NatTarget).Order(StringComparer.Ordinal);
        Assert.Equal(["DNAT", "MASQUERADE", "MASQUERADE"], drawn);
    }

    [Fact]
    public void Rules_of_another_namespace_are_not_drawn_and_not_on_the_nat_page()
    {
        var dns = new NetViz.Core.Sources.NatRule
        {
            Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", Rule = "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41234",
            ToIp = "127.0.0.11", ToPort = 41234, NetnsInode = 4026532301,
        };
        var host = dns with { Chain = "DOCKER", NetnsInode = null, Rule = "-A DOCKER -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41234" };
        var inNamespace = new NatRuleNode { Id = "nat:nat:DOCKER_OUTPUT:x@4026532301", Label = "dns", Parsed = dns };
        var onHost = new NatRuleNode { Id = "nat:nat:DOCKER:y", Label = "host", Parsed = host };

        Assert.False(CytoscapeElementMapper.IsDrawn(inNamespace));
        Assert.True(CytoscapeElementMapper.IsDrawn(onHost));
        var index = new TopologyIndex(TopologySnapshot.Empty with { Nodes = [inNamespace, onHost] });
        Assert.Equal(["DOCKER"], NetViz.Web.Views.TopologyRows.NatRulesByChain(index).Select(g => g.Key));
    }

    [Fact]
    public void Every_drawn_edge_has_both_ends_drawn_even_the_arrows_of_another_namespace_rule_set()
    {
        var sample = Create();
        var dns = new NetViz.Core.Sources.NatRule
        {
            Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", Rule = "-A DOCKER_OUTPUT -d 127.0.0.11/32 -j DNAT --to-destination 127.0.0.11:41234",
            ToIp = "127.0.0.11", ToPort = 41234, NetnsInode = 4026532301,
        };
        var rule = new NatRuleNode { Id = NodeId.NatRule("nat", "DOCKER_OUTPUT", dns.Rule, 1, netnsInode: 4026532301), Label = "dns", Parsed = dns };
        var target = sample.Nodes.OfType<InterfaceNode>().First();
        var arrow = new NatEdge { Id = EdgeId.Nat(rule.Id, target.Id), Source = rule.Id, Target = target.Id, Role = NatRoles.DnatTo };
        var snapshot = NetViz.Core.Correlation.DerivedFacts.Complete(sample with { Nodes = [.. sample.Nodes, rule], Edges = [.. sample.Edges, arrow] });

        var elements = CytoscapeElementMapper.ToElements(snapshot);
        var nodes = elements.Where(e => e.Group == "nodes").Select(e => e.Data.Id).ToHashSet();
        Assert.DoesNotContain(rule.Id, nodes);
        Assert.All(elements.Where(e => e.Group == "edges"), e =>
        {
            Assert.Contains(e.Data.Source!, nodes);
            Assert.Contains(e.Data.Target!, nodes);
        });
        Assert.DoesNotContain(elements, e => e.Data.Id == arrow.Id);
    }

    [Theory]
    [InlineData("en", "network: ", "outside world")]
    [InlineData("ko", "네트워크: ", "외부 세계")]
    public void Graph_words_follow_the_page_language_and_names_stay_as_they_are(string language, string network, string outside)
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(language);
        try
        {
            var snapshot = Create();
            var net = snapshot.Nodes.OfType<NetworkNode>().First(n => n.Bridge is not null);
            Assert.StartsWith(network + net.Name, CytoscapeElementMapper.Label(net));
            Assert.StartsWith(outside, CytoscapeElementMapper.Label(snapshot.Nodes.OfType<ExternalNode>().Single()));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = culture;
        }
    }

    [Fact]
    public void Labels_follow_the_lesson()
    {
        Assert.Equal("docker0\n172.17.0.1/16", E("if:4026531840:3").Data.Label);
        Assert.Equal("eth0\n172.17.0.2/16", E("if:4026532301:6").Data.Label);
        Assert.Equal("veth1a2b3c4", E("if:4026531840:7").Data.Label); // its only address is link-local (fe80::)
        Assert.Equal("network: bridge\n172.17.0.0/16", E(Net(BridgeNetId)).Data.Label);
        Assert.Equal("web", E(Ctr(WebId)).Data.Label);
        // The module adds the live counter line from data.packets/bytes.
        Assert.Equal("MASQUERADE\n172.17.0.0/16 → !docker0", E("nat:nat:POSTROUTING:m1").Data.Label);
        Assert.Equal("DNAT tcp 127.0.0.1:8080\n→ 172.17.0.2:80", E("nat:nat:DOCKER:d1").Data.Label);
        Assert.Equal("outside world\nvia 10.0.2.2", E("external").Data.Label);
    }

    [Fact]
    public void Namespace_boxes_carry_a_single_line_title_with_the_inode()
    {
        Assert.Equal("host · netns 4026531840", E(HostNs).Data.Label);
        Assert.Equal("web, sidecar · netns 4026532301", E(WebNs).Data.Label);
        Assert.Equal("db · netns 4026532402", E(DbNs).Data.Label);
        Assert.Equal("lab1 · netns 4026532604", E(Lab1Ns).Data.Label);
        Assert.DoesNotContain(Elements.Where(e => e.Data.Kind == "netns"), e => e.Data.Label.Contains('\n'));
    }

    [Fact]
    public void Namespace_tiles_name_who_lives_there_owner_first_and_the_modes_a_lane_does_not_say()
    {
        // The sidecar joined web's namespace (--network container:web): the owner comes first.
        Assert.Equal("web\nsidecar", E(WebNs).Data.Tile);
        Assert.Equal("db", E(DbNs).Data.Tile);
        Assert.Equal("isolated\nnetwork none", E(IsolatedNs).Data.Tile);
        Assert.Equal("lab1\nip netns", E(Lab1Ns).Data.Tile);
        // The host namespace is no tile; nothing but namespaces carries one.
        Assert.Null(E(HostNs).Data.Tile);
        Assert.All(Elements.Where(e => e.Data.Kind != "netns"), e => Assert.Null(e.Data.Tile));
    }

    [Fact]
    public void A_tile_bounds_hostile_names_to_one_short_line()
    {
        var snapshot = Create();
        var hostile = "db\u0007\n" + new string('x', 80);
        var nodes = snapshot.Nodes.Select(n => n is NetViz.Core.Model.NetnsNode { Id: DbNs } ns
            ? ns with { Containers = [new NetViz.Core.Model.ContainerRef(DbId, hostile)] }
            : n);
        var elements = CytoscapeElementMapper.ToElements(snapshot with { Nodes = [.. nodes] });

        var tile = elements.Single(e => e.Data.Id == DbNs).Data.Tile!;
        Assert.DoesNotContain('\n', tile);
        Assert.DoesNotContain('\u0007', tile);
        Assert.Equal(28, tile.Length);
        Assert.EndsWith("…", tile, StringComparison.Ordinal);
        Assert.StartsWith("db  xxx", tile, StringComparison.Ordinal);
    }

    [Fact]
    public void Classes_mark_kind_type_host_devices_modes_and_empty_namespaces()
    {
        Assert.Contains("host", Classes(HostNs));
        Assert.Contains("host-device", Classes("if:4026531840:2"));
        Assert.DoesNotContain("host-device", Classes("if:4026531840:3"));
        Assert.Contains("type-bridge", Classes("if:4026531840:3"));
        Assert.Contains("kind-interface", Classes("if:4026531840:3"));
        Assert.Contains("down", Classes("if:4026532604:1"));
        Assert.Contains("empty-ns", Classes(IsolatedNs));
        Assert.DoesNotContain("empty-ns", Classes(WebNs));
        Assert.DoesNotContain("empty-ns", Classes(HostNs));
        Assert.Contains("mode-bridge", Classes(Ctr(WebId)));
        Assert.Contains("mode-container", Classes(Ctr(SidecarId)));
        Assert.Contains("mode-none", Classes(Ctr(IsolatedId)));
        Assert.Contains("mode-host", Classes(Ctr(HostnetId)));
        Assert.Contains("masquerade", Classes("nat:nat:POSTROUTING:m1"));
        Assert.Contains("dnat", Classes("nat:nat:DOCKER:d1"));
        Assert.Equal("DNAT", E("nat:nat:DOCKER:d1").Data.NatTarget);
        Assert.Equal(42, E("nat:nat:DOCKER:d1").Data.Packets);
        Assert.True(E("if:4026531840:2").Data.IsHost);
        Assert.False(E("if:4026532301:6").Data.IsHost);
    }

    [Fact]
    public void Networks_are_derived_for_bridges_ports_peers_containers_and_namespaces()
    {
        string[] bridge = [Net(BridgeNetId)];
        string[] appnet = [Net(AppnetId)];
        Assert.Equal(bridge, E("if:4026531840:3").Data.Networks);       // docker0
        Assert.Equal(bridge, E("if:4026531840:7").Data.Networks);       // its port
        Assert.Equal(bridge, E("if:4026532301:6").Data.Networks);       // web's eth0 (peer and MAC)
        Assert.Equal(bridge, E(Ctr(WebId)).Data.Networks);
        Assert.Equal(bridge, E(Ctr(SidecarId)).Data.Networks);          // shares web's netns
        Assert.Equal(bridge, E(WebNs).Data.Networks);
        Assert.Equal(appnet, E(Ctr(DbId)).Data.Networks);
        Assert.Equal(appnet, E("if:4026532402:8").Data.Networks);
        Assert.Equal(bridge, E("nat:nat:DOCKER:d1").Data.Networks);     // 172.17.0.2 is in 172.17.0.0/16
        Assert.Equal(appnet, E("nat:nat:POSTROUTING:m2").Data.Networks);
        Assert.Empty(E(Ctr(IsolatedId)).Data.Networks!);
        Assert.Empty(E("if:4026532301:1").Data.Networks!);              // web's lo
        Assert.Equal([Net(AppnetId), Net(BridgeNetId)], E(HostNs).Data.Networks); // holds both bridges
    }

    [Fact]
    public void Search_text_holds_names_ips_macs_and_images()
    {
        var web = E(Ctr(WebId)).Data.Search;
        Assert.Contains("web", web);
        Assert.Contains("netviz/busybox:lab", web);
        Assert.Contains("172.17.0.2", web);
        Assert.Contains("02:42:ac:11:00:02", web);
        var eth0 = E("if:4026532301:6").Data.Search;
        Assert.Contains("172.17.0.2/16", eth0);
        Assert.Contains("02:42:ac:11:00:02", eth0);
        Assert.Contains("sidecar", E(WebNs).Data.Search);
    }

    [Fact]
    public void Edges_carry_source_target_role_and_the_class_of_their_rule()
    {
        var dnat = E("nat:d1");
        Assert.Equal("edges", dnat.Group);
        Assert.Equal("nat:nat:DOCKER:d1", dnat.Data.Source);
        Assert.Equal("if:4026532301:6", dnat.Data.Target);
        Assert.Equal("dnat-to", dnat.Data.Type);
        Assert.Equal(["kind-nat", "dnat"], dnat.Classes.Split(' '));
        // Every arrow of a rule has its colour, whatever its role.
        Assert.Equal(["kind-nat", "dnat"], E("nat:d1from").Classes.Split(' '));
        Assert.Equal(["kind-nat", "masquerade"], E("nat:m1").Classes.Split(' '));
        Assert.Equal(["kind-nat", "masquerade"], E("nat:m1out").Classes.Split(' '));
        Assert.Equal("egress", E("nat:m1out").Data.Type);
        Assert.Equal("via 10.0.2.2", E("route:default").Data.Label);
        // A cable is on the networks both of its ends are on.
        Assert.Equal([Net(BridgeNetId)], E("veth:web").Data.Networks);
        Assert.Empty(E("route:default").Data.Networks!);
    }

    [Fact]
    public void Diff_adds_the_new_container_and_updates_neighbours_whose_derived_data_changed()
    {
        var before = Create();
        var after = WithCacheContainer(before);
        var diff = CytoscapeElementMapper.ToDiff(new TopologyIndex(before), TopologyDiffer.Compute(before, after, 7));
        Assert.Equal(7, diff.Sequence);
        Assert.Empty(diff.Remove);
        Assert.Equal(
            ["ctr:cccc0000aaaabbbbccccddddeeeeffff0000111122223333444455556666777d", "if:4026531840:13", "if:4026532705:1", "if:4026532705:12", "netns:4026532705", "port:cache", "veth:cache"],
            diff.Add.Select(e => e.Data.Id).Order(StringComparer.Ordinal));
        Assert.Empty(diff.Update);

        var back = CytoscapeElementMapper.ToDiff(new TopologyIndex(after), TopologyDiffer.Compute(after, before, 8));
        Assert.Equal(diff.Add.Select(e => e.Data.Id).Order(StringComparer.Ordinal), back.Remove.Order(StringComparer.Ordinal));
        Assert.Empty(back.Add);
    }

    [Fact]
    public void Diff_updates_a_netns_that_stops_being_empty_though_its_own_node_did_not_change()
    {
        var before = Create();
        var moved = before.Nodes.Single(n => n.Id == "if:4026531840:11") with { Id = "if:4026532503:11", Parent = IsolatedNs };
        // Core derives "only loopback" again from the new graph: the netns node itself changes, so Core's diff carries it.
        var after = DerivedFacts.Complete(before with { Nodes = before.Nodes.Add(moved) });
        var diff = CytoscapeElementMapper.ToDiff(new TopologyIndex(before), TopologyDiffer.Compute(before, after, 2));
        var netns = Assert.Single(diff.Update);
        Assert.Equal(IsolatedNs, netns.Data.Id);
        Assert.DoesNotContain("empty-ns", netns.Classes.Split(' '));
        Assert.Equal("if:4026532503:11", Assert.Single(diff.Add).Data.Id);
    }

    [Fact]
    public void Diff_adds_a_network_whose_bridge_appeared_and_removes_it_when_the_bridge_goes()
    {
        var before = Create();
        var none = (NetworkNode)before.Nodes.Single(n => n.Id == Net(NoneNetId));
        var after = DerivedFacts.Complete(before with { Nodes = before.Nodes.Replace(none, none with { Bridge = "if:4026531840:3" }) });
        // Core reports an update (the node was there); the graph never drew it, so it must be added, not patched.
        var core = TopologyDiffer.Compute(before, after, 4);
        Assert.Contains(core.UpdatedNodes, n => n.Id == Net(NoneNetId));
        var diff = CytoscapeElementMapper.ToDiff(new TopologyIndex(before), core);
        Assert.Contains(diff.Add, e => e.Data.Id == Net(NoneNetId));
        Assert.DoesNotContain(diff.Update, e => e.Data.Id == Net(NoneNetId));

        var back = CytoscapeElementMapper.ToDiff(new TopologyIndex(after), TopologyDiffer.Compute(after, before, 5));
        Assert.Contains(Net(NoneNetId), back.Remove);
        Assert.DoesNotContain(back.Update, e => e.Data.Id == Net(NoneNetId));
    }

    [Fact]
    public void Diff_updates_counters_of_a_nat_rule()
    {
        var before = Create();
        var rule = (NatRuleNode)before.Nodes.Single(n => n.Id == "nat:nat:DOCKER:d1");
        var after = before with { Nodes = before.Nodes.Replace(rule, rule with { Parsed = rule.Parsed with { Packets = 43 } }) };
        var diff = CytoscapeElementMapper.ToDiff(new TopologyIndex(before), TopologyDiffer.Compute(before, after, 3));
        var updated = Assert.Single(diff.Update);
        Assert.Equal(43, updated.Data.Packets);
        Assert.Equal("nat:nat:DOCKER:d1", updated.Data.Id);
    }
}
