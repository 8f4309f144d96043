using NetViz.Core.Sources.Namespaces;
using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet.Models;
using NetViz.Core.Text;

namespace NetViz.Core.Sources.Docker;

/// <summary>
/// The one place where Docker.DotNet's generated DTOs become NetViz records. Pure: the namespace inode
/// lookup is passed in, so recorded <c>docker inspect</c> JSON can be mapped in unit tests. Bounded: the engine stores
/// whatever names and labels its users give (Docker 20.10 accepts any network name), so names are cut to
/// <see cref="Bounded.MaxNameLength"/> and lists to the Max* counts here.
/// </summary>
public static class DockerModelMapper
{
    /// <summary>Networks one container is attached to, kept.</summary>
    public const int MaxEndpoints = 64;
    /// <summary>Published or exposed ports per container, kept (a range like -p 1000-2000:1000-2000 is one per port).</summary>
    public const int MaxPorts = 1024;
    /// <summary>Labels, options and aliases kept per object.</summary>
    public const int MaxLabels = 64;
    /// <summary>Subnets and gateways kept per network.</summary>
    public const int MaxSubnets = 16;
    /// <summary>Members kept per inspected network.</summary>
    public const int MaxEndpointsPerNetwork = 256;

    /// <param name="inodeOf">Reads a namespace inode from an nsfs path (production: <c>Nsfs.InodeOf</c>); null means "don't read".</param>
    public static ContainerInfo ToContainerInfo(ContainerInspectResponse container, Func<string, ulong?>? inodeOf = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        var pid = (int)(container.State?.Pid ?? 0);
        var sandboxKey = NullIfEmpty(container.NetworkSettings?.SandboxKey);
        return new ContainerInfo
        {
            Id = container.ID,
            Name = Bounded.Text((container.Name ?? "").TrimStart('/')),
            Image = Bounded.Text(container.Config?.Image ?? container.Image ?? ""),
            State = Bounded.Text(container.State?.Status ?? "unknown", 32),
            Pid = pid,
            NetworkMode = Bounded.Text(NormalizeNetworkMode(container.HostConfig?.NetworkMode)),
            SandboxKey = Bounded.TextOrNull(sandboxKey, 4096),
            NetnsInode = inodeOf is null ? null : NetnsInodeOf(pid, sandboxKey, inodeOf),
            Endpoints = ToEndpoints(container.NetworkSettings?.Networks),
            Ports = ToPortMappings(container.NetworkSettings?.Ports),
            Labels = ToDictionary(container.Config?.Labels),
        };
    }

    /// <summary>
    /// A running container's /proc/PID/ns/net is its namespace; when it is not readable (or the container is
    /// stopped) the sandbox file Docker bind-mounts under /var/run/docker/netns carries the same inode.
    /// </summary>
    public static ulong? NetnsInodeOf(int pid, string? sandboxKey, Func<string, ulong?> inodeOf)
    {
        if (pid > 0 && inodeOf($"/proc/{pid}/ns/net") is { } fromProc) return fromProc;
        return string.IsNullOrEmpty(sandboxKey) ? null : inodeOf(sandboxKey);
    }

    /// <summary>
    /// Docker 20.10 reports HostConfig.NetworkMode "default" for a container run without --network; on Linux
    /// the daemon treats "default" as the "bridge" network (runconfig NetworkMode.IsDefault), so name it so.
    /// </summary>
    public static string NormalizeNetworkMode(string? networkMode) =>
        string.IsNullOrEmpty(networkMode) || networkMode == "default" ? "bridge" : networkMode;

    public static ImmutableArray<ContainerEndpoint> ToEndpoints(IDictionary<string, EndpointSettings>? networks)
    {
        if (networks is null) return [];
        return [.. networks
            .OrderBy(n => n.Key, StringComparer.Ordinal)
            .Take(MaxEndpoints)
            .Select(n => new ContainerEndpoint
            {
                NetworkName = Bounded.Text(n.Key),
                NetworkId = Bounded.Text(n.Value?.NetworkID ?? "", 128),
                EndpointId = Bounded.TextOrNull(NullIfEmpty(n.Value?.EndpointID), 128),
                IPAddress = Bounded.TextOrNull(NullIfEmpty(n.Value?.IPAddress), 64),
                PrefixLength = (int)(n.Value?.IPPrefixLen ?? 0),
                Gateway = Bounded.TextOrNull(NullIfEmpty(n.Value?.Gateway), 64),
                MacAddress = Bounded.TextOrNull(NullIfEmpty(n.Value?.MacAddress), 64),
                GlobalIPv6Address = Bounded.TextOrNull(NullIfEmpty(n.Value?.GlobalIPv6Address), 64),
                Aliases = n.Value?.Aliases is { } aliases ? [.. aliases.Take(MaxLabels).Select(a => Bounded.Text(a))] : [],
            })];
    }

