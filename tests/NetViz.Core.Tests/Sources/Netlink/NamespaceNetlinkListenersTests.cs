using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

public sealed class NamespaceNetlinkListenersTests
{
    [Theory]
    [InlineData("links", NetlinkParser.RTM_NEWLINK)]
    [InlineData("addrs", NetlinkParser.RTM_NEWADDR)]
    [InlineData("routes4", NetlinkParser.RTM_NEWROUTE)]
    public void A_recorded_rtnetlink_message_is_a_change_of_its_kind(string kind, ushort expected)
    {
        // The recorded dumps carry the same RTM_NEW* messages the multicast groups deliver.
        Assert.Equal(expected, NamespaceNetlinkListeners.Relevant(RecordedDump.Bytes("cap", kind)));
    }

    [Fact]
    public void A_done_or_garbage_datagram_is_no_change()
    {
        var links = RecordedDump.Bytes("cap", "links");
        // The dump's last message is NLMSG_DONE (16 bytes header + 4 bytes status).
        Assert.Null(NamespaceNetlinkListeners.Relevant(links.AsSpan(links.Length - 20)));
        Assert.Null(NamespaceNetlinkListeners.Relevant([1, 2, 3]));
    }

    /// <summary>The first message of a recorded `bridge fdb` dump of flannel.1: a peer's entry, NDA_DST 192.0.2.3 or .2.</summary>
    private static byte[] FlannelPeerEntry()
    {
        var dump = RecordedDump.Bytes("vxcap", "fdb-flannel.1");
        return dump[..BitConverter.ToInt32(dump, 0)];
    }

    [Fact]
    public void A_vxlan_fdb_entry_naming_a_remote_tunnel_endpoint_is_a_change_when_added_and_when_removed()
    {
        var added = FlannelPeerEntry();
        Assert.Equal(NetlinkParser.RTM_NEWNEIGH, BitConverter.ToUInt16(added, 4));
        Assert.Equal(NetlinkParser.RTM_NEWNEIGH, NamespaceNetlinkListeners.Relevant(added));
        var removed = (byte[])added.Clone();
        BitConverter.GetBytes(NetlinkParser.RTM_DELNEIGH).CopyTo(removed, 4); // nlmsg_type
        Assert.Equal(NetlinkParser.RTM_DELNEIGH, NamespaceNetlinkListeners.Relevant(removed));
    }

    [Fact]
    public void Neighbours_that_are_no_tunnel_endpoint_are_no_change()
    {
        // The same entry as an IPv4 neighbour (ARP, ndm_family AF_INET): the NEIGH group's everyday traffic.
        var arp = FlannelPeerEntry();
        arp[16] = 2;
        Assert.Null(NamespaceNetlinkListeners.Relevant(arp));
        // A bridge FDB entry without NDA_DST (a MAC learned on a bridge port): nlmsghdr + a bare ndmsg.
        var learned = new byte[28];
        BitConverter.GetBytes(28).CopyTo(learned, 0);
        BitConverter.GetBytes(NetlinkParser.RTM_NEWNEIGH).CopyTo(learned, 4);
        learned[16] = 7; // AF_BRIDGE
        BitConverter.GetBytes(5).CopyTo(learned, 20); // ndm_ifindex
        Assert.Null(NamespaceNetlinkListeners.Relevant(learned));
    }
}
