using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;

namespace NetViz.Core.Paths;

/// <summary>
/// A sentence (or a part of one) of a path explanation as data: a message key of <see cref="PathWords"/> and its
/// arguments, each a value shown as it is (a name, an address, a port, a chain: text from the host, never a format)
/// or another <see cref="PathText"/> said in the same language. The explainer says what happened once; the API
/// renders it in English (<see cref="PathWords.InEnglish"/>), the dashboard in the page's language.
/// </summary>
public sealed record PathText
{
    /// <summary>Nothing: an optional part of a sentence that does not apply ("" in every language).</summary>
    public static readonly PathText Empty = new("", []);

    private PathText(string key, ImmutableArray<object> args) => (Key, Args) = (key, args);

    public string Key { get; }

    /// <summary>Strings (values) and <see cref="PathText"/>s (words), in the order of the key's {0}, {1}, ...</summary>
    public ImmutableArray<object> Args { get; }

    /// <summary>The text for <paramref name="key"/> (a key of <see cref="PathWords.English"/>) with its arguments.</summary>
    public static PathText Of(string key, params object?[] args)
    {
        if (!PathWords.English.ContainsKey(key)) throw new ArgumentException($"no English words for the path message '{key}'", nameof(key));
        var values = ImmutableArray.CreateBuilder<object>(args.Length);
        foreach (var a in args)
            values.Add(a switch
            {
                PathText or string => a,
                null => "",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => a.ToString() ?? "",
            });
        return new PathText(key, values.MoveToImmutable());
    }

    /// <summary>English: what the API says.</summary>
    public override string ToString() => PathWords.InEnglish(this);
}

