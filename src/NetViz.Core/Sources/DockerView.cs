using System.Collections.Immutable;

namespace NetViz.Core.Sources;

/// <summary>What the Docker engine says, mapped from Docker.DotNet's DTOs at the edge.</summary>
public sealed record DockerView
{
    public required bool Ok { get; init; }
    public required string Endpoint { get; init; }
    public string? Version { get; init; }
    public string? ApiVersion { get; init; }
    public string? Error { get; init; }
    public ImmutableArray<ContainerInfo> Containers { get; init; } = [];
    public ImmutableArray<DockerNetworkInfo> Networks { get; init; } = [];
    /// <summary>What was left out (more containers or networks than NetViz reads).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
    /// <summary>docker-proxy processes of a local engine (the process table of the host NetViz runs on).</summary>
    public ImmutableArray<Processes.DockerProxy> Proxies { get; init; } = [];
}

public sealed record ContainerInfo
{
    public required string Id { get; init; }
    /// <summary>Without the leading slash.</summary>
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>running, exited, created, paused, ...</summary>
    public required string State { get; init; }
    /// <summary>State.Pid: 0 when not running.</summary>
    public required int Pid { get; init; }
    /// <summary>HostConfig.NetworkMode: bridge, host, none, container:&lt;id&gt;, or a network name.</summary>
    public required string NetworkMode { get; init; }
    /// <summary>NetworkSettings.SandboxKey: /var/run/docker/netns/&lt;id&gt; (empty for host mode or when stopped).</summary>
    public string? SandboxKey { get; init; }
    /// <summary>Inode of /proc/PID/ns/net (or of the sandbox file) read at collection time; null when it could not be read.</summary>
    public ulong? NetnsInode { get; init; }
    public ImmutableArray<ContainerEndpoint> Endpoints { get; init; } = [];
    public ImmutableArray<PortMapping> Ports { get; init; } = [];
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
}

/// <summary>A container's attachment to one Docker network (NetworkSettings.Networks[name]).</summary>
public sealed record ContainerEndpoint
{
    public required string NetworkName { get; init; }
    public required string NetworkId { get; init; }
    public string? EndpointId { get; init; }
    public string? IPAddress { get; init; }
    public int PrefixLength { get; init; }
    public string? Gateway { get; init; }
    public string? MacAddress { get; init; }
    public string? GlobalIPv6Address { get; init; }
    public ImmutableArray<string> Aliases { get; init; } = [];
}

/// <summary>A published port: HostIp:HostPort on the host to ContainerPort/Protocol in the container.</summary>
public sealed record PortMapping
{
    public required int ContainerPort { get; init; }
    public required string Protocol { get; init; }
    public string? HostIp { get; init; }
    public int? HostPort { get; init; }
}

public sealed record DockerNetworkInfo
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Driver { get; init; }
    public string Scope { get; init; } = "local";
    public bool Internal { get; init; }
    public bool EnableIPv6 { get; init; }
    public ImmutableArray<string> Subnets { get; init; } = [];
    public ImmutableArray<string> Gateways { get; init; } = [];
    public ImmutableDictionary<string, string> Options { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>Members as <c>docker network inspect</c> lists them; read only for overlay networks and docker_gwbridge.</summary>
    public ImmutableArray<NetworkEndpoint> Endpoints { get; init; } = [];

    /// <summary>
    /// The Linux bridge that implements a bridge-driver network: the
    /// <c>com.docker.network.bridge.name</c> option, else <c>br-&lt;id[:12]&gt;</c>; docker0 for the default "bridge".
    /// Null for other drivers.
    /// </summary>
    public string? BridgeName =>
        Driver != "bridge" ? null
        : Options.TryGetValue("com.docker.network.bridge.name", out var n) && !string.IsNullOrEmpty(n) ? n
        : Name == "bridge" ? "docker0"
        : "br-" + Id[..Math.Min(12, Id.Length)];

    /// <summary>The host interface a macvlan or ipvlan network sits on (its <c>parent</c> option), else null.</summary>
    public string? ParentName =>
        Driver is "macvlan" or "ipvlan" && Options.TryGetValue("parent", out var p) && !string.IsNullOrEmpty(p) ? p : null;
}

/// <summary>One member of a network as <c>docker network inspect</c> lists it (its "Containers" map).</summary>
public sealed record NetworkEndpoint
{
    /// <summary>The map key: a container id, or a sandbox's name (<c>ingress-sbox</c>, <c>lb-ov1</c>, <c>gateway_&lt;id&gt;</c>).</summary>
    public required string Key { get; init; }
    /// <summary>The container's or sandbox's name (<c>ingress-endpoint</c>, <c>gateway_ingress-sbox</c>, ...).</summary>
    public required string Name { get; init; }
    public string? EndpointId { get; init; }
    /// <summary>CIDR, as Docker prints it ("10.0.0.2/24").</summary>
    public string? IPv4Address { get; init; }
    public string? IPv6Address { get; init; }
    public string? MacAddress { get; init; }
}
