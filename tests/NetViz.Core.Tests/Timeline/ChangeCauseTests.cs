using System.Collections.Immutable;
using System.Text.Json;
using NetViz.Core.Collection;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Timeline;

namespace NetViz.Core.Tests.Timeline;

public sealed class ChangeCauseTests
{
    [Fact]
    public void A_docker_event_is_a_kind_with_its_values_and_the_english_it_always_said()
    {
        var e = new DockerEvent("container", "start", "aaaaaaaaaaaabbbb", ImmutableDictionary<string, string>.Empty.Add("name", "web"));
        var cause = Assert.Single(RefreshPlan.ForDockerEvent(e)!.Reasons);
        Assert.Equal("docker-event-named", cause.Kind);
        Assert.Equal(new[] { "container", "start", "aaaaaaaaaaaa", "web" }, cause.Args.ToArray());
        Assert.Equal("docker container start aaaaaaaaaaaa (web)", cause.Text);
        var unnamed = Assert.Single(RefreshPlan.ForDockerEvent(e with { Attributes = ImmutableDictionary<string, string>.Empty })!.Reasons);
        Assert.Equal("docker container start aaaaaaaaaaaa", unnamed.Text);
    }

    [Fact]
    public void In_json_a_cause_is_its_english_text_as_before()
    {
        var entry = new TimelineEntry
        {
            Sequence = 2,
            At = DateTimeOffset.UnixEpoch,
            Causes = [ChangeCause.Of("netlink", "RTM_NEWLINK"), ChangeCause.Of("netns-netlink", "RTM_NEWADDR", 7UL).AndMoreNamespaces(3)],
        };
        var json = JsonSerializer.Serialize(entry, TopologyJson.Options);
        Assert.Contains("\"causes\":[\"netlink message RTM_NEWLINK\",\"RTM_NEWADDR in netns 7 (and 3 more namespaces)\"]", json);
        var back = JsonSerializer.Deserialize<TimelineEntry>(json, TopologyJson.Options)!;
        Assert.Equal(entry.Causes.Select(c => c.Text), back.Causes.Select(c => c.Text));
    }

    [Fact]
    public void Values_are_bounded_and_never_read_as_formats()
    {
        var name = "{0}{1}<b>" + new string('x', 500);
        var cause = ChangeCause.Of("docker-event-named", "container", "start", "abc", name);
        Assert.True(cause.Args[3].Length <= ChangeCause.MaxArgLength + 1);
        Assert.StartsWith("docker container start abc ({0}{1}<b>xxx", cause.Text);
        Assert.True(cause.Text.Length <= ChangeCause.MaxTextLength + 1);
        Assert.Throws<ArgumentException>(() => ChangeCause.Of("no-such-kind"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangeCause.Of("netlink"));
    }

    [Fact]
    public void The_same_cause_twice_is_one_cause()
    {
        Assert.Equal(ChangeCause.Of("netlink", "RTM_NEWLINK"), ChangeCause.Of("netlink", "RTM_NEWLINK"));
        Assert.Single(new[] { ChangeCause.Of("resync"), ChangeCause.Of("resync") }.Distinct());
        Assert.NotEqual(ChangeCause.Of("netlink", "RTM_NEWLINK"), ChangeCause.Said("netlink message RTM_NEWLINK"));
    }
}
