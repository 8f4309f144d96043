using System.Collections.Immutable;
using System.Text.Json;
using NetViz.Core.Model;
using NetViz.Core.Sources;

namespace NetViz.Core.Collection;

/// <summary>
/// Whether a fresh reading says anything new compared to the one before it. A re-read that says nothing new keeps the
/// previous reading (the same object), so the monitor can tell by reference that no snapshot needs building: that is
/// what keeps the periodic resync and the re-reads of quiet namespaces cheap at hundreds of namespaces.
/// <para>
/// Interface packet and byte counters move with every frame and no event announces them, so they are not news on
/// their own: a namespace whose only difference is its counters keeps its previous reading (counters included) and
/// publishes nothing. Its counters are refreshed with the next real change in it, and at the latest by the full resync
/// (<c>NetViz:FullResyncInterval</c>), which counts them as news. The live rates a person reads come
/// from the traffic sampler (<c>Traffic/TrafficMonitor</c>), not from the snapshot's totals.
/// </para>
/// </summary>
public static class UnchangedReadings
{
    /// <summary>
    /// Equal apart from the links' counters (equal counters too when <paramref name="countersAreNews"/>). New array
    /// members of the record count as a change (never missed).
    /// </summary>
    public static bool SameNamespace(NetworkNamespaceView before, NetworkNamespaceView after, bool countersAreNews = false)
    {
        if (ReferenceEquals(before, after)) return true;
        // Every scalar member compared by the record's own equality; the arrays and the dictionary by content below.
        var scalarsEqual = (after with
        {
            Paths = before.Paths, Pids = before.Pids, Links = before.Links, Addresses = before.Addresses, Routes = before.Routes,
            NsIdToInode = before.NsIdToInode,
        }) == before;
        return scalarsEqual
            && before.Paths.SequenceEqual(after.Paths) && before.Pids.SequenceEqual(after.Pids)
            && before.Addresses.SequenceEqual(after.Addresses) && before.Routes.SequenceEqual(after.Routes)
            && (countersAreNews ? before.Links.SequenceEqual(after.Links) : SameLinksApartFromCounters(before.Links, after.Links))
            && SameEntries(before.NsIdToInode, after.NsIdToInode);
    }

    /// <summary>
    /// Whether an RTM_NEWLINK notification (<paramref name="notified"/>) shows nothing that the last reading of that
    /// link (<paramref name="read"/>) does not: the same index, name, flags, operational state, MTU, address and master,
    /// and, where the message carries them, the same kind, peer and peer netns id. A bridge's port notification
    /// (AF_BRIDGE) carries no kind and no netns id, which is why those two count only when present. Counters are not
    /// news (see the class). A vxlan link is never judged so (its forwarding entries come from another dump). Anything
    /// missing from the message that the reading has (an address, an MTU) counts as a difference: when in doubt, re-read.
    /// </summary>
    public static bool NotifiedAsRead(LinkInfo read, LinkInfo notified) =>
        read.Index == notified.Index && read.Name == notified.Name && read.Flags == notified.Flags && read.Up == notified.Up
        && read.OperState == notified.OperState && read.Mtu == notified.Mtu && read.Mac == notified.Mac && read.Master == notified.Master
        && read.Vxlan is null && notified.Vxlan is null && read.Type != "vxlan"
        && (notified.Type == read.Type || (notified.Type == "device" && read.Type != "loopback"))
        && (notified.Link is null || notified.Link == read.Link)
        && (notified.LinkNetnsId is null || notified.LinkNetnsId == read.LinkNetnsId);

    private static bool SameLinksApartFromCounters(ImmutableArray<LinkInfo> before, ImmutableArray<LinkInfo> after)
    {
        if (before.Length != after.Length) return false;
        for (var i = 0; i < before.Length; i++)
            if (before[i] != after[i] && before[i] != after[i] with { Counters = before[i].Counters }) return false;
        return true;
    }

    private static bool SameEntries(ImmutableDictionary<int, ulong> before, ImmutableDictionary<int, ulong> after) =>
        before.Count == after.Count && before.All(e => after.TryGetValue(e.Key, out var v) && v == e.Value);

