using System.Text.Json;
using NetViz.Core.Model;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

/// <summary>
/// Vxlan devices recorded the way flannel, Calico and a hand-made static/multicast vxlan configure them
/// (Fixtures/netlink/capture/capture-vxlan.sh), checked against what `ip -d -j link` and `bridge -j fdb show` said.
/// </summary>
public sealed class VxlanRemotesTests
{
    private static readonly JsonElement IpLink = Json("vxcap-ip-link.json");
    private static readonly JsonElement BridgeFdb = Json("vxcap-bridge-fdb.json");
    private static readonly NetlinkDump Links = NetlinkParser.Parse(RecordedDump.Bytes("vxcap", "links"));

    [Theory]
    [InlineData("flannel.1")]
    [InlineData("vxlan.calico")]
    [InlineData("nvhost-static")]
    [InlineData("nvhost-mcast")]
    public void Vni_port_and_static_group_match_ip_link(string name)
    {
        var link = Links.Links.Single(l => l.Name == name);
        var info = IpLink.EnumerateArray().Single(l => l.GetProperty("ifname").GetString() == name)
            .GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(info.GetProperty("id").GetInt32(), link.Vxlan!.Id);
        Assert.Equal(info.GetProperty("port").GetInt32(), link.Vxlan.Port);
        // iproute2 prints IFLA_VXLAN_GROUP as "remote" when unicast, "group" when multicast.
        var expected = info.TryGetProperty("remote", out var r) ? r.GetString() : info.TryGetProperty("group", out var g) ? g.GetString() : null;
        Assert.Equal(expected, link.Vxlan.Group);
    }

    [Theory]
    [InlineData("flannel.1")]
    [InlineData("vxlan.calico")]
    [InlineData("nvhost-static")]
    [InlineData("nvhost-mcast")]
    public void The_per_device_fdb_dump_holds_exactly_the_devices_remote_endpoints(string name)
    {
        var link = Links.Links.Single(l => l.Name == name);
        var fdb = NetlinkParser.Parse(RecordedDump.Bytes("vxcap", $"fdb-{name}"));
        Assert.True(fdb.Done);
        Assert.Empty(fdb.Warnings);
        var expected = BridgeFdb.EnumerateArray()
            .Where(e => e.GetProperty("ifname").GetString() == name && e.TryGetProperty("dst", out _))
            .Select(e => e.GetProperty("dst").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, fdb.FdbRemotes.Select(f => f.Address).Order(StringComparer.Ordinal));
        Assert.All(fdb.FdbRemotes, f => Assert.Equal(link.Index, f.Index));
    }

    [Theory]
    [InlineData("flannel.1", VxlanOverlays.Flannel, new[] { "192.0.2.2", "192.0.2.3" })]
    [InlineData("vxlan.calico", VxlanOverlays.Calico, new[] { "192.0.2.4" })]
    [InlineData("nvhost-static", null, new[] { "192.0.2.9" })]
    [InlineData("nvhost-mcast", null, new string[0])]
    public void Each_device_is_recognised_and_its_remotes_are_host_addresses_only(string name, string? overlay, string[] remotes)
    {
        var link = Links.Links.Single(l => l.Name == name);
        var fdb = NetlinkParser.Parse(RecordedDump.Bytes("vxcap", $"fdb-{name}"));
        var vxlan = link.Vxlan! with { FdbRemotes = fdb.FdbRemotes.Select(f => f.Address).ToEquatableArray() };
        Assert.Equal(overlay, VxlanOverlays.Recognise(link.Name, vxlan, socketInAnotherNamespace: false));
        // The multicast group's default FDB entry is not a host.
        Assert.Equal(remotes, VxlanOverlays.Remotes(vxlan));
    }

    [Fact]
    public void Docker_overlay_is_its_vxlan_whose_socket_stays_in_another_namespace()
    {
        var vxlan = new NetViz.Core.Sources.VxlanInfo(4097, 4789, null, null);
        Assert.Equal(VxlanOverlays.DockerOverlay, VxlanOverlays.Recognise("vxlan0", vxlan, socketInAnotherNamespace: true));
        Assert.Null(VxlanOverlays.Recognise("vxlan0", vxlan, socketInAnotherNamespace: false));
        // flannel's name carries its VNI: flannel.1 with VNI 7 was not made by flannel.
        Assert.Null(VxlanOverlays.Recognise("flannel.1", vxlan with { Id = 7 }, socketInAnotherNamespace: false));
    }

    [Fact]
    public void A_neighbour_entry_of_another_family_is_not_a_remote()
    {
        // The flannel dump's first message, its family byte turned into AF_INET (an ARP entry): no remote, no warning.
        var bytes = RecordedDump.Bytes("vxcap", "fdb-flannel.1");
        bytes[16] = 2;
        var dump = NetlinkParser.Parse(bytes);
        Assert.Single(dump.FdbRemotes);
        Assert.Empty(dump.Warnings);
    }

    private static JsonElement Json(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RecordedDump.Directory, file))).RootElement;
}
