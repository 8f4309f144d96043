using System.Globalization;
using System.Net;
using NetViz.Core.Model;
using NetViz.Core.Text;

namespace NetViz.Core.Paths;

/// <summary>Where a path starts: a namespace (and maybe a fixed address), or the outside world arriving on an uplink.</summary>
internal sealed record ResolvedSource(PathText Label, NetnsNode? Netns, IPAddress? Address, InterfaceNode? ArrivesOn, string? Element, ContainerNode? Container);

/// <summary>Where a path should end: an address (and port), and the namespace expected to own it when known.</summary>
internal sealed record ResolvedDestination(PathText Label, IPAddress Address, int? Port, NetnsNode? Netns, string? Element);

/// <summary>Turns the words of a <see cref="PathQuery"/> into namespaces and addresses of one snapshot.</summary>
internal static class EndpointResolver
{
    public const int MaxEndpointLength = 256;

    public static ResolvedSource Source(PathIndex index, string text)
    {
        text = Check(text, "from");
        if (text == "host") return new ResolvedSource(PathText.Of("label.host"), Need(index.Host, "query.host-missing"), null, null, index.Host?.Id, null);
        if (text == "outside" || text.StartsWith("outside:", StringComparison.Ordinal))
        {
            var address = text == "outside" ? PathExplainer.DefaultOutsideAddress : ParseIp(text["outside:".Length..], "from");
            var uplink = index.External?.Via is { } via ? index.Interfaces.GetValueOrDefault(via) : null;
            uplink ??= index.Host is { } host && index.Lookup(host.Inode, address) is { } r ? index.InterfaceNamed(host.Inode, r.Route.Dev) : null;
            if (uplink is null) throw new PathQueryException("query.no-uplink");
            return new ResolvedSource(PathText.Of("label.outside", address), null, address, uplink, index.External?.Id, null);
        }
        if (IPAddress.TryParse(text, out var ip))
        {
            var owner = index.Owners(ip).FirstOrDefault() ?? throw new PathQueryException("query.no-owner", ip);
            var ns = index.NamespaceOf(owner)!;
            return new ResolvedSource(PathText.Of("label.at", Label(index, ns), ip), ns, ip, null, ns.Id, null);
        }
        if (FindContainer(index, text) is { } c)
        {
            var ns = ContainerNamespace(index, c);
            return new ResolvedSource(PathText.Of("label.container", c.Name), ns, null, null, c.Id, c);
        }
        if (FindNamespace(index, text) is { } n) return new ResolvedSource(Label(index, n), n, null, null, n.Id, null);
        throw new PathQueryException("query.no-source", Shown(text));
    }

