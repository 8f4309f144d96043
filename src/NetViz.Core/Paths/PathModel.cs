using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace NetViz.Core.Paths;

/// <summary>What a <see cref="PathExplainer"/> is asked: from where, to where, which protocol and port.</summary>
/// <param name="From">
/// <c>host</c>, <c>outside</c> (optionally <c>outside:IP</c>), <c>container:NAME</c> (name or id prefix),
/// <c>netns:NAME</c> (an <c>ip netns</c> name or a node id <c>netns:INODE</c>), or an IPv4 address owned by a namespace.
/// A bare word is tried as a container, then as a namespace.
/// </param>
/// <param name="To">
/// The same forms, plus an IPv4 address anywhere and <c>ADDRESS:PORT</c> / <c>host:PORT</c> (a published port:
/// the port here wins over <paramref name="Port"/>).
/// </param>
/// <param name="Protocol">tcp, udp or icmp.</param>
/// <param name="Port">Destination port (tcp, udp); null for icmp.</param>
public sealed record PathQuery(string From, string To, string Protocol, int? Port);

/// <summary>How a path ends.</summary>
public static class PathVerdicts
{
    /// <summary>The packet reaches the destination namespace (and its reply has a way back).</summary>
    public const string Delivered = "delivered";
    /// <summary>It leaves the host by its uplink: beyond that NetViz cannot see.</summary>
    public const string LeavesHost = "leaves-host";
    /// <summary>A filter rule or chain policy drops or rejects it, or a kernel setting refuses it.</summary>
    public const string Dropped = "dropped";
    /// <summary>No route, no neighbour, or no route back for the reply.</summary>
    public const string NoRoute = "no-route";
    /// <summary>The model cannot decide (a match it does not understand, rules it could not read, IPv6, ...).</summary>
    public const string Undecided = "cannot-decide";
}

/// <summary>Kinds of <see cref="PathHop"/>.</summary>
public static class PathHopKinds
{
    public const string Start = "start";
    public const string Route = "route";
    public const string Veth = "veth";
    public const string Bridge = "bridge";
    public const string Filter = "filter";
    public const string Nat = "nat";
    public const string Sysctl = "sysctl";
    public const string Proxy = "proxy";
    public const string Deliver = "deliver";
    public const string Leave = "leave";
    public const string Reply = "reply";
}

/// <summary>One step of the kernel's decision, in order.</summary>
public sealed record PathHop
{
    public required string Kind { get; init; }
    /// <summary>A short title ("route lookup in web", "filter FORWARD").</summary>
    public required string Title { get; init; }
    /// <summary>What happened, in one plain sentence.</summary>
    public required string Detail { get; init; }
    /// <summary><see cref="Title"/> as data, for the dashboard to say in its language (null when made without it).</summary>
    [JsonIgnore] public PathText? TitleText { get; init; }
    /// <summary><see cref="Detail"/> as data.</summary>
    [JsonIgnore] public PathText? DetailText { get; init; }
    /// <summary>A shell command (names quoted) that shows this step on the real host, or null.</summary>
    public string? Command { get; init; }
    /// <summary>Graph node/edge ids this step touches, for highlighting.</summary>
    public ImmutableArray<string> Elements { get; init; } = [];
    /// <summary>The netns node id where this step happens, or null (the outside world).</summary>
    public string? Netns { get; init; }
    /// <summary>Filter/NAT steps: the table, the chain and 1-based position of the rule that decided (null for a policy).</summary>
    public string? Table { get; init; }
    public string? Chain { get; init; }
    public int? RulePosition { get; init; }
    public string? Rule { get; init; }
    /// <summary>The rule chains walked, e.g. <c>FORWARD#2 → DOCKER-ISOLATION-STAGE-1#1</c>.</summary>
    public string? Trace { get; init; }
    /// <summary>The packet after this step, as "SRC → DST:PORT".</summary>
    public string? Packet { get; init; }
}

/// <summary>The answer: the hops, the verdict, and the reason in one sentence.</summary>
public sealed record PathExplanation
{
    public required string From { get; init; }
    public required string To { get; init; }
    public required string Protocol { get; init; }
    public int? Port { get; init; }
    public required string Verdict { get; init; }
    public required string Reason { get; init; }
    public ImmutableArray<PathHop> Hops { get; init; } = [];
    /// <summary>Index in <see cref="Hops"/> of the step where the packet stops (drop, no route), or null.</summary>
    public int? StoppedAt { get; init; }
    /// <summary>What the model assumed because it could not read it (a namespace's own rules, its sysctls, ...).</summary>
    public ImmutableArray<string> Assumptions { get; init; } = [];
    /// <summary><see cref="Reason"/> as data, for the dashboard to say in its language (null when made without it).</summary>
    [JsonIgnore] public PathText? ReasonText { get; init; }
    /// <summary><see cref="Assumptions"/> as data, in the same order.</summary>
    [JsonIgnore] public ImmutableArray<PathText> AssumptionTexts { get; init; } = [];
}

/// <summary>
/// Thrown for a query that cannot be resolved (unknown container, malformed address): a 400, not a verdict. Its
/// <see cref="Text"/> is the reason as data, said in the page's language by the dashboard; the message is its English.
/// </summary>
public sealed class PathQueryException(PathText text) : Exception(text.ToString())
{
    public PathText Text { get; } = text;

    public PathQueryException(string key, params object?[] args) : this(PathText.Of(key, args))
    {
    }
}
