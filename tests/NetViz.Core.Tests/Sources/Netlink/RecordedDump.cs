using System.Text.Json;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Tests.Sources.Netlink;

/// <summary>One namespace's recorded netlink replies (parsed) beside what `ip -j` printed at capture time.</summary>
internal sealed class RecordedDump
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "netlink");

    public RecordedDump(string name)
    {
        Links = Parse(name, "links");
        Addresses = Parse(name, "addrs");
        Routes4 = Parse(name, "routes4");
        Routes6 = Parse(name, "routes6");
        IpLink = Json(name, "ip-link");
        IpAddr = Json(name, "ip-addr");
        IpRoute4 = Json(name, "ip-route4");
        IpRoute6 = Json(name, "ip-route6");
    }

    public NetlinkDump Links { get; }
    public NetlinkDump Addresses { get; }
    public NetlinkDump Routes4 { get; }
    public NetlinkDump Routes6 { get; }
    public JsonElement IpLink { get; }
    public JsonElement IpAddr { get; }
    public JsonElement IpRoute4 { get; }
    public JsonElement IpRoute6 { get; }

    public static byte[] Bytes(string name, string kind) => File.ReadAllBytes(Path.Combine(Directory, $"{name}-{kind}.bin"));

    /// <summary>ifindex of a link by name, per `ip -j link`.</summary>
    public int IndexOf(string linkName) => IpLink.EnumerateArray().Single(l => l.GetProperty("ifname").GetString() == linkName).GetProperty("ifindex").GetInt32();

    private static NetlinkDump Parse(string name, string kind) => NetlinkParser.Parse(Bytes(name, kind));

    private static JsonElement Json(string name, string kind)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, $"{name}-{kind}.json"))).RootElement.Clone();
}
