using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet.Models;

namespace NetViz.Core.Sources.Docker;

/// <summary>
/// The one place where Docker.DotNet's generated DTOs become NetViz records. Pure: the namespace inode
/// lookup is passed in, so recorded <c>docker inspect</c> JSON can be mapped in unit tests.
/// </summary>
public static class DockerModelMapper
{
    /// <param name="inodeOf">Reads a namespace inode from an nsfs path (production: <c>Nsfs.InodeOf</c>); null means "don't read".</param>
    public static ContainerInfo ToContainerInfo(ContainerInspectResponse container, Func<string, ulong?>? inodeOf = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        var pid = (int)(container.State?.Pid ?? 0);
        var sandboxKey = NullIfEmpty(container.NetworkSettings?.SandboxKey);
        return new ContainerInfo
        {
            Id = container.ID,
            Name = (container.Name ?? "").TrimStart('/'),
            Image = container.Config?.Image ?? container.Image ?? "",
            State = container.State?.Status ?? "unknown",
            Pid = pid,
            NetworkMode = NormalizeNetworkMode(container.HostConfig?.NetworkMode),
            SandboxKey = sandboxKey,
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
            .Select(n => new ContainerEndpoint
            {
                NetworkName = n.Key,
                NetworkId = n.Value?.NetworkID ?? "",
                EndpointId = NullIfEmpty(n.Value?.EndpointID),
                IPAddress = NullIfEmpty(n.Value?.IPAddress),
                PrefixLength = (int)(n.Value?.IPPrefixLen ?? 0),
                Gateway = NullIfEmpty(n.Value?.Gateway),
                MacAddress = NullIfEmpty(n.Value?.MacAddress),
                GlobalIPv6Address = NullIfEmpty(n.Value?.GlobalIPv6Address),
                Aliases = n.Value?.Aliases is { } aliases ? [.. aliases] : [],
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
            var slash = key.IndexOf('/');
            var portText = slash < 0 ? key : key[..slash];
            var protocol = slash < 0 ? "tcp" : key[(slash + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort)) continue;
            if (bindings is null || bindings.Count == 0)
            {
                result.Add(new PortMapping { ContainerPort = containerPort, Protocol = protocol });
                continue;
            }
            foreach (var binding in bindings)
            {
                result.Add(new PortMapping
                {
                    ContainerPort = containerPort,
                    Protocol = protocol,
                    HostIp = NullIfEmpty(binding.HostIP),
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
            Id = network.ID,
            Name = network.Name,
            Driver = network.Driver ?? "",
            Scope = string.IsNullOrEmpty(network.Scope) ? "local" : network.Scope,
            Internal = network.Internal,
            EnableIPv6 = network.EnableIPv6,
            Subnets = [.. configs.Select(c => c.Subnet).Where(s => !string.IsNullOrEmpty(s))],
            Gateways = [.. configs.Select(c => c.Gateway).Where(g => !string.IsNullOrEmpty(g))],
            Options = ToDictionary(network.Options),
            Labels = ToDictionary(network.Labels),
        };
    }

    public static DockerEvent ToDockerEvent(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new DockerEvent(
            message.Type ?? "",
            message.Action ?? "",
            message.Actor?.ID ?? "",
            ToDictionary(message.Actor?.Attributes));
    }

    private static ImmutableDictionary<string, string> ToDictionary(IDictionary<string, string>? source) =>
        source is null ? ImmutableDictionary<string, string>.Empty : source.ToImmutableDictionary(StringComparer.Ordinal);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
