using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

/// <summary>RTM_NEWADDR of `ip addr add 10.1.1.1 peer 10.1.1.2/32`: IFA_LOCAL is ours, IFA_ADDRESS the peer's.</summary>
public class PointToPointAddressTests
{
    private const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2;

    /// <summary>ifaddrmsg { family, prefixlen, flags, scope, index } then rtattrs padded to 4 bytes, as the kernel writes them.</summary>
    private static byte[] AddressMessage(byte family, byte prefix, int index, params (ushort Type, byte[] Value)[] attributes)
    {
        var bytes = new List<byte> { family, prefix, 0, 0 };
        bytes.AddRange(BitConverter.GetBytes(index));
        foreach (var (type, value) in attributes)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)(4 + value.Length)));
            bytes.AddRange(BitConverter.GetBytes(type));
            bytes.AddRange(value);
            while (bytes.Count % 4 != 0) bytes.Add(0);
        }
        return [.. bytes];
    }

    [Fact]
    public void Ipv4_peer_address_is_kept_beside_the_local_one()
    {
        var payload = AddressMessage(2, 32, 7, (IFA_ADDRESS, [10, 1, 1, 2]), (IFA_LOCAL, [10, 1, 1, 1]));

        Assert.True(NetlinkParser.TryParseAddress(payload, out var address, out var problem), problem);

        Assert.Equal(("10.1.1.1", "10.1.1.2", 32, 7), (address!.Address, address.Peer, address.PrefixLength, address.Index));
    }

    [Fact]
    public void An_ordinary_address_has_no_peer()
    {
        var payload = AddressMessage(2, 24, 3, (IFA_ADDRESS, [10, 0, 2, 15]), (IFA_LOCAL, [10, 0, 2, 15]));

        Assert.True(NetlinkParser.TryParseAddress(payload, out var address, out _));

        Assert.Equal(("10.0.2.15", null), (address!.Address, address.Peer));
    }

    [Fact]
    public void Ipv6_peer_address_uses_ifa_local_for_our_side()
    {
        byte[] local = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        byte[] peer = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        var withPeer = AddressMessage(10, 128, 4, (IFA_ADDRESS, peer), (IFA_LOCAL, local));
        var plain = AddressMessage(10, 64, 4, (IFA_ADDRESS, local));

        Assert.True(NetlinkParser.TryParseAddress(withPeer, out var p2p, out _));
        Assert.True(NetlinkParser.TryParseAddress(plain, out var ordinary, out _));

        Assert.Equal(("fd00::1", "fd00::2"), (p2p!.Address, p2p.Peer));
        Assert.Equal(("fd00::1", null), (ordinary!.Address, ordinary.Peer));
    }
}