    /// <summary>
    /// <paramref name="fresh"/> with every namespace that did not change replaced by its <paramref name="previous"/>
    /// reading; <paramref name="previous"/> itself when nothing in it changed (same namespaces, status and warnings).
    /// With <paramref name="countersAreNews"/> (the full resync) moved counters are a change, so the snapshot's totals
    /// are never older than the full resync interval.
    /// </summary>
    public static HostNetworkView KeepUnchanged(HostNetworkView previous, HostNetworkView fresh, bool countersAreNews = false)
    {
        if (ReferenceEquals(previous, fresh)) return previous;
        var before = new Dictionary<ulong, NetworkNamespaceView>(previous.Namespaces.Length);
        foreach (var ns in previous.Namespaces) before.TryAdd(ns.Inode, ns);
        var allKept = fresh.Namespaces.Length == previous.Namespaces.Length;
        var merged = ImmutableArray.CreateBuilder<NetworkNamespaceView>(fresh.Namespaces.Length);
        foreach (var ns in fresh.Namespaces)
        {
            if (before.Remove(ns.Inode, out var old) && SameNamespace(old, ns, countersAreNews)) merged.Add(old);
            else
            {
                merged.Add(ns);
                allKept = false;
            }
        }
        if (allKept && before.Count == 0 && SameStatus(previous, fresh)) return previous;
        return fresh with { Namespaces = merged.MoveToImmutable() };
    }

    private static bool SameStatus(HostNetworkView a, HostNetworkView b) =>
        a.Ok == b.Ok && a.Error == b.Error && a.HostInode == b.HostInode && a.Warnings.SequenceEqual(b.Warnings);

    /// <summary>
    /// Equal Docker readings, compared as their JSON (every member, nested collections included, without a hand-kept
    /// list that a new member could slip past). About a millisecond at 50 containers, against a snapshot build.
    /// </summary>
    public static bool SameDocker(DockerView before, DockerView after) =>
        ReferenceEquals(before, after)
        || JsonSerializer.SerializeToUtf8Bytes(before).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(after));

    /// <summary>
    /// The same rules, chains and status, possibly with other packet and byte counters: what a counter refresh finds
    /// when nothing was added or deleted. Such a change touches only the rule nodes (<see cref="Correlation.NatCounterPatch"/>).
    /// </summary>
    public static bool SameNatApartFromCounters(NatView before, NatView after) =>
        ReferenceEquals(before, after)
        || (before.Ok == after.Ok && before.Degraded == after.Degraded && before.Error == after.Error && before.Backend == after.Backend
            && before.Ip6Error == after.Ip6Error && before.Warnings.SequenceEqual(after.Warnings)
            && SameRules(before.Rules, after.Rules) && SameRules(before.FilterRules, after.FilterRules)
            && SameRules(before.Ip6Rules, after.Ip6Rules) && SameRules(before.Ip6FilterRules, after.Ip6FilterRules)
            && SameRules(before.NamespaceRules, after.NamespaceRules)
            && SameChains(before.Chains, after.Chains) && SameChains(before.Ip6Chains, after.Ip6Chains));

    /// <summary>
    /// The same filter rules and chain policies, whatever their counters: a change to the filter table draws nothing,
    /// but the path explanations (<see cref="Paths.RuleBook"/>) read these rules, so it is news.
    /// </summary>
    public static bool SameFilterApartFromCounters(PacketFilter before, PacketFilter after) =>
        ReferenceEquals(before, after)
        || (SameRules(before.Rules, after.Rules) && SameRules(before.Ip6Rules, after.Ip6Rules)
            && SameChains(before.Chains, after.Chains) && SameChains(before.Ip6Chains, after.Ip6Chains));

    /// <summary>The same filter rules and chains in two NAT readings, whatever their counters (as for <see cref="PacketFilter"/>).</summary>
    public static bool SameFilterApartFromCounters(NatView before, NatView after) =>
        SameRules(before.FilterRules, after.FilterRules) && SameRules(before.Ip6FilterRules, after.Ip6FilterRules)
        && SameChains(before.Chains, after.Chains) && SameChains(before.Ip6Chains, after.Ip6Chains);

    private static bool SameRules(IReadOnlyList<NatRule> before, IReadOnlyList<NatRule> after)
    {
        if (before.Count != after.Count) return false;
        for (var i = 0; i < before.Count; i++)
            if (before[i] != after[i] && before[i] != after[i] with { Packets = before[i].Packets, Bytes = before[i].Bytes }) return false;
        return true;
    }

    private static bool SameChains(IReadOnlyList<ChainInfo> before, IReadOnlyList<ChainInfo> after)
    {
        if (before.Count != after.Count) return false;
        for (var i = 0; i < before.Count; i++)
            if (before[i] != after[i] && before[i] != after[i] with { Packets = before[i].Packets, Bytes = before[i].Bytes }) return false;
        return true;
    }
}
