using NetViz.Core.Correlation;
using NetViz.Core.Live;
using NetViz.Core.Sources;
using NetViz.Core.Tests.Correlation;

namespace NetViz.Core.Tests.Live;

public sealed class ResyncAuditTests
{
    private static readonly SourceReadings Lesson = LessonTopology.Readings();

    private static SourceReadings WithNamespace(SourceReadings r, ulong inode, Func<NetworkNamespaceView, NetworkNamespaceView> change) => r with
    {
        Host = r.Host with { Namespaces = [.. r.Host.Namespaces.Select(n => n.Inode == inode ? change(n) : n)] },
    };

    [Fact]
    public void Identical_snapshots_and_traffic_counters_pids_and_paths_are_no_finding()
    {
        var before = TopologyBuilder.Build(Lesson);
        Assert.Null(ResyncAudit.Describe(before, TopologyBuilder.Build(Lesson)));

        var churned = WithNamespace(Lesson, LessonTopology.Web, n => n with
        {
            Pids = [4242, 4243],
            Paths = ["/proc/4242/ns/net"],
            Links = [.. n.Links.Select(l => l with { Counters = new LinkCounters(10, 20, 1000, 2000, 0, 0, 0, 0) })],
        });
        churned = churned with { Nat = churned.Nat with { Rules = [.. churned.Nat.Rules.Select(r => r with { Packets = r.Packets + 7, Bytes = r.Bytes + 700 })] } };
        var after = TopologyBuilder.Build(churned);
        Assert.False(TopologyDiffIsEmpty(before, after)); // the counters did change the snapshot...
        Assert.Null(ResyncAudit.Describe(before, after));   // ...but no event announces them: not a miss
    }

    private static bool TopologyDiffIsEmpty(NetViz.Core.Model.TopologySnapshot a, NetViz.Core.Model.TopologySnapshot b) =>
        NetViz.Core.Diff.TopologyDiffer.Compute(a, b, 1).IsEmpty;

    [Fact]
    public void A_missed_address_a_missed_link_and_a_ghost_are_named()
    {
        var before = TopologyBuilder.Build(Lesson);
        var missed = WithNamespace(Lesson, LessonTopology.Web, n => n with
        {
            Links = [.. n.Links, new LinkInfo { Index = 6, Name = "eth1", Type = "veth", Up = true }],
            Addresses = [.. n.Addresses, new AddressInfo { Index = 5, Family = 4, Address = "10.45.0.2", PrefixLength = 24, Scope = "global" }],
        });
        missed = missed with { Host = missed.Host with { Namespaces = [.. missed.Host.Namespaces.Where(n => n.Inode != LessonTopology.None)] } };
        var summary = ResyncAudit.Describe(before, TopologyBuilder.Build(missed));

        Assert.NotNull(summary);
        Assert.Contains($"added 1: {TopologyBuilder.InterfaceId(LessonTopology.Web, 6)}", summary);
        Assert.Contains(TopologyBuilder.NetnsId(LessonTopology.None), summary[summary.IndexOf("removed", StringComparison.Ordinal)..]);
        Assert.Contains($"{TopologyBuilder.InterfaceId(LessonTopology.Web, 5)} (addresses)", summary);
    }

    [Fact]
    public void The_summary_is_bounded()
    {
        var before = TopologyBuilder.Build(Lesson);
        var many = WithNamespace(Lesson, LessonTopology.Web, n => n with
        {
            Links = [.. n.Links, .. Enumerable.Range(100, 500).Select(i => new LinkInfo { Index = i, Name = new string('x', 15) + i, Type = "veth" })],
        });
        var summary = ResyncAudit.Describe(before, TopologyBuilder.Build(many))!;
        Assert.StartsWith("added 500: ", summary);
        Assert.InRange(summary.Length, 1, 2000);
        Assert.EndsWith(", ...", summary);
    }
}
