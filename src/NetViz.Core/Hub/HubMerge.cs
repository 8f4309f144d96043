using System.Net;
using System.Collections.Immutable;
using NetViz.Core.Model;
using NetViz.Core.Text;

namespace NetViz.Core.Hub;

/// <summary>What the hub knows of one agent: its last snapshot (ids already prefixed) and whether it answers.</summary>
public sealed record AgentState
{
    public required AgentEndpoint Endpoint { get; init; }
    public required string Status { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    /// <summary>The agent's snapshot as last applied, its derived facts completed on its own, null before the first.</summary>
    public TopologySnapshot? Snapshot { get; init; }
    /// <summary>Elements of kinds this hub does not know, skipped from the last snapshot and diffs.</summary>
    public int Skipped { get; init; }

    public static AgentState Connecting(AgentEndpoint endpoint) => new() { Endpoint = endpoint, Status = HostStatuses.Connecting };
}

/// <summary>
/// Merges the agents' snapshots into the one snapshot the dashboard, the API and the SSE stream show. Pure. Each host
/// is a <see cref="HostNode"/> (<c>host:&lt;name&gt;</c>) and the parent of every node of that host that had none;
/// every other id already carries the host's prefix (<see cref="AgentJson"/>), so hosts never collide. Derived facts
/// are each host's own (<see cref="AgentState.Snapshot"/> is completed per host): computed over the merged graph, a
/// NAT rule of one host would join another host's network of the same subnet.
/// </summary>
public static class HubMerge
{
    public static string HostId(string name) => $"host:{name}";
    public static string Prefix(string name) => $"{name}/";

    public static TopologySnapshot Merge(IReadOnlyList<AgentState> agents, string hubHostname, DateTimeOffset now)
    {
        var nodes = ImmutableArray.CreateBuilder<TopologyNode>();
        var edges = ImmutableArray.CreateBuilder<TopologyEdge>();
        var warnings = new List<string>();
        var docker = new List<string>();
        var netlink = new List<string>();
        var nat = new List<string>();
        string? backend = null;
        foreach (var agent in agents)
        {
            var name = agent.Endpoint.Name;
            var hostId = HostId(name);
            var s = agent.Snapshot;
            nodes.Add(new HostNode
            {
                Id = hostId,
                Label = s is null || s.Host.Hostname == name ? name : $"{name} ({s.Host.Hostname})",
                Name = name,
                Url = agent.Endpoint.Url,
                Hostname = s?.Host.Hostname,
                MachineId = s?.Host.MachineId,
                Status = agent.Status,
                Reason = agent.Reason,
                LastSeen = agent.LastSeen,
            });
            if (agent.Status != HostStatuses.Ok)
                warnings.Add($"{name}: {agent.Status}" + (agent.Reason is { } r ? $": {r}" : "")
                    + (agent.LastSeen is { } seen ? $" (last seen {seen:u})" : " (never seen)"));
            if (agent.Skipped > 0) warnings.Add($"{name}: {agent.Skipped} elements of kinds this hub does not know were left out");
            if (s is null) continue;
            foreach (var node in s.Nodes) nodes.Add(node.Parent is null ? node with { Parent = hostId } : node);
            edges.AddRange(s.Edges);
            warnings.AddRange(s.Host.Warnings.Select(w => $"{name}: {w}"));
            if (!s.Sources.Docker.Ok) docker.Add($"{name}: {s.Sources.Docker.Error}");
            if (!s.Sources.Netlink.Ok) netlink.Add($"{name}: {s.Sources.Netlink.Error}");
            if (!s.Sources.Nat.Ok) nat.Add($"{name}: {s.Sources.Nat.Error}");
            backend ??= s.Sources.Nat.Backend;
        }

        edges.AddRange(Tunnels(agents, warnings));

        string? Joined(List<string> errors) => errors.Count == 0 ? null : Bounded.Text(string.Join("; ", errors), 1000);
        return new TopologySnapshot
        {
            GeneratedAt = now,
            Host = new HostInfo { Hostname = hubHostname, Netns = null, Warnings = Bounded.Warnings(warnings) },
            Sources = new SourcesStatus
            {
                Docker = new DockerSourceStatus { Ok = docker.Count == 0, Error = Joined(docker), Endpoint = $"{agents.Count} agents", Version = null },
                Netlink = new SourceStatus { Ok = netlink.Count == 0, Error = Joined(netlink) },
                Nat = new NatSourceStatus { Ok = nat.Count == 0, Error = Joined(nat), Backend = backend },
            },
            Nodes = nodes.ToImmutable(),
            Edges = edges.ToImmutable(),
        };
    }

    /// <summary>
    /// Cables between hosts: each vxlan's remote endpoints (<see cref="InterfaceNode.VxlanRemotes"/>) matched against the
    /// addresses of the other hosts' own namespaces. An address that no other host owns (a node outside the hub) or that
    /// several own (a private address reused per host) draws nothing: a cable to the wrong host would be worse than none.
    /// </summary>
    internal static IEnumerable<TunnelEdge> Tunnels(IReadOnlyList<AgentState> agents, List<string> warnings)
    {
        var owners = new Dictionary<string, List<(string Host, string Interface)>>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            if (agent.Snapshot is not { Host.Netns: { } hostNetns } s) continue;
            foreach (var i in s.Nodes.OfType<InterfaceNode>())
            {
                if (i.Parent != hostNetns || i.Type == "loopback") continue;
                foreach (var a in i.Addresses)
                {
                    // Scope does not survive the agent's JSON (CIDR strings): tell link-local and loopback by the address.
                    if (!IPAddress.TryParse(a.Address, out var ip) || ip.IsIPv6LinkLocal || IPAddress.IsLoopback(ip)) continue;
                    if (!owners.TryGetValue(a.Address, out var list)) owners[a.Address] = list = [];
                    list.Add((agent.Endpoint.Name, i.Id));
                }
            }
        }
        var ambiguous = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            if (agent.Snapshot is not { } s) continue;
            var name = agent.Endpoint.Name;
            foreach (var vxlan in s.Nodes.OfType<InterfaceNode>().Where(i => i.VxlanRemotes.Count > 0))
            {
                foreach (var remote in vxlan.VxlanRemotes)
                {
                    if (!owners.TryGetValue(remote, out var list)) continue;
                    var others = list.Where(o => o.Host != name).ToList();
                    if (others.Count == 0 || list.Any(o => o.Host == name)) continue;
                    if (others.Select(o => o.Host).Distinct().Count() > 1) { ambiguous.Add(remote); continue; }
                    var target = others[0];
                    var id = EdgeId.Tunnel(vxlan.Id, target.Interface);
                    if (!seen.Add(id)) continue;
                    yield return new TunnelEdge
                    {
                        Id = id, Source = vxlan.Id, Target = target.Interface, Remote = remote, SourceHost = name, TargetHost = target.Host,
                        VxlanId = vxlan.VxlanId, VxlanPort = vxlan.VxlanPort, Overlay = vxlan.VxlanOverlay,
                    };
                }
            }
        }
        if (ambiguous.Count > 0)
            warnings.Add(Bounded.Text($"vxlan remotes owned by several hosts, drawn as no cable: {string.Join(", ", ambiguous)}", 500));
    }
}
