using NetViz.Core.Correlation;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;
using NetViz.Core.Sources.Nat;
using NetViz.Core.Sources.Netlink;
using NetViz.IntegrationTests.Engine;
using NetViz.IntegrationTests.Netlink;

namespace NetViz.IntegrationTests.Breadth;

/// <summary>
/// Given a PRIVATE engine started with ip6tables (<c>--ip6tables --experimental</c>: Docker 20.10's IPv6 rules; the
/// host engine's configuration is never touched) and an IPv6 network with a container publishing a port; when NetViz
/// reads that engine's namespace's rules with the real ip6tables-save (entered into it) and the engine, then the
/// container's IPv6 published port is there and the ip6tables DNAT rule Docker wrote is an IPv6 nat-rule whose
/// dnat-to gate is the container's interface owning its IPv6 address.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Ipv6EngineTests : IDisposable
{
    private readonly PrivateDockerEngine _engine;
    private readonly string _dir = Directory.CreateTempSubdirectory("nvbrd-v6engine-").FullName;

    public Ipv6EngineTests()
    {
        _engine = PrivateDockerEngine.Start("nvbrd-v6", firewall: true);
        try
        {
            // The engine's namespace starts with lo down: ::1, where the port is published, needs it up.
            Ip.Cmd($"-n {_engine.Name} link set lo up");
            _engine.Docker("network", "create", "--ipv6", "--subnet", "fd00:db8:99::/64", "--subnet", "10.99.77.0/24", "nvbrd-v6net");
            _engine.Docker("run", "-d", "--name", "nvbrd-v6c", "--network", "nvbrd-v6net", "-p", "[::1]:18086:80", Docker.DockerCli.Image, "sleep", "3600");
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
            _engine.Dispose();
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Wrapper(string binary)
    {
        var path = Path.Combine(_dir, binary);
        File.WriteAllText(path, $"#!/bin/sh\nexec ip netns exec '{_engine.Name}' {binary} \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task The_ipv6_published_port_and_its_ip6tables_dnat_reach_the_container()
    {
        var v6 = _engine.Docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"nvbrd-v6net\").GlobalIPv6Address}}", "nvbrd-v6c");
        var id = _engine.Docker("inspect", "-f", "{{.Id}}", "nvbrd-v6c");
        var pid = _engine.Docker("inspect", "-f", "{{.State.Pid}}", "nvbrd-v6c");
        var inode = Ip.Inode($"/proc/{pid}/ns/net");
        var truth = Docker.DockerCli.Must("ip", "netns", "exec", _engine.Name, "ip6tables-save", "-t", "nat");
        Assert.Contains($"--to-destination [{v6}]:80", truth);

        using var netlink = new NetlinkHostNetworkSource();
        using var docker = new DockerEngineSource(_engine.Endpoint);
        var nat = await new IptablesNatSource(Wrapper("iptables-save"), ip6tablesSavePath: Wrapper("ip6tables-save"), nftPath: "").CollectAsync(CancellationToken.None);
        var snapshot = TopologyBuilder.Build(new SourceReadings
        {
            Hostname = "nvbrd", CollectedAt = DateTimeOffset.UtcNow,
            Host = await netlink.CollectAsync(CancellationToken.None), Docker = await docker.CollectAsync(CancellationToken.None), Nat = nat,
        });

        var container = Assert.IsType<ContainerNode>(Assert.Single(snapshot.Nodes, n => n.Id == NodeId.Container(id)));
        Assert.Contains(container.Ports, p => p.HostIp == "::1" && p.HostPort == 18086 && p.ContainerPort == 80);
        Assert.Equal(v6, Assert.Single(container.Networks).GlobalIPv6Address);
        Assert.Null(nat.Ip6Error);
        var dnat = Assert.Single(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Family == 6 && n.Target == "DNAT" && n.HostPort == 18086);
        Assert.Equal((v6, 80, "::1"), (dnat.ToIp, dnat.ToPort, dnat.HostIp));
        var eth0 = Assert.Single(snapshot.Nodes.OfType<InterfaceNode>(), n => n.NetnsInode == inode && n.Name == "eth0");
        var gates = snapshot.Edges.OfType<NatEdge>().Where(e => e.Source == dnat.Id).Select(e => (e.Role, e.Target)).ToHashSet();
        Assert.Contains((NatRoles.DnatTo, eth0.Id), gates);
        Assert.Contains((NatRoles.DnatToContainer, container.Id), gates);
        Assert.Contains(snapshot.Nodes.OfType<NatRuleNode>(), n => n.Family == 6 && n.Target == "MASQUERADE" && n.Source == "fd00:db8:99::/64");
    }
}
