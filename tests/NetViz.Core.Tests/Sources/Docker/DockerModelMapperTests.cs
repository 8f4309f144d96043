using System.Text.Json;
using Docker.DotNet.Models;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Docker;

namespace NetViz.Core.Tests.Sources.Docker;

/// <summary>
/// Recorded `docker inspect` / `docker network inspect` output from dockerd 20.10 (see Fixtures/docker/README.md),
/// deserialized with Docker.DotNet's own (internal) JsonSerializer, exactly as the client does, then mapped.
/// Expected values are read from the same JSON with JsonDocument, independently of Docker.DotNet.
/// </summary>
public class DockerModelMapperTests
{
    private static string FixtureText(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "docker", name));

    private static (ContainerInspectResponse Dto, JsonElement Json) Container(string name)
    {
        var text = FixtureText($"container-{name}.json");
        return (DockerJson.Deserialize<ContainerInspectResponse>(text),
            JsonDocument.Parse(text).RootElement.Clone());
    }

    private static (NetworkResponse Dto, JsonElement Json) Network(string name)
    {
        var text = FixtureText($"network-{name}.json");
        return (DockerJson.Deserialize<NetworkResponse>(text),
            JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Str(JsonElement e, params string[] path)
    {
        foreach (var p in path) e = e.GetProperty(p);
        return e.GetString()!;
    }

    private static void AssertEndpointEqualsJson(ContainerEndpoint endpoint, JsonElement networks)
    {
        var n = networks.GetProperty(endpoint.NetworkName);
        Assert.Equal(Str(n, "NetworkID"), endpoint.NetworkId);
        Assert.Equal(Str(n, "EndpointID"), endpoint.EndpointId);
        Assert.Equal(Str(n, "IPAddress"), endpoint.IPAddress);
        Assert.Equal(n.GetProperty("IPPrefixLen").GetInt32(), endpoint.PrefixLength);
        Assert.Equal(Str(n, "Gateway"), endpoint.Gateway);
        Assert.Equal(Str(n, "MacAddress"), endpoint.MacAddress);
    }

    [Fact]
    public void Default_bridge_container_with_published_port()
    {
        var (dto, json) = Container("pub");

        var c = DockerModelMapper.ToContainerInfo(dto, path => path == $"/proc/{json.GetProperty("State").GetProperty("Pid").GetInt32()}/ns/net" ? 4026532999UL : null);

        Assert.Equal(Str(json, "Id"), c.Id);
        Assert.Equal("nvnd-pub", c.Name);
        Assert.Equal("/nvnd-pub", Str(json, "Name"));
        Assert.Equal(Str(json, "Config", "Image"), c.Image);
        Assert.Equal("running", c.State);
        Assert.Equal(json.GetProperty("State").GetProperty("Pid").GetInt32(), c.Pid);
        Assert.Equal(8105, c.Pid);
        // dockerd 20.10 says "default" for a container run without --network: the bridge network.
        Assert.Equal("default", Str(json, "HostConfig", "NetworkMode"));
        Assert.Equal("bridge", c.NetworkMode);
        Assert.Equal(Str(json, "NetworkSettings", "SandboxKey"), c.SandboxKey);
        Assert.Equal(4026532999UL, c.NetnsInode);

        var endpoint = Assert.Single(c.Endpoints);
        Assert.Equal("bridge", endpoint.NetworkName);
        AssertEndpointEqualsJson(endpoint, json.GetProperty("NetworkSettings").GetProperty("Networks"));
        Assert.Equal(("172.17.0.2", 16, "172.17.0.1", "02:42:ac:11:00:02"), (endpoint.IPAddress, endpoint.PrefixLength, endpoint.Gateway, endpoint.MacAddress));
        Assert.Null(endpoint.GlobalIPv6Address);
        Assert.Empty(endpoint.Aliases);

        Assert.Equal([new PortMapping { ContainerPort = 80, Protocol = "tcp", HostIp = "127.0.0.1", HostPort = 18080 }], c.Ports.ToArray());
        Assert.Equal("nvnd", c.Labels["netviz.test"]);
    }

    [Fact]
    public void None_network_container_has_no_address_but_a_sandbox()
    {
        var (dto, json) = Container("none");

        var c = DockerModelMapper.ToContainerInfo(dto);

        Assert.Equal(("nvnd-none", "none"), (c.Name, c.NetworkMode));
        Assert.Equal(Str(json, "NetworkSettings", "SandboxKey"), c.SandboxKey);
        Assert.StartsWith("/var/run/docker/netns/", c.SandboxKey);
        Assert.Null(c.NetnsInode); // no inode reader given
        var endpoint = Assert.Single(c.Endpoints);
        Assert.Equal("none", endpoint.NetworkName);
        Assert.Equal((null, 0, null, null), (endpoint.IPAddress, endpoint.PrefixLength, endpoint.Gateway, endpoint.MacAddress));
        Assert.Empty(c.Ports);
    }

    [Fact]
    public void Host_network_container()
    {
        var (dto, json) = Container("host");

        var c = DockerModelMapper.ToContainerInfo(dto);

        Assert.Equal(("nvnd-host", "host", json.GetProperty("State").GetProperty("Pid").GetInt32()), (c.Name, c.NetworkMode, c.Pid));
        var endpoint = Assert.Single(c.Endpoints);
        Assert.Equal(("host", Str(json, "NetworkSettings", "Networks", "host", "NetworkID"), (string?)null), (endpoint.NetworkName, endpoint.NetworkId, endpoint.IPAddress));
    }

    [Fact]
    public void Container_sharing_another_containers_namespace()
    {
        var (dto, json) = Container("shared");
        var (owner, _) = Container("pub");

        var c = DockerModelMapper.ToContainerInfo(dto);

        Assert.Equal("container:" + owner.ID, c.NetworkMode);
        Assert.Equal(Str(json, "HostConfig", "NetworkMode"), c.NetworkMode);
        Assert.Null(c.SandboxKey); // "" in the JSON: it has no sandbox of its own
        Assert.Empty(c.Endpoints);
    }

    [Fact]
    public void Container_on_two_networks()
    {
        var (dto, json) = Container("multi");

        var c = DockerModelMapper.ToContainerInfo(dto);

        Assert.Equal("nvnd-net", c.NetworkMode);
        Assert.Equal(["nvnd-internal", "nvnd-net"], c.Endpoints.Select(e => e.NetworkName));
        foreach (var endpoint in c.Endpoints)
            AssertEndpointEqualsJson(endpoint, json.GetProperty("NetworkSettings").GetProperty("Networks"));
        Assert.Equal(("10.231.0.2", 24, "10.231.0.1"), (c.Endpoints[1].IPAddress, c.Endpoints[1].PrefixLength, c.Endpoints[1].Gateway));
        Assert.Equal(("10.232.0.2", "02:42:0a:e8:00:02"), (c.Endpoints[0].IPAddress, c.Endpoints[0].MacAddress));
        Assert.Equal([c.Id[..12]], c.Endpoints[1].Aliases.ToArray());
    }

    [Fact]
    public void Netns_inode_prefers_proc_then_sandbox_key()
    {
        var read = new List<string>();
        ulong? Reader(string path) { read.Add(path); return path.StartsWith("/var/run/docker/netns/") ? 7UL : null; }

        Assert.Equal(7UL, DockerModelMapper.NetnsInodeOf(42, "/var/run/docker/netns/abc", Reader));
        Assert.Equal(["/proc/42/ns/net", "/var/run/docker/netns/abc"], read);
        Assert.Equal(9UL, DockerModelMapper.NetnsInodeOf(42, "/x", _ => 9UL));
        Assert.Null(DockerModelMapper.NetnsInodeOf(0, null, _ => 9UL));
        Assert.Null(DockerModelMapper.NetnsInodeOf(0, "", _ => 9UL));
    }

    [Fact]
    public void Ports_one_mapping_per_binding_and_exposed_only_ports()
    {
        var ports = new Dictionary<string, IList<PortBinding>>
        {
            ["80/tcp"] = [new PortBinding { HostIP = "0.0.0.0", HostPort = "8080" }, new PortBinding { HostIP = "::", HostPort = "8080" }],
            ["53/udp"] = [new PortBinding { HostIP = "", HostPort = "5353" }],
            ["9000/tcp"] = null!,
        };

        var mapped = DockerModelMapper.ToPortMappings(ports);

        Assert.Equal(
        [
            new PortMapping { ContainerPort = 53, Protocol = "udp", HostIp = null, HostPort = 5353 },
            new PortMapping { ContainerPort = 80, Protocol = "tcp", HostIp = "0.0.0.0", HostPort = 8080 },
            new PortMapping { ContainerPort = 80, Protocol = "tcp", HostIp = "::", HostPort = 8080 },
            new PortMapping { ContainerPort = 9000, Protocol = "tcp" },
        ], mapped.ToArray());
    }

    [Fact]
    public void User_defined_bridge_with_bridge_name_option()
    {
        var (dto, json) = Network("net");

        var n = DockerModelMapper.ToNetworkInfo(dto);

        Assert.Equal((Str(json, "Id"), "nvnd-net", "bridge", "local", false, false), (n.Id, n.Name, n.Driver, n.Scope, n.Internal, n.EnableIPv6));
        Assert.Equal(["10.231.0.0/24"], n.Subnets.ToArray());
        Assert.Empty(n.Gateways); // dockerd 20.10 leaves Gateway out of IPAM config when it picked it itself
        Assert.Equal("nvnd-br0", n.Options["com.docker.network.bridge.name"]);
        Assert.Equal("nvnd-br0", n.BridgeName);
        Assert.Equal("nvnd", n.Labels["netviz.test"]);
    }

    [Fact]
    public void Internal_network_gets_a_br_id_bridge()
    {
        var (dto, json) = Network("internal");

        var n = DockerModelMapper.ToNetworkInfo(dto);

        Assert.True(n.Internal);
        Assert.True(json.GetProperty("Internal").GetBoolean());
        Assert.Equal(["10.232.0.0/24"], n.Subnets.ToArray());
        Assert.Equal("br-" + Str(json, "Id")[..12], n.BridgeName);
        Assert.Equal("br-9add505f3b88", n.BridgeName);
    }

    [Fact]
    public void Default_bridge_network_is_docker0()
    {
        var (dto, json) = Network("bridge");

        var n = DockerModelMapper.ToNetworkInfo(dto);

        Assert.Equal(["172.17.0.0/16"], n.Subnets.ToArray());
        Assert.Empty(n.Gateways); // 20.10 records no Gateway in the default bridge's IPAM config
        Assert.Equal("docker0", n.BridgeName);
        Assert.Equal(Str(json, "Options", "com.docker.network.bridge.name"), n.BridgeName);
    }

    [Fact]
    public void BridgeName_is_null_for_other_drivers_and_falls_back_without_option()
    {
        Assert.Null(new DockerNetworkInfo { Id = "634a8f16947f7fcf", Name = "host", Driver = "host" }.BridgeName);
        Assert.Equal("br-0123456789ab", new DockerNetworkInfo { Id = "0123456789abcdef", Name = "x", Driver = "bridge" }.BridgeName);
        Assert.Equal("docker0", new DockerNetworkInfo { Id = "0123456789abcdef", Name = "bridge", Driver = "bridge" }.BridgeName);
    }

    [Fact]
    public void Event_message_maps_type_action_actor_and_attributes()
    {
        var message = new Message
        {
            Type = "network", Action = "connect",
            Actor = new Actor { ID = "2803a8b4", Attributes = new Dictionary<string, string> { ["container"] = "cb67a4c7", ["name"] = "nvnd-net" } },
        };

        var e = DockerModelMapper.ToDockerEvent(message);

        Assert.Equal(("network", "connect", "2803a8b4"), (e.Type, e.Action, e.ActorId));
        Assert.Equal("cb67a4c7", e.Attributes["container"]);
        Assert.Equal("nvnd-net", e.Attributes["name"]);
    }
}

/// <summary>
/// Docker.DotNet deserializes responses with its internal <c>Docker.DotNet.JsonSerializer</c> (System.Text.Json,
/// a source-generated context plus its own DateTime/TimeSpan converters). Calling that same serializer keeps the
/// fixtures honest: what the mapper sees here is what it sees from the engine.
/// </summary>
internal static class DockerJson
{
    private static readonly Type SerializerType =
        typeof(global::Docker.DotNet.DockerClient).Assembly.GetType("Docker.DotNet.JsonSerializer", throwOnError: true)!;

    private static readonly object Instance =
        SerializerType.GetProperty("Instance", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
            .GetValue(null)!;

    public static T Deserialize<T>(string json)
    {
        var method = SerializerType.GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            .Single(m => m.Name == "Deserialize" && m.IsGenericMethodDefinition && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(byte[]))
            .MakeGenericMethod(typeof(T));
        return (T)method.Invoke(Instance, [System.Text.Encoding.UTF8.GetBytes(json)])!;
    }
}
