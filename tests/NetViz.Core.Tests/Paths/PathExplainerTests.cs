using System.Collections.Immutable;
using NetViz.Core.Model;
using NetViz.Core.Paths;

namespace NetViz.Core.Tests.Paths;

public sealed class PathExplainerTests
{
    private static PathExplanation Explain(string from, string to, string protocol = "tcp", int? port = 80,
        TopologySnapshot? snapshot = null, PathSysctls? sysctls = null) =>
        PathExplainer.Explain(snapshot ?? PathLab.Snapshot(), sysctls ?? PathSysctls.DockerDefaults, new PathQuery(from, to, protocol, port));

    private static PathHop Stop(PathExplanation e) => e.Hops[Assert.IsType<int>(e.StoppedAt)];

    [Fact]
    public void Two_containers_on_docker0_are_switched_by_the_bridge_and_accepted_by_the_icc_rule()
    {
        var e = Explain("container:web", "container:db");
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        Assert.Null(e.StoppedAt);
        Assert.Contains(e.Hops, h => h.Kind == PathHopKinds.Bridge && h.Detail.Contains("Same bridge: docker0 switches the frame from vethweb to vethdb"));
        var filter = Assert.Single(e.Hops, h => h.Kind == PathHopKinds.Filter);
        Assert.Equal(("FORWARD", 11), (filter.Chain, filter.RulePosition));
        Assert.Equal("-A FORWARD -i docker0 -o docker0 -j ACCEPT", filter.Rule);
        var route = e.Hops.First(h => h.Kind == PathHopKinds.Route);
        Assert.Equal("nsenter --net=/var/run/docker/netns/web1 ip route get 172.17.0.3", route.Command);
        Assert.Equal(PathHopKinds.Deliver, e.Hops[^1].Kind);
        Assert.Equal("netns:" + PathLab.Db, e.Hops[^1].Netns);
    }

    [Fact]
    public void Default_bridge_to_a_user_network_is_dropped_by_docker_isolation_stage_2()
    {
        var e = Explain("web", "app", "icmp", null);
        Assert.Equal(PathVerdicts.Dropped, e.Verdict);
        var stop = Stop(e);
        Assert.Equal(("DOCKER-ISOLATION-STAGE-2", 1), (stop.Chain, stop.RulePosition));
        Assert.Equal("FORWARD#1 DOCKER-USER → DOCKER-USER#1 RETURN → FORWARD#2 DOCKER-ISOLATION-STAGE-1 → DOCKER-ISOLATION-STAGE-1#4 DOCKER-ISOLATION-STAGE-2 → DOCKER-ISOLATION-STAGE-2#1 DROP", stop.Trace);
        Assert.Contains("Docker isolates its networks", e.Reason);
        Assert.StartsWith("Dropped at rule 1 of DOCKER-ISOLATION-STAGE-2", e.Reason);
        Assert.Equal("iptables -t filter -L DOCKER-ISOLATION-STAGE-2 -v -n --line-numbers", stop.Command);
    }

    [Fact]
    public void A_user_network_to_the_default_bridge_is_dropped_at_the_docker0_rule_of_stage_2()
    {
        var e = Explain("app", "db", "icmp", null);
        Assert.Equal(PathVerdicts.Dropped, e.Verdict);
        Assert.Equal(("DOCKER-ISOLATION-STAGE-2", 2), (Stop(e).Chain, Stop(e).RulePosition));
    }

    [Fact]
    public void An_internal_network_has_no_route_out()
    {
        var e = Explain("iso", "outside", "icmp", null);
        Assert.Equal(PathVerdicts.NoRoute, e.Verdict);
        Assert.Contains("container iso has no route to 198.51.100.7", e.Reason);
    }

    [Fact]
    public void An_internal_container_reaches_its_gateway_on_the_host()
    {
        var e = Explain("iso", "host", "icmp", null);
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        Assert.Equal("netns:" + PathLab.Host, e.Hops[^1].Netns);
        Assert.Contains(e.Hops, h => h.Kind == PathHopKinds.Filter && h.Chain == "INPUT" && h.RulePosition is null);
    }

