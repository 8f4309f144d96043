using System.Security.Cryptography;
using System.Text;

namespace NetViz.Core.Model;

/// <summary>
/// The one place node ids are made (docs/api.md, "Node kinds"). Ids derive only from kernel and Docker identities,
/// so the same object keeps its id from one snapshot to the next.
/// </summary>
public static class NodeId
{
    /// <summary>The world beyond the host's default route.</summary>
    public const string External = "external";

    /// <summary><c>netns:&lt;inode&gt;</c>: the inode of the namespace's nsfs file.</summary>
    public static string Netns(ulong inode) => $"netns:{inode}";

    /// <summary><c>if:&lt;netns inode&gt;:&lt;ifindex&gt;</c>: ifindexes repeat across namespaces, so the namespace is part of it.</summary>
    public static string Interface(ulong netnsInode, int ifindex) => $"if:{netnsInode}:{ifindex}";

    /// <summary><c>ctr:&lt;full container id&gt;</c>.</summary>
    public static string Container(string containerId) => $"ctr:{containerId}";

    /// <summary><c>net:&lt;full network id&gt;</c>.</summary>
    public static string Network(string networkId) => $"net:{networkId}";

    /// <summary>
    /// <c>nat:&lt;table&gt;:&lt;chain&gt;:&lt;12 hex of sha256(rule text)&gt;</c>, with <c>#2</c>, <c>#3</c> for the second and third
    /// identical rule of a chain (<paramref name="occurrence"/> counts from 1). An IPv6 rule (ip6tables) is
    /// <c>nat6:...</c> and a rule of another namespace's rule set ends <c>@&lt;netns inode&gt;</c>: the same text is a
    /// different rule in the ip6 family or in another namespace.
    /// </summary>
    public static string NatRule(string table, string chain, string ruleText, int occurrence, int family = 4, ulong? netnsInode = null)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(ruleText), digest);
        var id = $"{(family == 6 ? "nat6" : "nat")}:{table}:{chain}:{Convert.ToHexStringLower(digest[..6])}";
        if (occurrence > 1) id = $"{id}#{occurrence}";
        return netnsInode is { } ino ? $"{id}@{ino}" : id;
    }
}

/// <summary>The one place edge ids are made (docs/api.md, "Edge kinds").</summary>
public static class EdgeId
{
    /// <summary><c>veth:&lt;a&gt;|&lt;b&gt;</c>, the ends in ordinal order so both sides name the pair alike.</summary>
    public static string Veth(string end, string otherEnd) =>
        string.CompareOrdinal(end, otherEnd) < 0 ? $"veth:{end}|{otherEnd}" : $"veth:{otherEnd}|{end}";

    /// <summary><c>bridge-port:&lt;port id&gt;</c> or <c>master:&lt;port id&gt;</c>.</summary>
    public static string Port(string kind, string portId) => $"{kind}:{portId}";

    /// <summary><c>lower:&lt;upper id&gt;</c>.</summary>
    public static string Lower(string upperId) => $"lower:{upperId}";

    /// <summary>
    /// <c>route:&lt;from&gt;-&gt;&lt;to&gt;</c> for IPv4, <c>route6:&lt;from&gt;-&gt;&lt;to&gt;</c> for IPv6: a namespace's v4 and v6
    /// default routes often leave by the same interface to the same side, and both are edges.
    /// </summary>
    public static string Route(string from, string to, int family = 4) => $"{(family == 6 ? "route6" : "route")}:{from}->{to}";

    /// <summary><c>underlay:&lt;vxlan interface id&gt;</c>.</summary>
    public static string Underlay(string vxlanId) => $"underlay:{vxlanId}";

    /// <summary><c>tunnel:&lt;vxlan interface id&gt;-&gt;&lt;remote host's interface id&gt;</c>.</summary>
    public static string Tunnel(string vxlanId, string targetId) => $"tunnel:{vxlanId}->{targetId}";

    /// <summary><c>network-bridge:&lt;network node id&gt;</c>.</summary>
    public static string NetworkBridge(string networkNodeId) => $"network-bridge:{networkNodeId}";

    /// <summary><c>nat:&lt;from&gt;-&gt;&lt;to&gt;</c>.</summary>
    public static string Nat(string from, string to) => $"nat:{from}->{to}";
}
