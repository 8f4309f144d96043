using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Traffic;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// The details drawer of an interface or veth cable shows its traffic rates, from counters whose samples are exactly
/// one second apart (2 KiB and 10 packets received, 512 B and 4 packets sent per second by web's host-side veth), and
/// samples only while such a drawer is open.
/// </summary>
public sealed class DrawerTrafficTests : DashboardTestContext
{
    private const string HostVeth = "if:4026531840:7", WebEth0 = "if:4026532301:6";
    private readonly SteadyCounters _counters = new();

    protected override ITrafficCounterSource? TrafficOverride => _counters;

    private TrafficMonitor Monitor => Services.GetRequiredService<TrafficMonitor>();

    private IRenderedComponent<ElementDetails> Open(string id) =>
        Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Create())).Add(x => x.ElementId, id));

    private static (string Rx, string Tx) Rows(IRenderedComponent<ElementDetails> details) =>
        (details.Find("[data-testid='traffic-rx']").TextContent, details.Find("[data-testid='traffic-tx']").TextContent);

    [Fact]
    public async Task A_host_veth_shows_its_own_rates_and_sampling_stops_when_the_drawer_closes()
    {
        var details = Open(HostVeth);
        details.WaitForAssertion(() =>
        {
            var (rx, tx) = Rows(details);
            Assert.Equal("Received2.0 KB/s10 pkt/s", rx);
            Assert.Equal("Sent512 B/s4 pkt/s", tx);
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(HostVeth, details.Find("[data-testid='traffic']").GetAttribute("data-measured-id"));
        Assert.Empty(details.FindAll("[data-testid='traffic-via']"));
        Assert.True(Monitor.Sampling);

        await DisposeComponentsAsync();
        Assert.False(Monitor.Sampling);
        var reads = _counters.Reads;
        await Task.Delay(200);
        Assert.Equal(reads, _counters.Reads);
    }

    [Fact]
    public void A_container_interface_is_measured_on_its_host_peer_with_the_directions_swapped()
    {
        var details = Open(WebEth0);
        details.WaitForAssertion(() =>
        {
            var (rx, tx) = Rows(details);
            Assert.Equal("Received512 B/s4 pkt/s", rx);
            Assert.Equal("Sent2.0 KB/s10 pkt/s", tx);
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(HostVeth, details.Find("[data-testid='traffic']").GetAttribute("data-measured-id"));
        Assert.Contains("veth1a2b3c4", details.Find("[data-testid='traffic-via']").TextContent);
    }

    [Fact]
    public void A_veth_cable_is_shown_from_its_host_end()
    {
        var details = Open("veth:web");
        details.WaitForAssertion(() => Assert.Equal("Received2.0 KB/s10 pkt/s", Rows(details).Rx), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void An_interface_without_a_host_side_is_not_measured_and_a_namespace_has_no_traffic_section()
    {
        var lo = Open("if:4026532301:1");
        Assert.Contains("host namespace", lo.Find("[data-testid='traffic-not-measured']").TextContent);
        Assert.False(Monitor.Sampling);
        Assert.Empty(Open(WebNs).FindAll("[data-testid='traffic']"));
        Assert.False(Monitor.Sampling);
    }

    [Fact]
    public void A_host_interface_missing_from_the_samples_gets_no_made_up_rate()
    {
        var docker0 = Open("if:4026531840:3"); // the samples hold web's veth only
        docker0.WaitForAssertion(() => Assert.Contains("No counter", docker0.Find("[data-testid='traffic-measuring']").TextContent), TimeSpan.FromSeconds(30));
        Assert.Empty(docker0.FindAll("[data-testid='traffic-table']"));
    }

    /// <summary>Web's host veth: one sample per read, each exactly one second after the last.</summary>
    private sealed class SteadyCounters : ITrafficCounterSource
    {
        private long _reads;
        public long Reads => Interlocked.Read(ref _reads);

        public TrafficSample Read(DateTimeOffset at)
        {
            var n = (ulong)Interlocked.Increment(ref _reads);
            return new TrafficSample(DateTimeOffset.UnixEpoch.AddSeconds(n), HostInode,
                [new LinkCounterReading(7, "veth1a2b3c4", new LinkCounters(RxPackets: n * 10, TxPackets: n * 4, RxBytes: n * 2048, TxBytes: n * 512, 0, 0, 0, 0))]);
        }
    }
}