    [Fact]
    public void A_container_to_the_outside_is_masqueraded_and_leaves_by_the_uplink()
    {
        var e = Explain("web", "outside", "tcp", 443);
        Assert.Equal(PathVerdicts.LeavesHost, e.Verdict);
        var masquerade = Assert.Single(e.Hops, h => h.Kind == PathHopKinds.Nat);
        Assert.Equal(("POSTROUTING", 2), (masquerade.Chain, masquerade.RulePosition));
        Assert.Contains("to 10.0.2.15", masquerade.Detail);
        Assert.Contains("10.0.2.15", e.Hops[^1].Packet);
        Assert.Equal(PathHopKinds.Leave, e.Hops[^1].Kind);
    }

    [Fact]
    public void The_host_to_a_loopback_published_port_goes_through_docker_proxy()
    {
        var e = Explain("host", "host:8080");
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        var proxy = Assert.Single(e.Hops, h => h.Kind == PathHopKinds.Proxy);
        Assert.Contains("172.17.0.2:80", proxy.Detail);
        Assert.DoesNotContain(e.Hops, h => h.Kind == PathHopKinds.Nat && h.Chain == "DOCKER");
        Assert.Equal("netns:" + PathLab.Web, e.Hops[^1].Netns);
    }

    [Fact]
    public void The_outside_to_a_published_port_is_dnatted_and_accepted_by_the_docker_chain()
    {
        var e = Explain("outside", "10.0.2.15:8081");
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        var dnat = Assert.Single(e.Hops, h => h.Kind == PathHopKinds.Nat);
        Assert.Equal(("DOCKER", 4), (dnat.Chain, dnat.RulePosition));
        var forward = Assert.Single(e.Hops, h => h.Kind == PathHopKinds.Filter);
        Assert.Equal(("DOCKER", 1), (forward.Chain, forward.RulePosition));
        Assert.Equal("netns:" + PathLab.Web, e.Hops[^1].Netns);
        Assert.Equal(8081, e.Port);
        Assert.Contains("translated from 10.0.2.15", e.Reason);
    }

    [Fact]
    public void The_outside_to_an_unpublished_port_on_the_host_is_delivered_to_the_host()
    {
        var e = Explain("outside", "10.0.2.15:9999");
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        Assert.Equal("netns:" + PathLab.Host, e.Hops[^1].Netns);
    }

    [Fact]
    public void A_manual_bridge_without_accept_rules_meets_the_forward_policy()
    {
        var e = Explain("netns:manual", "netns:far", "icmp", null);
        Assert.Equal(PathVerdicts.Dropped, e.Verdict);
        Assert.Null(Stop(e).RulePosition);
        Assert.Equal("FORWARD", Stop(e).Chain);
        Assert.Contains("policy DROP", e.Reason);
    }

    [Fact]
    public void Without_masquerade_the_far_side_has_no_route_back()
    {
        var snapshot = PathLab.Snapshot(filterExtra: "-A DOCKER-USER -i mbr0 -j ACCEPT\n-A DOCKER-USER -o mbr0 -j ACCEPT");
        var e = Explain("manual", "far", "icmp", null, snapshot);
        Assert.Equal(PathVerdicts.NoRoute, e.Verdict);
        Assert.Equal(PathHopKinds.Reply, Stop(e).Kind);
        Assert.Contains("no route back to 10.77.0.2", e.Reason);
        Assert.Equal("ip netns exec far ip route get 10.77.0.2", Stop(e).Command);
    }

