using AngleSharp.Dom;
using Bunit;
using NetViz.Web.Components.Pages;
using NetViz.Web.Graph;
using NetViz.Web.Tests.Fakes;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

public class TablePagesTests : DashboardTestContext
{
    private static string Cell(IElement row, string column) => row.QuerySelector($"[data-col='{column}']")!.TextContent.Trim();

    [Fact]
    public void Containers_page_has_one_row_per_container_with_its_values()
    {
        var page = Render<Containers>();
        var rows = page.FindAll("[data-testid='containers-table'] tbody tr");
        Assert.Equal(["db", "hostnet", "isolated", "sidecar", "web"], rows.Select(r => Cell(r, "name")));
        var web = rows.Single(r => Cell(r, "name") == "web");
        Assert.Equal(WebPid.ToString(), Cell(web, "pid"));
        Assert.Equal("bridge: 172.17.0.2/16", Cell(web, "ips"));
        Assert.Equal("127.0.0.1:8080→80/tcp", Cell(web, "ports"));
        var sidecar = rows.Single(r => Cell(r, "name") == "sidecar");
        Assert.Contains("shares with web", Cell(sidecar, "netns"));
        Assert.Equal("container:web", Cell(sidecar, "mode"));
        Assert.Equal("container:" + WebId, sidecar.QuerySelector("[data-col='mode']")!.GetAttribute("title"));
        Assert.Equal("appnet: 172.18.0.2/16", Cell(rows.Single(r => Cell(r, "name") == "db"), "ips"));
    }

    [Fact]
    public void Containers_page_follows_the_feed()
    {
        var page = Render<Containers>();
        Feed.Publish(WithCacheContainer(Feed.Current));
        page.WaitForAssertion(() =>
            Assert.Contains("cache", page.FindAll("[data-testid='containers-table'] tbody tr").Select(r => Cell(r, "name"))));
    }

    [Fact]
    public void Networks_page_shows_bridge_subnet_gateway_and_attached_containers()
    {
        var page = Render<Networks>();
        var rows = page.FindAll("[data-testid='networks-table'] tbody tr");
        Assert.Equal(["appnet", "bridge", "none"], rows.Select(r => Cell(r, "name")));
        var bridge = rows.Single(r => Cell(r, "name") == "bridge");
        Assert.Equal("docker0", Cell(bridge, "bridge"));
        Assert.Equal("172.17.0.0/16", Cell(bridge, "subnets"));
        Assert.Equal("172.17.0.1", Cell(bridge, "gateways"));
        Assert.Contains("web 172.17.0.2/16", Cell(bridge, "containers"));
        Assert.DoesNotContain("db", Cell(bridge, "containers"));
    }

    [Fact]
    public void Nat_page_groups_rules_by_chain_like_iptables_L()
    {
        var page = Render<NatRules>();
        Assert.Equal(["Chain POSTROUTING", "Chain DOCKER"], page.FindAll("[data-testid='nat-chain']").Select(c => c.TextContent.Trim()));
        var dnat = page.Find("[data-rule-id='nat:nat:DOCKER:d1']");
        Assert.Equal("42", Cell(dnat, "pkts"));
        Assert.Equal("DNAT", Cell(dnat, "target"));
        Assert.Equal("tcp", Cell(dnat, "prot"));
        Assert.Equal("!docker0", Cell(dnat, "in"));
        Assert.Equal("127.0.0.1/32", Cell(dnat, "destination"));
        Assert.Equal("tcp dpt:8080 to:172.17.0.2:80", Cell(dnat, "extra"));
        var masquerade = page.Find("[data-rule-id='nat:nat:POSTROUTING:m1']");
        Assert.Equal("!docker0", Cell(masquerade, "out"));
        Assert.Equal("172.17.0.0/16", Cell(masquerade, "source"));
        Assert.Equal("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", Cell(masquerade, "rule"));
    }

    [Fact]
    public void Nat_page_lists_every_rule_but_links_only_translating_rules_to_the_graph()
    {
        var page = Render<NatRules>();
        var ret = page.Find("[data-rule-id='nat:nat:DOCKER:r1']");
        Assert.Equal("RETURN", Cell(ret, "target"));
        Assert.Empty(ret.QuerySelectorAll("a[href*='focus=']"));
        var dnat = page.Find("[data-rule-id='nat:nat:DOCKER:d1']");
        Assert.Equal(GraphLinks.Focus("nat:nat:DOCKER:d1"), dnat.QuerySelector("a[href*='focus=']")!.GetAttribute("href"));
    }

    [Fact]
    public void Nat_page_marks_a_rule_nothing_jumps_to_as_unreachable_without_a_graph_link_and_says_when_rules_are_incomplete()
    {
        var before = Create();
        Feed.Publish(before with
        {
            Nodes = [.. before.Nodes.Select(n => n.Id == "nat:nat:DOCKER:d1" && n is NetViz.Core.Model.NatRuleNode rule ? rule with { Parsed = rule.Parsed with { Reachable = false } } : n)],
            Sources = before.Sources with { Nat = before.Sources.Nat with { Ok = false, Degraded = true, Error = "NAT rules incomplete: more than 5000 rules: only the first 5000 were read." } },
        });

        var page = Render<NatRules>();

        var dnat = page.Find("[data-rule-id='nat:nat:DOCKER:d1']");
        Assert.Equal("false", dnat.GetAttribute("data-reachable"));
        Assert.Empty(dnat.QuerySelectorAll("a[href*='focus=']"));
        Assert.Equal("true", page.Find("[data-rule-id='nat:nat:DOCKER:r1']").GetAttribute("data-reachable"));
        Assert.Contains("more than 5000 rules", page.Find("[data-testid='nat-degraded']").TextContent);
        Assert.Empty(page.FindAll("[data-testid='nat-unavailable']"));
        Assert.False(CytoscapeElementMapper.IsDrawn(Feed.Current.Nodes.Single(n => n.Id == "nat:nat:DOCKER:d1")));
    }

    [Fact]
    public async Task Disposing_a_page_unsubscribes_from_the_feed()
    {
        Render<NatRules>();
        Assert.Equal(1, Feed.SubscriberCount);
        await DisposeComponentsAsync();
        Assert.Equal(0, Feed.SubscriberCount);
    }
}
