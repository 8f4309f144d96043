using System.Net;
using NetViz.Core.Sources;

namespace NetViz.Core.Model;

/// <summary>
/// The overlays NetViz recognises from a vxlan device's own data (name, VNI, UDP port, where its socket lives), and the
/// remote endpoints it tunnels to. All three keep per-peer endpoints in the device's bridge FDB (NDA_DST), not in a
/// static <c>remote</c>: Docker's overlay driver (vxlan0 moved into the overlay's namespace, its socket left in the
/// host's), flannel's vxlan backend (<c>flannel.&lt;VNI&gt;</c>, VNI 1, port 8472 by default) and Calico's
/// (<c>vxlan.calico</c>, <c>vxlan-v6.calico</c> for IPv6, VNI 4096, port 4789).
/// </summary>
public static class VxlanOverlays
{
    public const string DockerOverlay = "docker-overlay";
    public const string Flannel = "flannel";
    public const string Calico = "calico";

    /// <summary>
    /// <paramref name="socketInAnotherNamespace"/>: IFLA_LINK_NETNSID is set and the device is not in the host's
    /// namespace, which is how Docker's overlay driver leaves its vxlan (made in the host, moved into the overlay's namespace).
    /// </summary>
    public static string? Recognise(string name, VxlanInfo vxlan, bool socketInAnotherNamespace)
    {
        // flannel names its device after the VNI it configures (backend/vxlan: "flannel.%v", VNI).
        if (vxlan.Id is { } vni && name == $"flannel.{vni}") return Flannel;
        if (name is "vxlan.calico" or "vxlan-v6.calico") return Calico;
        if (socketInAnotherNamespace && name.StartsWith("vxlan", StringComparison.Ordinal)) return DockerOverlay;
        return null;
    }

    /// <summary>The static unicast remote and the FDB's, distinct, sorted, at most <see cref="InterfaceNode.MaxVxlanRemotes"/>.</summary>
    public static EquatableArray<string> Remotes(VxlanInfo vxlan)
    {
        var remotes = new SortedSet<string>(StringComparer.Ordinal);
        if (vxlan.Group is { } g && !IsMulticast(g)) remotes.Add(g);
        foreach (var r in vxlan.FdbRemotes)
        {
            if (remotes.Count >= InterfaceNode.MaxVxlanRemotes) break;
            // A `group` device's default entry names the multicast group, not a host.
            if (r is not ("0.0.0.0" or "::") && !IsMulticast(r)) remotes.Add(r);
        }
        return remotes.ToEquatableArray();
    }

    public static bool IsMulticast(string address) =>
        IPAddress.TryParse(address, out var ip) && (ip.IsIPv6Multicast || (ip.GetAddressBytes() is [>= 224 and <= 239, ..] && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork));
}