    public static ResolvedDestination Destination(PathIndex index, string text, ResolvedSource from)
    {
        text = Check(text, "to");
        int? port = null;
        // ADDRESS:PORT or host:PORT (a published port); an IPv6 address has several colons and no port here.
        var colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':') == colon && !text.StartsWith("container:", StringComparison.Ordinal) && !text.StartsWith("netns:", StringComparison.Ordinal)
            && !text.StartsWith("outside:", StringComparison.Ordinal))
        {
            if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                throw new PathQueryException("query.bad-port", Shown(text[(colon + 1)..]));
            port = p;
            text = text[..colon];
        }
        if (text == "host")
        {
            var host = Need(index.Host, "query.host-missing");
            var address = HostAddressFor(index, from) ?? throw new PathQueryException("query.no-host-address");
            return new ResolvedDestination(PathText.Of("label.host-at", address), address, port, host, host.Id);
        }
        if (text == "outside" || text.StartsWith("outside:", StringComparison.Ordinal))
        {
            var address = text == "outside" ? PathExplainer.DefaultOutsideAddress : ParseIp(text["outside:".Length..], "to");
            return new ResolvedDestination(PathText.Of("label.outside", address), address, port, null, index.External?.Id);
        }
        if (IPAddress.TryParse(text, out var ip))
        {
            var owner = index.Owners(ip).FirstOrDefault();
            var ns = owner is null ? null : index.NamespaceOf(owner);
            var byIp = index.Containers.FirstOrDefault(c => c.IsRunning && c.Networks.Any(n => n.IPAddress == ip.ToString()));
            return new ResolvedDestination(byIp is not null ? PathText.Of("label.container-at", byIp.Name, ip) : ns is not null ? PathText.Of("label.at", Label(index, ns), ip) : PathText.Of("label.address", ip),
                ip, port, ns, byIp?.Id ?? ns?.Id);
        }
        if (FindContainer(index, text) is { } c)
        {
            var ns = ContainerNamespace(index, c);
            if (ns.IsHost)
            {
                var address = HostAddressFor(index, from) ?? IPAddress.Loopback;
                return new ResolvedDestination(PathText.Of("label.container-host-network", c.Name, address), address, port, ns, c.Id);
            }
            // The address on a network the source shares, else its first: what a name lookup on that network returns.
            var shared = from.Container?.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal) ?? [];
            var attachment = c.Networks.Where(n => n.IPAddress is { Length: > 0 }).OrderBy(n => shared.Contains(n.Name) ? 0 : 1).FirstOrDefault();
            var ipText = attachment?.IPAddress ?? index.InterfacesOf(ns.Inode).Select(PathIndex.PrimaryAddress).FirstOrDefault(a => a is not null)?.ToString()
                ?? throw new PathQueryException("query.container-no-ipv4", Shown(c.Name));
            return new ResolvedDestination(PathText.Of("label.container", c.Name), IPAddress.Parse(ipText), port, ns, c.Id);
        }
        if (FindNamespace(index, text) is { } n)
        {
            var address = index.InterfacesOf(n.Inode).Where(i => i.Type != "loopback").Select(PathIndex.PrimaryAddress).FirstOrDefault(a => a is not null)
                ?? throw new PathQueryException("query.no-ipv4", Label(index, n));
            return new ResolvedDestination(Label(index, n), address, port, n, n.Id);
        }
        throw new PathQueryException("query.no-destination", Shown(text));
    }

    /// <summary>The host address a source would use for "the host": its gateway when the host owns it, else 127.0.0.1 from the host itself.</summary>
    private static IPAddress? HostAddressFor(PathIndex index, ResolvedSource from)
    {
        if (index.Host is not { } host) return null;
        if (from.Netns is null) return PathIndex.PrimaryAddress(from.ArrivesOn);
        if (from.Netns.IsHost) return IPAddress.Loopback;
        foreach (var route in from.Netns.Routes)
            if (route.Gateway is { } g && IPAddress.TryParse(g, out var gw) && index.IsLocal(host.Inode, gw)) return gw;
        // A directly connected host (a veth without a bridge, a bridge): the host address on the source's link.
        foreach (var i in index.InterfacesOf(from.Netns.Inode))
        {
            if (index.Peer(i) is not { } peer || peer.NetnsInode != host.Inode) continue;
            var side = peer.Master is { } m && index.Interfaces.TryGetValue(m, out var bridge) ? bridge : peer;
            if (PathIndex.PrimaryAddress(side) is { } a) return a;
        }
        return null;
    }

    private static string Check(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length == 0) throw new PathQueryException("query.empty", what);
        if (text.Length > MaxEndpointLength) throw new PathQueryException("query.too-long", what, MaxEndpointLength);
        return text;
    }

    private static IPAddress ParseIp(string text, string what) =>
        IPAddress.TryParse(text, out var ip) ? ip : throw new PathQueryException("query.not-ip", what, Shown(text));

    private static T Need<T>(T? value, string key) where T : class => value ?? throw new PathQueryException(key);

    private static ContainerNode? FindContainer(PathIndex index, string text)
    {
        var explicitly = text.StartsWith("container:", StringComparison.Ordinal);
        var name = explicitly ? text["container:".Length..] : text;
        if (name.StartsWith("ctr:", StringComparison.Ordinal)) name = name[4..];
        var found = index.Containers.FirstOrDefault(c => c.Name == name)
            ?? (name.Length >= 4 && name.All(char.IsAsciiHexDigitLower) ? index.Containers.FirstOrDefault(c => c.ContainerId.StartsWith(name, StringComparison.Ordinal)) : null);
        if (found is null && explicitly) throw new PathQueryException("query.no-container", Shown(name));
        if (found is not null && !found.IsRunning) throw new PathQueryException("query.container-stopped", Shown(found.Name), found.State);
        return found;
    }

    private static NetnsNode ContainerNamespace(PathIndex index, ContainerNode c)
    {
        var ns = c.Netns is { } id ? index.Namespaces.Values.FirstOrDefault(n => n.Id == id) : null;
        if (ns is null && c.NetworkMode == "host") ns = index.Host;
        return ns ?? throw new PathQueryException("query.container-netns-missing", Shown(c.Name));
    }

    private static NetnsNode? FindNamespace(PathIndex index, string text)
    {
        var explicitly = text.StartsWith("netns:", StringComparison.Ordinal);
        var name = explicitly ? text["netns:".Length..] : text;
        var found = index.Namespaces.Values.FirstOrDefault(n => n.Name == name)
            ?? (ulong.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var inode) ? index.Namespaces.GetValueOrDefault(inode) : null);
        if (found is null && explicitly) throw new PathQueryException("query.no-namespace", Shown(name));
        return found;
    }

    /// <summary>A name as a learner knows it: the container in it, its ip netns name, or the host.</summary>
    public static PathText Label(PathIndex index, NetnsNode ns)
    {
        if (ns.IsHost) return PathText.Of("label.host");
        // The container that owns the namespace, not one that joined it (--network container:x).
        var owner = index.Containers.FirstOrDefault(c => c.Netns == ns.Id && c.JoinedContainer is null && c.NetworkMode != "host");
        if (owner is not null) return PathText.Of("label.container", owner.Name);
        if (ns.Containers.Count > 0) return PathText.Of("label.container", ns.Containers[0].Name);
        if (ns.Name is { } name) return PathText.Of("label.namespace", name);
        return PathText.Of("label.namespace", ns.Inode);
    }

    /// <summary>The command run inside a namespace: as-is on the host, <c>ip netns exec</c>, or <c>nsenter</c> by path or pid.</summary>
    public static string NsExec(NetnsNode ns, string command)
    {
        if (ns.IsHost) return command;
        if (ns.Name is { } name) return $"ip netns exec {ShellQuote.Word(name)} {command}";
        if (ns.Paths.Count > 0) return $"nsenter --net={ShellQuote.Word(ns.Paths[0])} {command}";
        if (ns.Pids.Count > 0) return $"nsenter -t {ns.Pids[0]} -n {command}";
        return $"# namespace {ns.Inode} has no path: {command}";
    }

    /// <summary>Echoed input, cut and with control characters made visible.</summary>
    internal static string Shown(string text) => ShellQuote.Visible(text.Length > 64 ? text[..64] + "…" : text);
}
