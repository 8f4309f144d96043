using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Correlation;
using NetViz.Core.Diff;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;
using NetViz.Core.Timeline;
using static NetViz.Core.Tests.Correlation.LessonTopology;

namespace NetViz.Core.Tests.Timeline;

/// <summary>
/// The timeline on the lesson's host: "web" (docker run -p 127.0.0.1:8080:80) appearing is the episode the lesson
/// wants told, in the order Docker does it.
/// </summary>
public sealed class TopologyHistoryTests
{
    /// <summary>The lesson host before <c>docker run -p 127.0.0.1:8080:80 --name web</c> (and its sidecar, which joins web's namespace).</summary>
    internal static TopologySnapshot WithoutWeb()
    {
        var host = HostView();
        host = host with
        {
            Namespaces =
            [
                .. host.Namespaces.Where(n => n.Inode != Web).Select(n => n.IsHost
                    ? n with { Links = [.. n.Links.Where(l => l.Index != 7)], NsIdToInode = n.NsIdToInode.Remove(0) }
                    : n),
            ],
        };
        var docker = LessonTopology.Docker() with { Containers = [.. LessonTopology.Docker().Containers.Where(c => c.Id is not WebId and not SidecarId)] };
        var nat = Nat() with { Rules = [.. Nat().Rules.Where(r => r.Target != "DNAT" && r.Source != "172.17.0.2/32")] };
        return TopologyBuilder.Build(Readings(nat, docker) with { Host = host });
    }

    internal static TopologySnapshot WithWeb() => TopologyBuilder.Build(Readings());

    private static TopologyDiff Diff(TopologySnapshot a, TopologySnapshot b, long sequence) => TopologyDiffer.Compute(a, b, sequence);

    [Fact]
    public void Docker_run_p_is_told_in_the_order_docker_does_it_with_the_real_names_and_graph_ids()
    {
        var (before, after) = (WithoutWeb(), WithWeb());

        var steps = ChangeNarrator.Describe(before, after, Diff(before, after, 2));

        var texts = steps.Select(s => s.Text).ToList();
        int At(string text) => texts.FindIndex(t => t.Contains(text, StringComparison.Ordinal)) is var i and >= 0 ? i : throw new Xunit.Sdk.XunitException($"no step '{text}' in:\n{string.Join("\n", texts)}");
        var order = new[]
        {
            "container web (netviz/busybox:lab) created, running, network mode bridge",
            $"network namespace {Web} (sidecar, web) created",
            "veth veth1a2b3c4 created in the host namespace",
            $"veth eth0 placed in network namespace {Web} (sidecar, web)",
            "veth pair",
            "veth1a2b3c4 enslaved to bridge docker0",
            $"172.17.0.2/16 assigned to eth0 in network namespace {Web}",
            $"route default via 172.17.0.1 dev eth0 added in network namespace {Web}",
            "NAT rule added: DNAT tcp 127.0.0.1:8080 → 172.17.0.2:80",
        }.Select(At).ToList();
        Assert.Equal(order.Order(), order);

        // Each step names graph elements that exist, and the right ones.
        var ids = after.Nodes.Select(n => n.Id).Concat(after.Edges.Select(e => e.Id)).ToHashSet();
        Assert.All(steps, s => Assert.All(s.Elements, id => Assert.Contains(id, ids)));
        var enslaved = steps[At("enslaved to bridge docker0")];
        Assert.Equal(StepKinds.Enslaved, enslaved.Kind);
        Assert.Contains(NodeId.Interface(Host, 7), enslaved.Elements);
        Assert.Contains(NodeId.Interface(Host, 3), enslaved.Elements);
        Assert.Equal(["veth1a2b3c4", "bridge", "docker0"], enslaved.Args.ToArray());
        var dnat = steps[At("NAT rule added: DNAT")];
        Assert.Contains(dnat.Elements, id => after.Nodes.Any(n => n.Id == id && n is NatRuleNode { Target: "DNAT" }));
        // The MASQUERADE rule existed before: it is no step.
        Assert.DoesNotContain(texts, t => t.Contains("172.17.0.0/16 → !docker0", StringComparison.Ordinal));
    }

