using System.Collections.Immutable;
using NetViz.Core.Sources;

namespace NetViz.Core.Timeline;

/// <summary>What a <see cref="TimelineStep"/> says happened; the UI picks its wording (and language) by this key.</summary>
public static class StepKinds
{
    public const string ContainerCreated = "container-created";
    public const string ContainerStarted = "container-started";
    public const string ContainerStopped = "container-stopped";
    public const string ContainerRemoved = "container-removed";
    public const string NetworkCreated = "network-created";
    public const string NetworkRemoved = "network-removed";
    public const string NetnsCreated = "netns-created";
    public const string NetnsRemoved = "netns-removed";
    /// <summary>A link appeared in the host namespace (Docker creates both veth ends there first).</summary>
    public const string LinkCreated = "link-created";
    /// <summary>A link appeared in another namespace (a veth end moved in, or created there).</summary>
    public const string LinkInNetns = "link-in-netns";
    public const string LinkRemoved = "link-removed";
    public const string LinkUp = "link-up";
    public const string LinkDown = "link-down";
    public const string VethPaired = "veth-paired";
    public const string Enslaved = "enslaved";
    public const string Released = "released";
    public const string AddressAdded = "address-added";
    public const string AddressRemoved = "address-removed";
    public const string RouteAdded = "route-added";
    public const string RouteRemoved = "route-removed";
    public const string NatAdded = "nat-added";
    public const string NatRemoved = "nat-removed";
    /// <summary>Stands for the steps cut off a very large change.</summary>
    public const string More = "more";
}

/// <summary>
/// One thing that happened, in plain words: <see cref="Text"/> (English), or <see cref="Kind"/> with
/// <see cref="Args"/> for another wording; <see cref="Elements"/> are the graph ids it is about (to highlight on replay).
/// </summary>
public sealed record TimelineStep(string Kind, string Text, ImmutableArray<string> Args, ImmutableArray<string> Elements);

/// <summary>One diff of the feed, as the history keeps it: when, why (the triggers of its refresh), and what, in steps.</summary>
public sealed record TimelineEntry
{
    public required long Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>What made NetViz look (a Docker event, a netlink message, the NAT poll, ...), when known.</summary>
    public ImmutableArray<ChangeCause> Causes { get; init; } = [];
    public ImmutableArray<TimelineStep> Steps { get; init; } = [];
}

/// <summary>Changes close together in time: what one command (say <c>docker run -p</c>) did, step by step.</summary>
public sealed record TimelineEpisode
{
    /// <summary>The sequence number of its first diff: stable while the episode is kept.</summary>
    public required long Id { get; init; }
    public required string Title { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public required ImmutableArray<TimelineEntry> Entries { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public IEnumerable<TimelineStep> Steps => Entries.SelectMany(e => e.Steps);
}
