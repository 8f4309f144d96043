namespace NetViz.IntegrationTests.Netlink;

/// <summary>
/// The lesson's topology, built by hand with ip: a bridge in the host, two namespaces each joined to it by a veth
/// pair (peer created straight into the namespace), addresses, a default route via the bridge IP, a macvlan on the
/// bridge and a vxlan inside nvnl-a. Everything is named nvnl* and removed at start and in Dispose.
/// </summary>
public sealed class NetlinkTopologyFixture : IDisposable
{
    public const string Bridge = "nvnlbr0";
    public const string Macvlan = "nvnlmv0";
    public static readonly string[] Namespaces = ["nvnl-a", "nvnl-b"];

    /// <summary>Host-side veth of each namespace.</summary>
    public static string HostVeth(string ns) => ns == "nvnl-a" ? "nvnlva" : "nvnlvb";

    public static string Address(string ns) => ns == "nvnl-a" ? "10.213.77.2" : "10.213.77.3";

    public NetlinkTopologyFixture()
    {
        CleanUp();
        try
        {
            Build();
            // The tests compare with ip right away: let the kernel finish IPv6 on everything built here first.
            foreach (var ns in Namespaces) Ip.WaitUntilSettled(ns);
            Ip.WaitUntilSettled(null, [Bridge, .. Namespaces.Select(HostVeth)]);
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            CleanUp();
            throw;
        }
    }

    private static void Build()
    {
        Ip.Cmd($"link add {Bridge} type bridge");
        Ip.Cmd($"addr add 10.213.77.1/24 dev {Bridge}");
        Ip.Cmd($"link set {Bridge} up");
        foreach (var ns in Namespaces)
        {
            Ip.Cmd($"netns add {ns}");
            Ip.Cmd($"link add {HostVeth(ns)} type veth peer name eth0 netns {ns}");
            Ip.Cmd($"link set {HostVeth(ns)} master {Bridge}");
            Ip.Cmd($"link set {HostVeth(ns)} up");
            Ip.Cmd($"-n {ns} link set lo up");
            Ip.Cmd($"-n {ns} addr add {Address(ns)}/24 dev eth0");
            Ip.Cmd($"-n {ns} addr add fd42:213:77::{Address(ns).Split('.')[^1]}/64 dev eth0 nodad");
            Ip.Cmd($"-n {ns} link set eth0 up");
            Ip.Cmd($"-n {ns} route add default via 10.213.77.1");
        }
        Ip.Cmd($"link add {Macvlan} link {Bridge} type macvlan mode bridge");
        Ip.Cmd("-n nvnl-a link add vx0 type vxlan id 4242 dstport 4789 dev eth0");
        Ip.Cmd("-n nvnl-a link set vx0 up");
    }

    public static void CleanUp()
    {
        Ip.TryCmd($"link del {Macvlan}");
        foreach (var ns in Namespaces)
        {
            Ip.TryCmd($"link del {HostVeth(ns)}");
            Ip.TryCmd($"netns del {ns}");
        }
        Ip.TryCmd($"link del {Bridge}");
    }

    public void Dispose() => CleanUp();
}

[CollectionDefinition(Name)]
public sealed class NetlinkTopologyCollection : ICollectionFixture<NetlinkTopologyFixture>
{
    public const string Name = "nvnl topology";
}
