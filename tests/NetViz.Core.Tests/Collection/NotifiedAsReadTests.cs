using NetViz.Core.Collection;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Collection;

/// <summary>
/// Whether an RTM_NEWLINK shows nothing the last reading lacks (the monitor then skips re-reading the host namespace):
/// the messages below are shaped as the kernel sends them (rtnl_fill_ifinfo for AF_UNSPEC, br_fill_ifinfo for a
/// bridge port's AF_BRIDGE notification: no IFLA_LINKINFO, no IFLA_LINK_NETNSID, no counters).
/// </summary>
public sealed class NotifiedAsReadTests
{
    private const uint Up = 0x1, Broadcast = 0x2, Running = 0x40, Multicast = 0x1000, LowerUp = 0x10000;

    private static readonly LinkInfo Read = new()
    {
        Index = 60014, Name = "veth86ed3e1", Type = "veth", Mac = "9e:1c:22:aa:00:01", Mtu = 1500, Up = true, OperState = "up",
        Flags = Up | Broadcast | Running | Multicast | LowerUp, Link = 60013, LinkNetnsId = 4, Master = 3,
        Counters = new LinkCounters(10, 20, 1000, 2000, 0, 0, 0, 0),
    };

    /// <summary>A bridge port notification as the parser decodes it: no kind (so "device"), no netns id, no counters.</summary>
    private static readonly LinkInfo BridgePort = Read with { Type = "device", LinkNetnsId = null, Counters = null };

    [Fact]
    public void A_bridge_port_notification_of_the_link_as_read_and_a_full_one_with_other_counters_show_nothing_new()
    {
        Assert.True(UnchangedReadings.NotifiedAsRead(Read, BridgePort));
        Assert.True(UnchangedReadings.NotifiedAsRead(Read, Read with { Counters = new LinkCounters(11, 21, 1100, 2100, 0, 0, 0, 0) }));
    }

    public static TheoryData<string> Changes => ["down", "carrier", "name", "mtu", "mac", "master", "peer", "netnsid", "kind", "index", "no mac"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_notification_that_differs_in_anything_shown_is_news(string change)
    {
        var notified = change switch
        {
            "down" => BridgePort with { Up = false, Flags = Broadcast | Multicast, OperState = "down" },
            "carrier" => BridgePort with { Flags = Up | Broadcast | Multicast, OperState = "lowerlayerdown" },
            "name" => BridgePort with { Name = "renamed0" },
            "mtu" => BridgePort with { Mtu = 9000 },
            "mac" => BridgePort with { Mac = "9e:1c:22:aa:00:02" },
            "master" => BridgePort with { Master = null },
            "peer" => BridgePort with { Link = 60099 },
            "netnsid" => Read with { LinkNetnsId = 5 },
            "kind" => Read with { Type = "macvlan" },
            "index" => BridgePort with { Index = 60016 },
            "no mac" => BridgePort with { Mac = null },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        Assert.False(UnchangedReadings.NotifiedAsRead(Read, notified));
    }

    [Fact]
    public void A_vxlan_link_is_always_reread_and_a_loopback_is_not_taken_for_a_device()
    {
        var vxlan = Read with { Type = "vxlan", Vxlan = new VxlanInfo(42, 4789, null, null) };
        Assert.False(UnchangedReadings.NotifiedAsRead(vxlan, vxlan));
        var lo = new LinkInfo { Index = 1, Name = "lo", Type = "loopback", Up = true, Mtu = 65536, Mac = "00:00:00:00:00:00" };
        Assert.True(UnchangedReadings.NotifiedAsRead(lo, lo));
        Assert.False(UnchangedReadings.NotifiedAsRead(lo, lo with { Type = "device" }));
    }
}
