using Bunit;
using NetViz.Core.Model;
using NetViz.Core.Traffic;
using NetViz.Web.Components.Shared;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Components;

public sealed class BusiestCablesTests : DashboardTestContext
{
    [Fact]
    public async Task It_lists_the_busy_cable_with_its_rates_and_stops_sampling_when_closed()
    {
        var snapshot = SampleTopology.Create();
        var web = snapshot.Nodes.OfType<InterfaceNode>().First(i => i.InHostNamespace && i.Peer is not null);
        var cut = Render<BusiestCables>(p => p.Add(c => c.Snapshot, snapshot));
        cut.WaitForAssertion(() =>
        {
            var row = cut.Find("[data-testid='busiest-row']");
            Assert.Equal(web.Id, row.GetAttribute("data-id"));
            Assert.StartsWith(web.Name + " → ", row.QuerySelector("td")!.TextContent);
            Assert.Contains("pkt", row.TextContent);
            // An interface without a cable says whose it is: every namespace has its own eth0 and lo.
            var second = cut.FindAll("[data-testid='busiest-row']")[1];
            Assert.Equal(FakeTrafficCounters.HostNic.Id, second.GetAttribute("data-id"));
            Assert.Equal($"{FakeTrafficCounters.HostNic.Name} · {snapshot.Host.Hostname}", second.QuerySelector("td")!.TextContent);
        }, TimeSpan.FromSeconds(30));
        var monitor = Services.GetService(typeof(TrafficMonitor)) as TrafficMonitor;
        Assert.True(monitor!.Sampling);

        await cut.Instance.DisposeAsync();
        Assert.False(monitor.Sampling);
        var reads = Traffic.Reads;
        await Task.Delay(200);
        Assert.Equal(reads, Traffic.Reads);
    }

    [Theory]
    [InlineData(512d, "512 B")]
    [InlineData(2048d, "2.0 KB")]
    [InlineData(3.5 * 1024 * 1024, "3.5 MB")]
    public void Rates_are_written_for_people(double bytes, string text) => Assert.Equal(text, BusiestCables.FormatBytes(bytes));
}

public sealed class BusiestNatGatesTests : DashboardTestContext
{
    [Fact]
    public void A_newer_snapshot_with_grown_counters_lists_the_gate_with_its_rate()
    {
        var before = SampleTopology.Create();
        var rule = before.Nodes.OfType<NatRuleNode>().First();
        var after = before with
        {
            GeneratedAt = before.GeneratedAt.AddSeconds(2),
            Nodes = [.. before.Nodes.Select(n => n.Id == rule.Id ? rule with { Parsed = rule.Parsed with { Packets = rule.Packets + 20, Bytes = rule.Bytes + 4096 } } : n)],
        };
        var cut = Render<BusiestCables>(p => p.Add(c => c.Snapshot, before));
        Assert.Empty(cut.FindAll("[data-testid='nat-gate-row']"));
        cut.Render(p => p.Add(c => c.Snapshot, after));
        var row = cut.Find("[data-testid='nat-gate-row']");
        Assert.Equal(rule.Id, row.GetAttribute("data-id"));
        Assert.Contains("2.0 KB", row.TextContent);
        Assert.Contains("10 pkt", row.TextContent);
    }
}