    [Fact]
    public void With_masquerade_the_far_side_answers_the_host_address()
    {
        var snapshot = PathLab.Snapshot(filterExtra: "-A DOCKER-USER -i mbr0 -j ACCEPT\n-A DOCKER-USER -o mbr0 -j ACCEPT",
            natExtra: "-A POSTROUTING -s 10.77.0.0/24 -o vethfar -j MASQUERADE");
        var e = Explain("manual", "far", "tcp", 5000, snapshot);
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        Assert.Contains(e.Hops, h => h.Kind == PathHopKinds.Nat && h.Detail.Contains("to 10.66.0.1"));
    }

    [Fact]
    public void The_reply_is_checked_against_forward_as_an_established_packet()
    {
        // Only the way there is accepted: the reply from far to manual meets the FORWARD policy.
        var snapshot = PathLab.Snapshot(filterExtra: "-A DOCKER-USER -i mbr0 -j ACCEPT", natExtra: "-A POSTROUTING -s 10.77.0.0/24 -o vethfar -j MASQUERADE");
        var e = Explain("manual", "far", "icmp", null, snapshot);
        Assert.Equal(PathVerdicts.Dropped, e.Verdict);
        Assert.Equal(PathHopKinds.Reply, Stop(e).Kind);
        Assert.StartsWith("The reply is dropped at the FORWARD policy", e.Reason);
    }

    [Fact]
    public void A_docker_user_drop_rule_stops_the_packet_at_its_position()
    {
        var snapshot = PathLab.Snapshot(filterExtra: "-A DOCKER-USER -s 172.17.0.3/32 -p tcp -m tcp --dport 443 -j DROP");
        var dropped = Explain("db", "outside", "tcp", 443, snapshot);
        Assert.Equal(PathVerdicts.Dropped, dropped.Verdict);
        Assert.Equal(("DOCKER-USER", 1), (Stop(dropped).Chain, Stop(dropped).RulePosition));
        Assert.Contains("a rule someone added to DOCKER-USER", dropped.Reason);
        // Another port, or another source, passes the same rule.
        Assert.Equal(PathVerdicts.LeavesHost, Explain("db", "outside", "tcp", 80, snapshot).Verdict);
        Assert.Equal(PathVerdicts.LeavesHost, Explain("web", "outside", "tcp", 443, snapshot).Verdict);
    }

    [Fact]
    public void Icc_false_drops_between_containers_of_the_same_bridge_when_bridged_frames_meet_iptables()
    {
        var snapshot = PathLab.Snapshot(filterExtra: "-A FORWARD -i docker0 -o docker0 -j DROP");
        var e = Explain("web", "db", "icmp", null, snapshot);
        Assert.Equal(PathVerdicts.Dropped, e.Verdict);
        Assert.Equal(("FORWARD", 1), (Stop(e).Chain, Stop(e).RulePosition));
        Assert.Contains("icc=false", e.Reason);
        var notSeen = Explain("web", "db", "icmp", null, snapshot, PathSysctls.DockerDefaults with { BridgeNfCallIptables = 0 });
        Assert.Equal(PathVerdicts.Delivered, notSeen.Verdict);
        Assert.DoesNotContain(notSeen.Hops, h => h.Kind == PathHopKinds.Filter);
    }

    [Fact]
    public void A_match_the_model_does_not_know_makes_it_say_it_cannot_decide()
    {
        var snapshot = PathLab.Snapshot(filterExtra: "-A DOCKER-USER -m set --match-set blocked src -j DROP");
        var e = Explain("web", "outside", "icmp", null, snapshot);
        Assert.Equal(PathVerdicts.Undecided, e.Verdict);
        Assert.Equal(("DOCKER-USER", 1), (Stop(e).Chain, Stop(e).RulePosition));
        Assert.Contains("-m set", e.Reason);
        // A rule whose known conditions already fail is skipped, unknown match or not.
        var skipped = PathLab.Snapshot(filterExtra: "-A DOCKER-USER -i nothing0 -m set --match-set blocked src -j DROP");
        Assert.Equal(PathVerdicts.LeavesHost, Explain("web", "outside", "icmp", null, skipped).Verdict);
    }

