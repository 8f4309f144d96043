using System.Collections.Immutable;
using NetViz.Core.Sources;

namespace NetViz.Core.Traffic;

/// <summary>The counters of every link of one namespace at one instant (RTM_GETLINK's IFLA_STATS64).</summary>
/// <param name="At">When they were read (the sampler's clock).</param>
/// <param name="NetnsInode">The namespace read; interface node ids are <c>if:&lt;inode&gt;:&lt;ifindex&gt;</c>.</param>
public sealed record TrafficSample(DateTimeOffset At, ulong NetnsInode, ImmutableArray<LinkCounterReading> Links);

/// <summary>One link's counters. The name, when the source knows it ("" from RTM_GETSTATS), tells a reused ifindex apart; counters going down do too.</summary>
public sealed record LinkCounterReading(int Index, string Name, LinkCounters Counters);

/// <summary>Traffic through one interface, per second, as the kernel counted it (rx: received by it, tx: sent by it).</summary>
public sealed record InterfaceRate(string InterfaceId, string Name, double RxBytesPerSecond, double TxBytesPerSecond, double RxPacketsPerSecond, double TxPacketsPerSecond)
{
    /// <summary>Both directions together: how busy the cable is.</summary>
    public double BytesPerSecond => RxBytesPerSecond + TxBytesPerSecond;
}

/// <summary>Rates of every interface between two samples.</summary>
public sealed record TrafficRates(DateTimeOffset From, DateTimeOffset To, ImmutableArray<InterfaceRate> Interfaces)
{
    public static TrafficRates Empty { get; } = new(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, []);

    /// <summary>The busiest interfaces first, at most <paramref name="count"/>, idle ones left out.</summary>
    public ImmutableArray<InterfaceRate> Busiest(int count) =>
        [.. Interfaces.Where(r => r.BytesPerSecond > 0).OrderByDescending(r => r.BytesPerSecond).ThenBy(r => r.InterfaceId, StringComparer.Ordinal).Take(count)];

    /// <summary>
    /// Rates from <paramref name="before"/> to <paramref name="after"/> (same namespace). A link missing from either,
    /// renamed (its ifindex reused) or whose counters went down (a reset) has no rate this time rather than a wrong one.
    /// </summary>
    public static TrafficRates Between(TrafficSample before, TrafficSample after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var seconds = (after.At - before.At).TotalSeconds;
        if (seconds <= 0 || before.NetnsInode != after.NetnsInode) return new TrafficRates(before.At, after.At, []);
        var earlier = new Dictionary<int, LinkCounterReading>(before.Links.Length);
        foreach (var link in before.Links) earlier[link.Index] = link;
        var rates = ImmutableArray.CreateBuilder<InterfaceRate>(after.Links.Length);
        foreach (var link in after.Links)
        {
            if (!earlier.TryGetValue(link.Index, out var old) || old.Name != link.Name) continue;
            var (a, b) = (old.Counters, link.Counters);
            if (b.RxBytes < a.RxBytes || b.TxBytes < a.TxBytes || b.RxPackets < a.RxPackets || b.TxPackets < a.TxPackets) continue;
            rates.Add(new InterfaceRate($"if:{after.NetnsInode}:{link.Index}", link.Name,
                (b.RxBytes - a.RxBytes) / seconds, (b.TxBytes - a.TxBytes) / seconds,
                (b.RxPackets - a.RxPackets) / seconds, (b.TxPackets - a.TxPackets) / seconds));
        }
        return new TrafficRates(before.At, after.At, rates.ToImmutable());
    }
}
