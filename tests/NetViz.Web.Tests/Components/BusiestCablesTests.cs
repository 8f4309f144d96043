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
