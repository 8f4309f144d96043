using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Namespaces;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Engine;
using NetViz.IntegrationTests.Netlink;

namespace NetViz.IntegrationTests.Breadth;

/// <summary>
/// Given a PRIVATE engine (its own namespace, data and exec roots: the host engine's swarm state is never touched)
/// with a veth of its own for a local address, `docker swarm init` on it, an attachable overlay network nvbrd-ov1 and
/// a container on it; when NetViz reads that engine and its exec-root's namespaces, then the overlay network is its
/// `1-&lt;id&gt;` namespace (named `overlay nvbrd-ov1`) with br0 as its bridge, vxlan0 carries the VNI and port `ip -d`
/// reports and an underlay edge into the engine's namespace, docker_gwbridge lists the container and ingress-sbox,
/// and ingress_sbox and lb_* are named. The swarm is left (`docker swarm leave --force`) and the engine removed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SwarmOverlayTests : IDisposable
{
    private readonly PrivateDockerEngine _engine;

    public SwarmOverlayTests()
    {
        _engine = PrivateDockerEngine.Start("nvbrd-swarm");
        try
        {
            // Swarm needs an address that is not loopback; the engine's namespace has only lo. Both ends stay in it.
            Ip.Cmd($"-n {_engine.Name} link add nvbrd-u0 type veth peer name nvbrd-u1");
            Ip.Cmd($"-n {_engine.Name} addr add 10.77.0.1/24 dev nvbrd-u0");
            Ip.Cmd($"-n {_engine.Name} link set nvbrd-u0 up");
            Ip.Cmd($"-n {_engine.Name} link set nvbrd-u1 up");
            _engine.Docker("swarm", "init", "--advertise-addr", "10.77.0.1");
            _engine.Docker("network", "create", "-d", "overlay", "--attachable", "nvbrd-ov1");
            _engine.Docker("run", "-d", "--name", "nvbrd-ovc", "--network", "nvbrd-ov1", Docker.DockerCli.Image, "sleep", "3600");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Docker.DockerCli.Run("docker", "-H", _engine.Endpoint, "rm", "-f", "nvbrd-ovc");
            Docker.DockerCli.Run("docker", "-H", _engine.Endpoint, "swarm", "leave", "--force");
        }
        finally
        {
            _engine.Dispose();
        }
    }

    [Fact]
    public async Task Overlay_network_namespace_br0_vxlan0_underlay_and_gwbridge_members_are_in_the_snapshot()
    {
        var netnsDirectory = Path.Combine(_engine.Directory, "run", "exec", "netns");
        var networkId = _engine.Docker("network", "inspect", "-f", "{{.Id}}", "nvbrd-ov1");
        var containerId = _engine.Docker("inspect", "-f", "{{.Id}}", "nvbrd-ovc");
        var overlayPath = Path.Combine(netnsDirectory, "1-" + networkId[..10]);
        Assert.True(File.Exists(overlayPath), $"{overlayPath} (ls: {string.Join(' ', Directory.GetFiles(netnsDirectory).Select(Path.GetFileName))})");
        var overlayInode = Ip.Inode(overlayPath);
        var engineInode = Ip.Inode($"/var/run/netns/{_engine.Name}");
        // The truth from ip, entered into the overlay namespace by nsenter.
        var vxlanTruth = System.Text.Json.JsonDocument.Parse(Docker.DockerCli.Must("nsenter", $"--net={overlayPath}", "ip", "-d", "-j", "link", "show", "type", "vxlan")).RootElement[0];
        var br0Index = System.Text.Json.JsonDocument.Parse(Docker.DockerCli.Must("nsenter", $"--net={overlayPath}", "ip", "-j", "link", "show", "br0")).RootElement[0].GetProperty("ifindex").GetInt32();
        var gwMembers = System.Text.Json.JsonDocument.Parse(_engine.Docker("network", "inspect", "-f", "{{json .Containers}}", "docker_gwbridge")).RootElement
            .EnumerateObject().Select(p => p.Name).Order().ToList();

        using var netlink = new NetlinkHostNetworkSource(new NetworkNamespaceDiscovery(dockerNetnsDirectory: netnsDirectory));
        using var docker = new DockerEngineSource(_engine.Endpoint);
        var snapshot = TopologyBuilder.Build(new SourceReadings
        {
            Hostname = "nvbrd", CollectedAt = DateTimeOffset.UtcNow,
            Host = await netlink.CollectAsync(CancellationToken.None),
            Docker = await docker.CollectAsync(CancellationToken.None),
            Nat = new NatView { Ok = true },
        });
        T Node<T>(string id) where T : TopologyNode => Assert.IsType<T>(Assert.Single(snapshot.Nodes, n => n.Id == id));

        var overlay = Node<NetnsNode>(NodeId.Netns(overlayInode));
        Assert.Equal(("overlay nvbrd-ov1", "overlay", NodeId.Network(networkId)), (overlay.Label, overlay.DockerRole, overlay.Network));
        var network = Node<NetworkNode>(NodeId.Network(networkId));
        Assert.Equal((NodeId.Interface(overlayInode, br0Index), "br0", overlay.Id), (network.Bridge, network.BridgeName, network.Netns));
        Assert.Contains(NodeId.Container(containerId), network.Containers);

        var vxlan = Node<InterfaceNode>(NodeId.Interface(overlayInode, vxlanTruth.GetProperty("ifindex").GetInt32()));
        var data = vxlanTruth.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal((data.GetProperty("id").GetInt32(), data.GetProperty("port").GetInt32()), (vxlan.VxlanId!.Value, vxlan.VxlanPort!.Value));
        Assert.Equal(NodeId.Interface(overlayInode, br0Index), vxlan.Master);
        // Recognised from its own data (moved into the overlay's namespace, its socket left behind); its peers are the
        // forwarding entries `bridge fdb` lists with a dst (none on a one-node swarm, one per other node on more).
        Assert.Equal(VxlanOverlays.DockerOverlay, vxlan.VxlanOverlay);
        var fdbTruth = System.Text.Json.JsonDocument.Parse(Docker.DockerCli.Must("nsenter", $"--net={overlayPath}", "bridge", "-j", "fdb", "show", "dev", vxlanTruth.GetProperty("ifname").GetString()!)).RootElement
            .EnumerateArray().Where(e => e.TryGetProperty("dst", out _)).Select(e => e.GetProperty("dst").GetString()!).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(fdbTruth, vxlan.VxlanRemotes);
        var underlay = Assert.Single(snapshot.Edges.OfType<UnderlayEdge>(), e => e.Source == vxlan.Id);
        Assert.Equal(NodeId.Netns(engineInode), underlay.Target); // vxlan0 was made in dockerd's namespace

        var gw = Assert.Single(snapshot.Nodes.OfType<NetworkNode>(), n => n.Name == "docker_gwbridge");
        Assert.Equal(gwMembers.Count, gw.Endpoints.Count());
        Assert.Contains(NodeId.Container(containerId), gw.Containers);
        var sbox = Assert.Single(snapshot.Nodes.OfType<NetnsNode>(), n => n.DockerRole == "ingress-sandbox");
        Assert.Equal("ingress_sbox", sbox.Label);
        Assert.Contains(gw.Endpoints, e => e.Netns == sbox.Id);
        var lb = Assert.Single(snapshot.Nodes.OfType<NetnsNode>(), n => n.DockerRole == "load-balancer" && n.Network == network.Id);
        Assert.Equal("lb nvbrd-ov1", lb.Label);
    }
}