    /// <summary>
    /// NetworkSettings.Ports: "80/tcp" -> host bindings. One PortMapping per binding (Docker 20.10 publishes
    /// 0.0.0.0 and :: separately); an exposed but unpublished port (null bindings) is one mapping without host side.
    /// </summary>
    public static ImmutableArray<PortMapping> ToPortMappings(IDictionary<string, IList<PortBinding>>? ports)
    {
        if (ports is null) return [];
        var result = ImmutableArray.CreateBuilder<PortMapping>();
        foreach (var (key, bindings) in ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (result.Count >= MaxPorts) break;
            var slash = key.IndexOf('/');
            var portText = slash < 0 ? key : key[..slash];
            var protocol = Bounded.Text(slash < 0 ? "tcp" : key[(slash + 1)..], 16);
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort)) continue;
            if (bindings is null || bindings.Count == 0)
            {
                result.Add(new PortMapping { ContainerPort = containerPort, Protocol = protocol });
                continue;
            }
            foreach (var binding in bindings.Take(MaxPorts - result.Count))
            {
                result.Add(new PortMapping
                {
                    ContainerPort = containerPort,
                    Protocol = protocol,
                    HostIp = Bounded.TextOrNull(NullIfEmpty(binding.HostIP), 64),
                    HostPort = int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hp) ? hp : null,
                });
            }
        }
        return result.ToImmutable();
    }

    public static DockerNetworkInfo ToNetworkInfo(NetworkResponse network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var configs = network.IPAM?.Config ?? [];
        return new DockerNetworkInfo
        {
            Id = Bounded.Text(network.ID ?? "", 128),
            Name = Bounded.Text(network.Name ?? ""),
            Driver = Bounded.Text(network.Driver ?? "", 64),
            Scope = string.IsNullOrEmpty(network.Scope) ? "local" : Bounded.Text(network.Scope, 32),
            Internal = network.Internal,
            EnableIPv6 = network.EnableIPv6,
            Subnets = [.. configs.Select(c => c.Subnet).Where(s => !string.IsNullOrEmpty(s)).Take(MaxSubnets).Select(s => Bounded.Text(s, 64))],
            Gateways = [.. configs.Select(c => c.Gateway).Where(g => !string.IsNullOrEmpty(g)).Take(MaxSubnets).Select(g => Bounded.Text(g, 64))],
            Options = ToDictionary(network.Options),
            Labels = ToDictionary(network.Labels),
            Endpoints = network.Containers is { } members
                ? [.. members.OrderBy(m => m.Key, StringComparer.Ordinal).Take(MaxEndpointsPerNetwork).Select(m => new NetworkEndpoint
                {
                    Key = Bounded.Text(m.Key, 128),
                    Name = Bounded.Text(m.Value?.Name ?? ""),
                    EndpointId = Bounded.TextOrNull(NullIfEmpty(m.Value?.EndpointID), 128),
                    IPv4Address = Bounded.TextOrNull(NullIfEmpty(m.Value?.IPv4Address), 64),
                    IPv6Address = Bounded.TextOrNull(NullIfEmpty(m.Value?.IPv6Address), 64),
                    MacAddress = Bounded.TextOrNull(NullIfEmpty(m.Value?.MacAddress), 64),
                })]
                : [],
        };
    }

    public static DockerEvent ToDockerEvent(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new DockerEvent(
            message.Type ?? "",
            message.Action ?? "",
            message.Actor?.ID ?? "",
            ToDictionary(message.Actor?.Attributes, first: "name"));
    }

    /// <summary>At most <see cref="MaxLabels"/> entries (by key order), keys and values cut to <see cref="Bounded.MaxNameLength"/>.</summary>
    /// <param name="first">A key kept before any other (an event's "name" among the container's labels).</param>
    private static ImmutableDictionary<string, string> ToDictionary(IDictionary<string, string>? source, string? first = null)
    {
        if (source is null) return ImmutableDictionary<string, string>.Empty;
        var kept = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in source.OrderBy(p => p.Key != first).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (kept.Count >= MaxLabels) break;
            // A key cut to the same prefix as another keeps the first.
            kept.TryAdd(Bounded.Text(key), Bounded.Text(value ?? ""));
        }
        return kept.ToImmutable();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
