using System.Reflection;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

/// <summary>NetViz is read-only: the request encoder can build nothing but rtnetlink GET messages.</summary>
public class NetlinkRequestTests
{
    private static readonly ushort[] GetTypes = [18, 22, 26, 30, 90, 94]; // RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH, RTM_GETNSID, RTM_GETSTATS
    private const ushort AllowedFlags = 0x1 | 0x300; // NLM_F_REQUEST | NLM_F_DUMP

    public static IEnumerable<object[]> EveryFactoryRequest()
    {
        yield return [NetlinkRequest.DumpLinks(1)];
        yield return [NetlinkRequest.DumpAddresses(2)];
        yield return [NetlinkRequest.DumpRoutes(2, 3)];
        yield return [NetlinkRequest.DumpRoutes(10, 4)];
        yield return [NetlinkRequest.GetNsIdOfFd(7, 5)];
        yield return [NetlinkRequest.DumpLinkStats(6)];
        yield return [NetlinkRequest.DumpBridgeFdb(9, 7)];
    }

    [Fact]
    public void The_request_type_enum_holds_only_the_six_get_types()
    {
        Assert.Equal(GetTypes, Enum.GetValues<NetlinkGetRequestType>().Select(t => (ushort)t).Order());
    }

    [Theory]
    [MemberData(nameof(EveryFactoryRequest))]
    public void Every_factory_builds_a_get_request_with_request_flags_only(NetlinkRequest request)
    {
        var bytes = request.Bytes.ToArray();
        Assert.Equal(bytes.Length, BitConverter.ToInt32(bytes, 0));
        Assert.Contains(BitConverter.ToUInt16(bytes, 4), GetTypes);
        var flags = BitConverter.ToUInt16(bytes, 6);
        Assert.NotEqual(0, flags & 0x1);
        Assert.Equal(0, flags & ~AllowedFlags);
    }

    [Fact]
    public void Factories_are_the_only_way_to_make_a_request()
    {
        Assert.Empty(typeof(NetlinkRequest).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        var factories = typeof(NetlinkRequest).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(NetlinkRequest)).Select(m => m.Name).Order();
        Assert.Equal(["DumpAddresses", "DumpBridgeFdb", "DumpLinks", "DumpLinkStats", "DumpRoutes", "GetNsIdOfFd"], factories);
    }

    [Fact]
    public void The_socket_sends_only_built_requests()
    {
        // No public member of NetlinkSocket accepts raw bytes to send.
        var rawParameters = typeof(NetlinkSocket).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .SelectMany(m => m.GetParameters().Select(p => (m.Name, p.ParameterType)))
            .Where(p => p.ParameterType == typeof(byte[]) || p.ParameterType == typeof(ReadOnlySpan<byte>) || p.ParameterType == typeof(Span<byte>) || p.ParameterType == typeof(ReadOnlyMemory<byte>) || p.ParameterType == typeof(Memory<byte>));
        Assert.Empty(rawParameters);
    }

    [Theory]
    [InlineData((ushort)16)] // RTM_NEWLINK
    [InlineData((ushort)17)] // RTM_DELLINK
    [InlineData((ushort)19)] // RTM_SETLINK
    [InlineData((ushort)20)] // RTM_NEWADDR
    [InlineData((ushort)24)] // RTM_NEWROUTE
    [InlineData((ushort)25)] // RTM_DELROUTE
    [InlineData((ushort)88)] // RTM_NEWNSID
    public void A_write_type_cast_into_the_enum_is_refused(ushort type)
    {
        AssertRefused((NetlinkGetRequestType)type, 0x1);
    }

    [Theory]
    [InlineData((ushort)(0x1 | 0x400))] // NLM_F_CREATE
    [InlineData((ushort)(0x1 | 0x800))] // NLM_F_APPEND
    [InlineData((ushort)(0x1 | 0x4))] // NLM_F_ACK
    [InlineData((ushort)0x300)] // no NLM_F_REQUEST
    public void Write_or_odd_flags_are_refused(ushort flags)
    {
        AssertRefused(NetlinkGetRequestType.GetLink, flags);
    }

    [Fact]
    public void DumpBridgeFdb_is_an_AF_BRIDGE_dump_filtered_by_the_device_in_an_ifinfomsg()
    {
        var bytes = NetlinkRequest.DumpBridgeFdb(42, 9).Bytes.ToArray();
        // nlmsghdr (16) + ifinfomsg (16): a length the kernel's valid_fdb_dump_legacy parses as ifinfomsg, not ndmsg (12 or 20).
        Assert.Equal(32, bytes.Length);
        Assert.Equal(32u, BitConverter.ToUInt32(bytes, 0));
        Assert.Equal(30, BitConverter.ToUInt16(bytes, 4));
        Assert.Equal(7, bytes[16]);
        Assert.Equal(42, BitConverter.ToInt32(bytes, 20));
    }

    [Fact]
    public void GetNsId_carries_the_fd_in_NETNSA_FD()
    {
        var bytes = NetlinkRequest.GetNsIdOfFd(42, 9).Bytes.ToArray();
        Assert.Equal(28, bytes.Length); // nlmsghdr 16 + rtgenmsg padded to 4 + one u32 attribute
        Assert.Equal(0x1, BitConverter.ToUInt16(bytes, 6)); // a single get, not a dump
        Assert.Equal(9u, BitConverter.ToUInt32(bytes, 8));
        Assert.Equal(8, BitConverter.ToUInt16(bytes, 20));
        Assert.Equal(3, BitConverter.ToUInt16(bytes, 22)); // NETNSA_FD
        Assert.Equal(42u, BitConverter.ToUInt32(bytes, 24));
    }

    /// <summary>Calls the one internal encoder every factory goes through (reflection: Core exposes no internals to tests).</summary>
    private static void AssertRefused(NetlinkGetRequestType type, ushort flags)
    {
        var build = typeof(NetlinkRequest).GetMethod("Build", BindingFlags.NonPublic | BindingFlags.Static)!;
        var e = Assert.Throws<TargetInvocationException>(() => build.Invoke(null, [type, flags, 1u, 16, (byte)0, null]));
        Assert.IsType<ArgumentOutOfRangeException>(e.InnerException);
    }
}