    [Fact]
    public void Forwarding_off_drops_at_the_host()
    {
        var e = Explain("web", "outside", "icmp", null, sysctls: PathSysctls.DockerDefaults with { IpForward = 0 });
        Assert.Equal(PathVerdicts.Dropped, e.Verdict);
        Assert.Equal(PathHopKinds.Sysctl, Stop(e).Kind);
        Assert.Equal("sysctl net.ipv4.ip_forward", Stop(e).Command);
    }

    [Fact]
    public void Strict_rp_filter_drops_a_spoofed_source_arriving_on_the_wrong_interface()
    {
        var strict = PathSysctls.DockerDefaults with { RpFilterAll = 0, RpFilterByDevice = ImmutableDictionary<string, int>.Empty.Add("eth0", 1) };
        var spoofed = Explain("outside:10.88.0.9", "10.0.2.15:8081", sysctls: strict);
        Assert.Equal(PathVerdicts.Dropped, spoofed.Verdict);
        Assert.Contains("rp_filter", spoofed.Reason);
        Assert.Equal(PathVerdicts.Delivered, Explain("outside:10.88.0.9", "10.0.2.15:8081").Verdict);
        Assert.Equal(PathVerdicts.Delivered, Explain("outside", "10.0.2.15:8081", sysctls: strict).Verdict);
    }

    [Fact]
    public void A_sidecar_uses_the_namespace_it_joins()
    {
        var e = Explain("container:side", "db", "icmp", null);
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        Assert.Equal("netns:" + PathLab.Web, e.Hops[0].Netns);
    }

    [Fact]
    public void The_host_reaches_a_container_through_its_bridge_and_the_longest_prefix_wins()
    {
        var e = Explain("host", "10.66.0.2", "icmp", null);
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        var route = e.Hops.First(h => h.Kind == PathHopKinds.Route);
        Assert.Contains("by 10.66.0.0/24", route.Detail);
        Assert.Contains("out of vethfar", route.Detail);
        Assert.Equal("ip route get 10.66.0.2", route.Command);
        Assert.Contains(e.Hops, h => h.Kind == PathHopKinds.Veth && h.Command == "tcpdump -ni vethfar icmp   # package tcpdump");
    }

    [Fact]
    public void Without_readable_rules_it_says_what_it_assumed()
    {
        var e = Explain("web", "app", "icmp", null, PathLab.Snapshot(withRules: false));
        Assert.Equal(PathVerdicts.Delivered, e.Verdict);
        Assert.Contains(e.Assumptions, a => a.Contains("filter rules were not read"));
    }

    [Fact]
    public void A_hostile_namespace_name_is_quoted_in_every_command()
    {
        var ns = new NetnsNode { Id = "netns:1", Label = "x", Inode = 1, Name = "a;touch PWNED" };
        Assert.Equal("ip netns exec 'a;touch PWNED' ip route", EndpointResolver.NsExec(ns, "ip route"));
    }

    [Theory]
    [InlineData("web", "nobody", "tcp", 80, "no container, namespace or address 'nobody'")]
    [InlineData("container:nobody", "web", "tcp", 80, "no container 'nobody'")]
    [InlineData("web", "db", "sctp", 80, "protocol must be tcp, udp or icmp")]
    [InlineData("web", "db", "tcp", null, "tcp needs a port")]
    [InlineData("web", "host:99999", "tcp", null, "not a port")]
    [InlineData("web", "outside:not-an-ip", "tcp", 80, "is not an IP address")]
    [InlineData("10.1.2.3", "web", "icmp", null, "no namespace owns 10.1.2.3")]
    public void A_query_it_cannot_resolve_is_an_error_not_a_verdict(string from, string to, string protocol, int? port, string message)
    {
        var e = Assert.Throws<PathQueryException>(() => Explain(from, to, protocol, port));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void An_endpoint_longer_than_the_limit_is_refused()
    {
        Assert.Throws<PathQueryException>(() => Explain(new string('a', 300), "db"));
    }
}
