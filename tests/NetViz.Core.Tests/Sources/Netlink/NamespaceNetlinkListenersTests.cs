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
}