/// <summary>
/// The English words of every <see cref="PathText"/> key: the text of <c>GET /api/path</c> (docs/api.md), which stays
/// English. Other languages live with the UI (the dashboard's strings.py has <c>PathText.KEY</c> for each); a key a
/// language lacks is said in English, never dropped.
/// </summary>
public static class PathWords
{
    public static FrozenDictionary<string, string> English { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // A query that cannot be answered (GET /api/path says 400 with these).
        ["query.host-missing"] = "the host namespace is not in the snapshot",
        ["query.no-uplink"] = "the host has no default route: there is no uplink for the outside world to arrive on",
        ["query.no-owner"] = "no namespace owns {0}: use outside:{0} for an address beyond the host",
        ["query.no-source"] = "from: no container or namespace '{0}' (use host, outside, container:NAME, netns:NAME or an address)",
        ["query.bad-port"] = "to: '{0}' is not a port (1-65535)",
        ["query.no-host-address"] = "to=host: no host address is reachable from the source; give one (to=ADDRESS:PORT)",
        ["query.container-no-ipv4"] = "container {0} has no IPv4 address (network none?)",
        ["query.no-ipv4"] = "{0} has no IPv4 address",
        ["query.no-destination"] = "to: no container, namespace or address '{0}' (use host[:PORT], outside, container:NAME, netns:NAME or ADDRESS[:PORT])",
        ["query.empty"] = "{0} is empty",
        ["query.too-long"] = "{0} is longer than {1} characters",
        ["query.not-ip"] = "{0}: '{1}' is not an IP address",
        ["query.no-container"] = "no container '{0}'",
        ["query.container-stopped"] = "container {0} is {1}: it has no network namespace",
        ["query.container-netns-missing"] = "container {0}'s network namespace is not in the snapshot",
        ["query.no-namespace"] = "no namespace '{0}'",
        ["query.bad-protocol"] = "protocol must be tcp, udp or icmp, not '{0}'",
        ["query.needs-port"] = "{0} needs a port (port=80, or to=ADDRESS:PORT)",
        // Who and where: the endpoints and namespaces as a learner knows them.
        ["label.host"] = "the host",
        ["label.host-at"] = "the host ({0})",
        ["label.outside"] = "the outside world ({0})",
        ["label.container"] = "container {0}",
        ["label.container-at"] = "container {0} ({1})",
        ["label.container-host-network"] = "container {0} (host network, {1})",
        ["label.namespace"] = "namespace {0}",
        ["label.at"] = "{0} ({1})",
        ["label.address"] = "{0}",
        // What the explainer assumed because it could not read it.
        ["assume.no-filter"] = "The host's filter rules were not read: no filtering is assumed.",
        ["assume.ip-forward"] = "net.ipv4.ip_forward could not be read: forwarding is assumed on.",
        ["assume.rp-filter"] = "rp_filter could not be read: it is assumed off.",
        ["assume.bridge-nf"] = "bridge-nf-call-iptables could not be read: bridged frames are assumed not to meet iptables.",
        // The first hop.
        ["start.title"] = "start in {0}",
        ["start.outside"] = "A packet from the outside world ({0}) arrives on the host's uplink {1}.",
        ["start.unknown-uplink"] = "(unknown)",
        ["start.leaves"] = "{0} packet leaves {1} for {2}{3}{4}.",
        ["start.icmp"] = "An ICMP",
        ["start.protocol"] = "A {0}",
        ["start.at"] = " at {0}",
        ["start.port"] = ", port {0}",
        // What the model does not follow.
        ["ipv6.title"] = "IPv6",
        ["ipv6.detail"] = "NetViz models IPv4 paths only.",
        ["ipv6.reason"] = "IPv6 paths are not modelled yet.",
        ["no-netns.title"] = "no namespace",
        ["no-netns.detail"] = "The packet's namespace is not in the snapshot.",
        ["no-netns.reason"] = "The source namespace is not in the snapshot.",
        ["loop.title"] = "loop",
        ["loop.detail"] = "The packet went through more than {0} steps: a routing loop?",
        ["loop.reason"] = "The walk did not end (a routing loop?).",
        ["link.title"] = "{0} {1}",
        ["link.detail"] = "The packet leaves by {0}, a {1} link, which the path model does not follow.",
        ["link.reason"] = "Links of type {0} are not modelled.",
        // Forwarding and reverse-path filtering.
        ["forward-off.title"] = "ip_forward is off",
        ["forward-off.detail"] = "The host does not forward: net.ipv4.ip_forward is 0, so a packet from {0} to another interface is dropped.",
        ["forward-off.reason"] = "net.ipv4.ip_forward is 0 on the host: it does not route between interfaces.",
        ["netns-no-forward.title"] = "{0} does not route",
        ["netns-no-forward.detail"] = "The packet arrived in {0} for {1}, which is not one of its addresses; a new namespace has ip_forward 0, so it is dropped (NetViz does not read that namespace's sysctls).",
        ["netns-no-forward.reason"] = "{0} received a packet for another address and does not forward it.",
        ["rp-filter.title"] = "rp_filter",
        ["rp-filter.detail"] = "Reverse-path filtering ({0}) drops it: the host's route back to {1} does not leave by {2}.",
        ["rp-filter.strict"] = "strict",
        ["rp-filter.loose"] = "loose",
        ["rp-filter.reason"] = "rp_filter drops it: the host would not route {0} back out of {1}.",
        // Routing.
        ["route.title"] = "route lookup in {0}",
        ["route.detail"] = "{0} routes {1} by {2}{3}: out of {4}{5}.",
        ["route.default"] = "its default route",
        ["route.metric"] = " (metric {0})",
        ["route.gateway"] = " via gateway {0}",
        ["route.on-link"] = ", directly (on-link)",
        ["route.none.detail"] = "{0} has no route to {1}: the kernel answers 'Network is unreachable'.",
        ["route.none.reason"] = "{0} has no route to {1}.",
        ["route.unknown-device.detail"] = "The route {0} names the device {1}, which is not in the snapshot.",
        ["route.unknown-device.reason"] = "The route's device {0} is unknown.",
        // Leaving the host.
        ["leave.title"] = "leaves by {0}",
        ["leave.detail"] = "The packet leaves the host by {0} towards {1}; beyond the host NetViz cannot see.",
        ["leave.reason"] = "It leaves the host by {0} with source {1}; what happens beyond the host is not visible from here.",
        // veth pairs and bridges.
        ["veth.title"] = "veth {0}",
        ["veth.no-peer.detail"] = "The other end of {0} is not in the snapshot.",
        ["veth.no-peer.reason"] = "The peer of {0} is unknown.",
        ["veth.down"] = "The veth pair {0}/{1} is down.",
        ["veth.cross.title"] = "veth {0} → {1}",
        ["veth.cross.detail"] = "The frame crosses the veth pair from {0} in {1} to {2} in {3}.",
        ["bridge.up.title"] = "bridge {0} → {1}",
        ["bridge.up.detail"] = "Bridge {0} sees the frame is for its own address, so {1} takes the packet up to routing.",
        ["bridge.title"] = "bridge {0}",
        ["bridge.no-port.detail"] = "No other port of bridge {0} leads to {1}: the ARP request for it gets no answer.",
        ["bridge.no-port.reason"] = "Nothing on bridge {0} answers for {1}.",
        ["bridge.no-port-out.detail"] = "No port of bridge {0} leads to {1}: its ARP request gets no answer.",
        ["bridge.out.detail"] = "Bridge {0} sends the frame for {1} out of its port {2}.",
        ["bridge.switch.detail"] = "Same bridge: {0} switches the frame from {1} to {2} without routing it.",
        // Delivery and the reply.
        ["reply.title"] = "reply from {0}",
        ["reply.no-route.detail"] = "The packet arrives in {0}, but {0} has no route back to {1}: the reply is never sent.",
        ["reply.no-route.reason"] = "{0} has no route back to {1} (no MASQUERADE hid the source?).",
        ["deliver.title"] = "delivered in {0}",
        ["deliver.detail"] = "{0} is an address of {1}, so the kernel delivers the packet to it{2}{3}.",
        ["deliver.not-target"] = " (not the namespace of {0}: the address is local here)",
        ["deliver.listener"] = "; whether a program listens on the port is not in the model",
        ["deliver.reason"] = "Delivered: {0} receives it at {1}, and the reply has a way back.",
        ["deliver.translated.reason"] = "Delivered: {0} receives it at {1} ({2} from {3}), and the reply has a way back.",
        ["deliver.by-proxy"] = "docker-proxy's new connection",
        ["deliver.by-dnat"] = "translated",
        ["proxy.title"] = "docker-proxy",
        ["proxy.detail"] = "No DNAT rule rewrites {0}:{1} (Docker's OUTPUT rule skips 127.0.0.0/8), so docker-proxy listening on it accepts the connection and opens a new one from the host to {2} at {3}:{4}.",
        // NAT.
        ["nat.title"] = "nat {0}",
        ["nat.dnat.detail"] = "DNAT: rule {0} of {1} rewrites the destination {2} to {3}.",
        ["nat.source.detail"] = "{0}: rule {1} of {2} rewrites the source {3} to {4} ({5}'s address), so replies come back to the host.",
        ["nat.redirect"] = "REDIRECT to a local port is not modelled",
        // Filter chains: table, chain, where it decided, what it saw.
        ["filter.title"] = "{0} {1}",
        ["filter.reply.title"] = "reply: {0} {1}",
        ["filter.at-rule"] = "rule {0} of {1}",
        ["filter.at-policy"] = "the {0} policy",
        ["filter.packet"] = "{0}{1} → {2} (in {3}, out {4}{5})",
        ["filter.packet.reply"] = "the reply ",
        ["filter.packet.bridged"] = ", bridged",
        ["filter.accept.detail"] = "{0} {1} accepts {2} at {3}.",
        ["filter.drop.detail"] = "{0} {1}: {2} drops {3}{4}.",
        ["filter.reject.detail"] = "{0} {1}: {2} rejects {3}{4}.",
        ["filter.dropped.reason"] = "Dropped at {0}{1}{2}.",
        ["filter.reply-dropped.reason"] = "The reply is dropped at {0}{1}{2}.",
        ["filter.policy-is"] = " (policy {0})",
        ["filter.undecided.detail"] = "{0} {1}: NetViz cannot decide at {2}: {3}.",
        ["filter.undecided.reason"] = "Cannot decide at {0}: {1}.",
        ["filter.other.detail"] = "{0} {1}: {2} ({3}).",
        // Why a rule cannot be decided.
        ["why.too-deep"] = "the rules jump more than {0} chains deep",
        ["why.too-many"] = "too many rules to walk",
        ["why.target"] = "its target {0} is not modelled",
        ["why.match"] = "the match -m {0} is not modelled",
        ["why.addrtype"] = "{0} {1} is not modelled",
        ["why.option"] = "the option {0} is not modelled",
        ["why.undecidable"] = "{0} {1} cannot be decided",
        // What Docker meant by the rule that stopped the packet.
        ["rule.isolation"] = ": Docker isolates its networks from each other (or keeps an internal network inside)",
        ["rule.docker-user"] = ": a rule someone added to DOCKER-USER",
        ["rule.icc"] = ": inter-container traffic is off on this bridge (icc=false)",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The text in English.</summary>
    public static string InEnglish(PathText text) => Render(text, _ => null);

    /// <summary>
    /// The text in a language: <paramref name="words"/> gives a key's format ({0}, {1}, ...) or null for English.
    /// Arguments are values, never formats: a name with braces is shown as it is.
    /// </summary>
    public static string Render(PathText text, Func<string, string?> words)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Key.Length == 0) return "";
        var format = words(text.Key) is { Length: > 0 } said ? said : English[text.Key];
        if (text.Args.IsEmpty) return format;
        var args = new object[text.Args.Length];
        for (var i = 0; i < args.Length; i++) args[i] = text.Args[i] is PathText inner ? Render(inner, words) : text.Args[i];
        return string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
