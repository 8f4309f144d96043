using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Sources;
using NetViz.Core.Traffic;

namespace NetViz.Core.Tests.Traffic;

public sealed class TrafficRatesTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-29T10:00:00Z");

    private static LinkCounterReading Link(int index, string name, ulong rxBytes, ulong txBytes, ulong rxPackets = 0, ulong txPackets = 0) =>
        new(index, name, new LinkCounters(rxPackets, txPackets, rxBytes, txBytes, 0, 0, 0, 0));

    [Fact]
    public void Rates_are_the_counter_deltas_over_the_elapsed_time()
    {
        var before = new TrafficSample(T0, 7, [Link(5, "veth1", 1000, 2000, 10, 20), Link(6, "docker0", 0, 0)]);
        var after = new TrafficSample(T0.AddSeconds(2), 7, [Link(5, "veth1", 5000, 2600, 50, 26), Link(6, "docker0", 0, 0)]);
        var rates = TrafficRates.Between(before, after);
        var veth = Assert.Single(rates.Interfaces, r => r.Name == "veth1");
        Assert.Equal(("if:7:5", 2000d, 300d, 20d, 3d), (veth.InterfaceId, veth.RxBytesPerSecond, veth.TxBytesPerSecond, veth.RxPacketsPerSecond, veth.TxPacketsPerSecond));
        Assert.Equal(["veth1"], rates.Busiest(5).Select(r => r.Name));
    }

    [Fact]
    public void A_reused_ifindex_a_reset_or_a_new_link_gives_no_rate_rather_than_a_wrong_one()
    {
        var before = new TrafficSample(T0, 7, [Link(5, "veth1", 1000, 1000), Link(6, "veth2", 9000, 9000)]);
        var after = new TrafficSample(T0.AddSeconds(1), 7, [Link(5, "vethNEW", 3000, 3000), Link(6, "veth2", 100, 100), Link(8, "veth3", 50, 50)]);
        Assert.Empty(TrafficRates.Between(before, after).Interfaces);
        Assert.Empty(TrafficRates.Between(after, before).Interfaces); // time going backwards
    }

    [Fact]
    public void The_busiest_list_is_ordered_and_bounded()
    {
        var before = new TrafficSample(T0, 1, [Link(1, "a", 0, 0), Link(2, "b", 0, 0), Link(3, "c", 0, 0)]);
        var after = new TrafficSample(T0.AddSeconds(1), 1, [Link(1, "a", 10, 0), Link(2, "b", 500, 500), Link(3, "c", 0, 300)]);
        Assert.Equal(["b", "c"], TrafficRates.Between(before, after).Busiest(2).Select(r => r.Name));
    }

    private sealed class CountingSource : ITrafficCounterSource
    {
        public int Reads;
        public TrafficSample Read(DateTimeOffset at)
        {
            var n = (ulong)Interlocked.Increment(ref Reads);
            return new TrafficSample(at, 1, [Link(1, "veth", n * 1000, 0)]);
        }
    }

    [Fact]
    public async Task It_samples_only_while_someone_watches()
    {
        var time = new FakeTimeProvider(T0);
        var source = new CountingSource();
        await using var monitor = new TrafficMonitor(source, time);
        Assert.False(monitor.Sampling);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, source.Reads);

        var subscription = monitor.Subscribe();
        Assert.True(monitor.Sampling);
        await WaitUntil(() => source.Reads >= 1);
        time.Advance(TimeSpan.FromSeconds(1));
        var rates = await subscription.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000d, Assert.Single(rates.Interfaces).RxBytesPerSecond);

        subscription.Dispose();
        Assert.False(monitor.Sampling);
        var reads = source.Reads;
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.Equal(reads, source.Reads);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}

public sealed class NetlinkStatsParseTests
{
    [Fact]
    public void An_rtm_newstats_reply_becomes_the_link_counters()
    {
        // nlmsghdr(16) + if_stats_msg(12) + attribute IFLA_STATS_LINK_64 (4 + 23 u64 fields), then NLMSG_DONE.
        var stats = new byte[4 + 23 * 8];
        BitConverter.TryWriteBytes(stats.AsSpan(0, 2), (ushort)stats.Length);
        BitConverter.TryWriteBytes(stats.AsSpan(2, 2), (ushort)1);
        ulong[] fields = [11, 22, 3333, 4444, 5, 6, 7, 8];
        for (var i = 0; i < fields.Length; i++) BitConverter.TryWriteBytes(stats.AsSpan(4 + i * 8, 8), fields[i]);
        var payload = new byte[12 + stats.Length];
        BitConverter.TryWriteBytes(payload.AsSpan(4, 4), 42);
        stats.CopyTo(payload, 12);
        var message = Message(92, payload).Concat(Message(3, new byte[4])).ToArray();
        var link = Assert.Single(NetlinkTrafficCounterSource.Parse(message));
        Assert.Equal(42, link.Index);
        Assert.Equal(new LinkCounters(11, 22, 3333, 4444, 7, 8, 5, 6), link.Counters);
    }

    private static byte[] Message(ushort type, byte[] payload)
    {
        var bytes = new byte[16 + payload.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), bytes.Length);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 2), type);
        payload.CopyTo(bytes, 16);
        return bytes;
    }
}

public sealed class NatGateRatesTests
{
    private static NetViz.Core.Model.TopologySnapshot With(long packets, long bytes, double seconds)
    {
        var snapshot = NetViz.Core.Tests.Paths.PathLab.Snapshot();
        return snapshot with
        {
            GeneratedAt = snapshot.GeneratedAt.AddSeconds(seconds),
            Nodes = [.. snapshot.Nodes.Select(n => n is NetViz.Core.Model.NatRuleNode r && r.Parsed.Target == "DNAT" && r.Parsed.DestinationPort == "8081"
                ? r with { Parsed = r.Parsed with { Packets = packets, Bytes = bytes } } : n)],
        };
    }

    [Fact]
    public void A_gate_shows_its_counter_deltas_per_second()
    {
        var rate = Assert.Single(NatGateRates.Between(With(10, 1000, 0), With(30, 5000, 2)));
        Assert.Equal((10d, 2000d), (rate.PacketsPerSecond, rate.BytesPerSecond));
        Assert.Contains("8081", rate.Label);
    }

    [Fact]
    public void Idle_reset_or_time_reversed_gates_have_no_rate()
    {
        Assert.Empty(NatGateRates.Between(With(10, 1000, 0), With(10, 1000, 2)));
        Assert.Empty(NatGateRates.Between(With(10, 1000, 0), With(5, 500, 2)));
        Assert.Empty(NatGateRates.Between(With(10, 1000, 2), With(30, 5000, 0)));
    }
}
