using System.Globalization;
using System.Text.RegularExpressions;
using Bunit;
using NetViz.Core.Model;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using static NetViz.Web.Tests.Components.ElementExplanationTests;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// The drawer's explanations in Korean (issue 13): each sentence is the Korean resource filled with the element's real
/// values (read here from the snapshot, not copied from the text), and no English sentence is left for any mode.
/// </summary>
public sealed partial class KoreanExplanationTests : DashboardTestContext, IDisposable
{
    private static readonly CultureInfo Korean = Fakes.Korean.Culture;
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;
    private readonly TopologySnapshot _lab = Lab();

    void IDisposable.Dispose() => CultureInfo.CurrentUICulture = _culture;

    [GeneratedRegex("[\uAC00-\uD7A3]")]
    private static partial Regex Hangul();

    private static string Ko(string key, params object[] args) => Fakes.Korean.Text(key, args);

    /// <summary>The drawer's headings and sentences for <paramref name="id"/> in <paramref name="language"/>.</summary>
    private (List<string> Headings, List<string> Sentences) Drawer(string id, string language, TopologySnapshot? snapshot = null)
    {
        CultureInfo.CurrentUICulture = new CultureInfo(language);
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(snapshot ?? _lab)).Add(x => x.ElementId, id));
        var headings = details.FindAll("[data-testid='explanation-section'] .details-heading").Select(e => e.TextContent.Trim()).ToList();
        var sentences = details.FindAll("[data-testid='explanation']").Select(e => e.TextContent.Trim()).ToList();
        return (headings, sentences);
    }

    private T NodeOf<T>(string id) where T : TopologyNode => Assert.IsType<T>(_lab.Nodes.Single(n => n.Id == id));

    /// <summary>"lo 127.0.0.1/8, eth0 ..." of a namespace, as ip addr lists them (first IPv4 address per link).</summary>
    private string Interfaces(ulong inode) => string.Join(", ", _lab.Nodes.OfType<InterfaceNode>().Where(i => i.NetnsInode == inode).OrderBy(i => i.Ifindex)
        .Select(i => i.Addresses.FirstOrDefault(a => a.Family == 4) is { } a ? $"{i.Name} {a.Cidr}" : i.Name));

    [Fact]
    public void A_none_container_is_explained_in_korean_with_its_name_inode_and_only_lo()
    {
        var container = NodeOf<ContainerNode>(Ctr(IsolatedId));
        var netns = NodeOf<NetnsNode>(container.Netns!);
        var (headings, sentences) = Drawer(container.Id, "ko");

        Assert.Equal([Ko("Explain.HowItIsNetworked"), Ko("Explain.Routes")], headings);
        Assert.Equal([Ko("Explain.ModeNone", container.Name, netns.Inode.ToString(CultureInfo.InvariantCulture), Interfaces(netns.Inode)), Ko("Explain.NoRoutes")], sentences);
    }

    [Fact]
    public void A_host_mode_container_is_explained_in_korean_with_the_hosts_inode_and_gateway()
    {
        var container = NodeOf<ContainerNode>(Ctr(HostnetId));
        var host = NodeOf<NetnsNode>(container.Netns!);
        var route = host.Routes.Single(r => r.Destination == "default");
        var (_, sentences) = Drawer(container.Id, "ko");

        Assert.Equal([Ko("Explain.ModeHost", container.Name, host.Inode.ToString(CultureInfo.InvariantCulture)),
            Ko("Explain.LikeTheHost") + " " + Ko("Explain.DefaultRoute", "", route.Gateway!, route.Dev!)], sentences);
    }

    [Fact]
    public void A_bridged_container_is_explained_in_korean_with_its_veth_peer_bridge_gateway_and_published_port()
    {
        var container = NodeOf<ContainerNode>(Ctr(WebId));
        var attachment = container.Networks.Single();
        var netns = NodeOf<NetnsNode>(container.Netns!);
        var eth0 = _lab.Nodes.OfType<InterfaceNode>().Single(i => i.NetnsInode == netns.Inode && i.Addresses.Any(a => a.Address == attachment.IPAddress));
        var peer = NodeOf<InterfaceNode>(eth0.Peer!);
        var bridge = NodeOf<InterfaceNode>(peer.Master!);
        var port = container.Ports.Single();
        var route = netns.Routes.Single(r => r.Destination == "default");
        var (headings, sentences) = Drawer(container.Id, "ko");

        Assert.Equal([Ko("Explain.HowItIsNetworked"), Ko("Explain.Routes"), Ko("Explain.PublishedPorts")], headings);
        Assert.Equal(Ko("Explain.OnBridge.Default.Gateway", attachment.Name, $"{eth0.Name} ({attachment.IPAddress}/{attachment.PrefixLength})", peer.Name, bridge.Name,
            attachment.Gateway!) + " " + Ko("Explain.DnsDefault"), sentences[0]);
        Assert.Equal(Ko("Explain.DefaultRoute", "", route.Gateway!, route.Dev!), sentences[1]);
        var dnat = _lab.Nodes.OfType<NatRuleNode>().Single(r => r.Target == "DNAT" && r.HostPort == port.HostPort);
        Assert.Equal(Ko("Explain.Published.To", port.HostIp!, port.HostPort!.Value, port.ContainerPort, port.Protocol, dnat.ToIp!) + " " +
            Ko("Explain.LoopbackViaProxy", port.HostPort!.Value, port.ProxyPid!.Value, port.HostIp!), sentences[2]);
    }

    [Theory]
    [InlineData("nat:nat:DOCKER:d1")]
    [InlineData("nat:nat:POSTROUTING:m1")]
    public void A_nat_gate_is_explained_in_korean_with_its_real_addresses_ports_and_counter(string id)
    {
        var rule = NodeOf<NatRuleNode>(id);
        var (headings, sentences) = Drawer(id, "ko");

        Assert.Equal([Ko("Explain.WhatThisIs")], headings);
        var packets = rule.Packets.ToString(CultureInfo.InvariantCulture);
        if (rule.Target == "DNAT")
        {
            Assert.Equal(Ko("Explain.Dnat.NotIn", rule.Protocol!, rule.HostIp!, rule.HostPort!.Value, rule.ToIp!, rule.ToPort!.Value, packets, rule.InInterface!), sentences[0]);
            var proxy = NodeOf<ContainerNode>(Ctr(WebId)).Ports.Single().ProxyPid!.Value;
            Assert.Equal(Ko("Explain.LoopbackViaProxy", rule.HostPort!.Value, proxy, rule.HostIp!), sentences[1]);
        }
        else
        {
            Assert.Equal([Ko("Explain.Masquerade", rule.Source!, Ko("Explain.AnyInterfaceBut", rule.OutInterface!), packets)], sentences);
        }
    }

    public static TheoryData<string> EveryMode() =>
    [
        Ctr(IsolatedId), Ctr(HostnetId), Ctr(WebId), Ctr(DbId), Ctr(VaultId), Ctr(SidecarId), Ctr(MacId),
        Lab1Ns, HostNs, WebNs, IsolatedNs, NodeId.Netns(MacInode),
        Net(BridgeNetId), Net(AppnetId), Net(NoneNetId), Net(MacvlanNetId), Net(InternalNetId),
        "nat:nat:POSTROUTING:m1", "nat:nat:DOCKER:d1", "nat:nat:DOCKER:r1", NodeId.External,
        "if:4026531840:3", "if:4026531840:7", "if:4026531840:2", "if:4026532301:1", NodeId.Interface(MacInode, 5),
    ];

    [Theory]
    [MemberData(nameof(EveryMode))]
    public void No_english_sentence_is_left_in_the_korean_drawer(string id)
    {
        var english = Drawer(id, "en");
        var korean = Drawer(id, "ko");

        Assert.NotEmpty(korean.Sentences);
        Assert.Equal(english.Sentences.Count, korean.Sentences.Count);
        Assert.All(korean.Headings.Concat(korean.Sentences), text => Assert.Matches(Hangul(), text));
        Assert.Empty(korean.Sentences.Intersect(english.Sentences));
        Assert.All(english.Sentences, text => Assert.DoesNotMatch(Hangul(), text));
    }

    [Theory]
    [MemberData(nameof(EveryMode))]
    public void The_korean_drawers_commands_stay_as_they_are_and_what_they_show_is_said_in_korean(string id)
    {
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        var english = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(_lab)).Add(x => x.ElementId, id));
        CultureInfo.CurrentUICulture = Korean;
        var korean = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(_lab)).Add(x => x.ElementId, id));

        // The commands are the same shell text in both languages: never translated.
        Assert.Equal(english.FindAll("[data-testid='command']").Select(c => c.TextContent), korean.FindAll("[data-testid='command']").Select(c => c.TextContent));
        Assert.NotEmpty(korean.FindAll("[data-testid='command']"));
        // What each shows, the kind chip, the relation of each related element and the well-known field names are Korean.
        var said = korean.FindAll("[data-testid='hint-explanation']").Select(e => e.TextContent.Trim())
            .Concat(korean.FindAll("[data-testid='related-link'] [data-relation]").Select(e => e.TextContent.Trim()))
            .Concat(korean.FindAll("[data-kind]").Select(e => e.TextContent.Trim()))
            .Concat(korean.FindAll("[data-testid='details-props'] tr[data-field='name'] th, [data-testid='details-props'] tr[data-field='type'] th").Select(e => e.TextContent.Trim()))
            .ToList();
        Assert.NotEmpty(said);
        Assert.All(said, text => Assert.Matches(Hangul(), text));
        // The relation stays the same id for code (data-relation) whatever the language.
        Assert.Equal(english.FindAll("[data-relation]").Select(e => e.GetAttribute("data-relation")), korean.FindAll("[data-relation]").Select(e => e.GetAttribute("data-relation")));
    }

    [Fact]
    public void A_korean_command_hint_is_the_resource_filled_with_the_real_pid()
    {
        var container = NodeOf<ContainerNode>(Ctr(WebId));
        CultureInfo.CurrentUICulture = Korean;
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(_lab)).Add(x => x.ElementId, container.Id));

        Assert.Contains(Ko("Hint.Pid", container.Pid.ToString(CultureInfo.InvariantCulture)),
            details.FindAll("[data-testid='hint-explanation']").Select(e => e.TextContent.Trim()));
    }

    [Fact]
    public void A_related_outside_world_is_named_in_korean()
    {
        CultureInfo.CurrentUICulture = Korean;
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(_lab)).Add(x => x.ElementId, "nat:nat:POSTROUTING:m1"));

        var outside = details.FindAll("[data-testid='related-link']").Single(e => e.GetAttribute("data-related-id") == NodeId.External);
        Assert.Equal(Ko("Graph.Outside"), outside.QuerySelector(".details-wrap")!.TextContent.Trim());
    }

    [Fact]
    public void Every_edge_kind_is_explained_in_korean_too()
    {
        var edges = _lab.Edges.GroupBy(e => e.Kind).Select(g => g.First().Id).ToList();
        Assert.True(edges.Count >= 4, string.Join(", ", edges));
        foreach (var id in edges)
        {
            var korean = Drawer(id, "ko");
            Assert.All(korean.Headings.Concat(korean.Sentences), text => Assert.Matches(Hangul(), text));
        }
    }

    [Fact]
    public void A_hostile_name_is_an_argument_of_the_korean_sentence_not_part_of_its_format_and_is_escaped()
    {
        const string hostile = "x{0}{1}<b>y</b>";
        var snapshot = _lab with
        {
            Nodes = [.. _lab.Nodes.Select(n => n is ContainerNode { Name: "isolated" } c ? c with { Name = hostile, Label = hostile } : n)],
        };
        CultureInfo.CurrentUICulture = Korean;
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(snapshot)).Add(x => x.ElementId, Ctr(IsolatedId)));

        var first = details.FindAll("[data-testid='explanation']")[0];
        Assert.Equal(Ko("Explain.ModeNone", hostile, IsolatedInode.ToString(CultureInfo.InvariantCulture), Interfaces(IsolatedInode)), first.TextContent.Trim());
        Assert.Empty(first.QuerySelectorAll("b"));
    }
}