    [Fact]
    public void Docker_rm_is_told_as_removals_and_a_counter_tick_is_no_change()
    {
        var (with, without) = (WithWeb(), WithoutWeb());

        var steps = ChangeNarrator.Describe(with, without, Diff(with, without, 3));
        Assert.Contains(steps, s => s.Kind == StepKinds.ContainerRemoved && s.Text == "container web removed");
        Assert.Contains(steps, s => s.Kind == StepKinds.NatRemoved && s.Text.Contains("DNAT tcp 127.0.0.1:8080", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Kind == StepKinds.NetnsRemoved && s.Args[0] == Web.ToString());

        var ticked = TopologyBuilder.Build(Readings(Nat() with { Rules = [.. Nat().Rules.Select(r => r with { Packets = r.Packets + 5 })] }));
        var tick = Diff(with, ticked, 4);
        Assert.False(tick.IsEmpty);
        Assert.Empty(ChangeNarrator.Describe(with, ticked, tick));
    }

    [Fact]
    public void Changes_close_in_time_are_one_episode_and_a_pause_starts_the_next()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T09:00:00Z"));
        var history = new TopologyHistory(100, 1 << 20, TimeSpan.FromSeconds(3), time);
        var (a, b) = (WithoutWeb(), WithWeb());

        history.Record(TopologySnapshot.Empty, a, Diff(TopologySnapshot.Empty, a, 1), [ChangeCause.Of("start")]); // the first look: not a change
        history.Record(a, b, Diff(a, b, 2), [ChangeCause.Of("docker-event-named", "container", "start", "aaaaaaaaaaaa", "web")]);
        time.Advance(TimeSpan.FromSeconds(2));
        history.Record(b, a, Diff(b, a, 3), [ChangeCause.Of("netlink", 17)]);
        time.Advance(TimeSpan.FromSeconds(4));
        history.Record(a, b, Diff(a, b, 4), null);

        Assert.Equal([2L, 3L, 4L], history.Entries().Select(e => e.Sequence));
        var episodes = history.Episodes();
        Assert.Equal(2, episodes.Length);
        Assert.Equal(2, episodes[0].Id);
        Assert.Equal([2L, 3L], episodes[0].Entries.Select(e => e.Sequence));
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T09:00:02Z"), episodes[0].End);
        Assert.Equal(["docker container start aaaaaaaaaaaa (web)"], episodes[0].Entries[0].Causes.Select(c => c.Text));
        Assert.StartsWith("container sidecar (netviz/busybox:lab) created", episodes[0].Title); // the first container step (sidecar sorts first)
        Assert.Equal(4, Assert.Single(episodes[1].Entries).Sequence);
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T09:00:06Z"), episodes[1].Start);
    }

    [Fact]
    public void The_history_keeps_at_most_its_entries_and_bytes_dropping_the_oldest()
    {
        var time = new FakeTimeProvider();
        var (a, b) = (WithoutWeb(), WithWeb());
        var byCount = new TopologyHistory(maxEntries: 3, maxBytes: 1 << 20, TimeSpan.FromSeconds(3), time);
        for (var i = 2; i <= 7; i++)
            byCount.Record(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, Diff(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, i), null);
        Assert.Equal([5L, 6L, 7L], byCount.Entries().Select(e => e.Sequence));
        Assert.Equal(3, byCount.Dropped);

        var oneEntryBytes = byCount.Bytes / 3;
        var byBytes = new TopologyHistory(maxEntries: 100, maxBytes: oneEntryBytes * 2, TimeSpan.FromSeconds(3), time);
        for (var i = 2; i <= 7; i++)
            byBytes.Record(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, Diff(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, i), null);
        Assert.InRange(byBytes.Bytes, 1, oneEntryBytes * 2);
        Assert.InRange(byBytes.Count, 1, 2);
        Assert.Equal(7, byBytes.Entries()[^1].Sequence);
    }

    [Fact]
    public void The_broadcaster_records_each_published_diff_with_its_causes_in_sequence_order()
    {
        var history = new TopologyHistory(100, 1 << 20, TimeSpan.FromSeconds(3), new FakeTimeProvider());
        var feed = new TopologyBroadcaster(bufferSize: 8, history: history);

        feed.Publish(WithoutWeb(), [ChangeCause.Of("start")]);
        feed.Publish(WithWeb(), [ChangeCause.Of("docker-event-named", "container", "start", "aaaaaaaaaaaa", "web")]);
        feed.Publish(WithWeb(), [ChangeCause.Of("resync")]); // nothing changed: nothing published, nothing recorded

        var entry = Assert.Single(history.Entries());
        Assert.Equal(feed.Sequence, entry.Sequence);
        Assert.Equal(["docker container start aaaaaaaaaaaa (web)"], entry.Causes.Select(c => c.Text));
    }

    [Fact]
    public void An_episode_exported_as_text_has_its_title_and_numbered_steps()
    {
        var history = new TopologyHistory(100, 1 << 20, TimeSpan.FromSeconds(3), new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T09:00:00Z")));
        var (a, b) = (WithoutWeb(), WithWeb());
        history.Record(a, b, Diff(a, b, 2), [ChangeCause.Of("docker-event-named", "container", "start", "aaaaaaaaaaaa", "web")]);

        var episode = Assert.Single(history.Episodes());
        var lines = TopologyHistory.ToText(episode).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("2026-11-29 09:00:00.000 UTC  container sidecar", lines[0]);
        Assert.Equal("1. " + episode.Entries[0].Steps[0].Text, lines[1]);
        Assert.Equal($"{episode.Steps.Count()}. " + episode.Steps.Last().Text, lines[episode.Steps.Count()]);
        Assert.Equal("Causes: docker container start aaaaaaaaaaaa (web)", lines[^1]);
    }

    [Theory]
    [InlineData("HistoryMaxEntries", "0")]
    [InlineData("HistoryMaxBytes", "100")]
    [InlineData("EpisodeGap", "-00:00:01")]
    public void A_bad_history_setting_is_reported_naming_it(string setting, string value)
    {
        var options = new NetVizOptions();
        switch (setting)
        {
            case "HistoryMaxEntries": options.HistoryMaxEntries = int.Parse(value); break;
            case "HistoryMaxBytes": options.HistoryMaxBytes = long.Parse(value); break;
            default: options.EpisodeGap = TimeSpan.Parse(value); break;
        }
        var result = new NetVizOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.StartsWith($"NetViz:{setting} ", Assert.Single(result.Failures!));
    }
}
