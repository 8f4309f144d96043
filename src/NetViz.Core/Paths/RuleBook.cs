using System.Net;
using System.Runtime.CompilerServices;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Paths;

/// <summary>The packet as a netfilter hook sees it. Interfaces are "" where the hook has none (iptables matches "" too).</summary>
internal sealed record HookPacket(IPAddress Source, IPAddress Destination, string Protocol, int? Port, string InInterface, string OutInterface,
    bool Established, Func<IPAddress, bool> IsLocal);

/// <summary>What walking a built-in chain decided.</summary>
/// <param name="Verdict">ACCEPT, DROP, REJECT, DNAT, SNAT, MASQUERADE, REDIRECT, or UNDECIDED.</param>
/// <param name="Rule">The rule that decided, or null for the chain policy (or undecided without a rule).</param>
/// <param name="Chain">The chain that decided (the built-in chain for a policy).</param>
/// <param name="Trace">Chains and rule positions walked: "FORWARD#1 → DOCKER-USER#1 (RETURN) → FORWARD#2 ...".</param>
/// <param name="Why">For UNDECIDED: what the model does not understand.</param>
internal sealed record ChainDecision(string Verdict, NatRule? Rule, string Chain, string Trace, PathText? Why);

/// <summary>
/// The host's filter and nat rules, indexed by chain and tokenised once per snapshot, and a netfilter walk over them
/// for one packet. Matches it does not know make the walk "undecided" instead of guessing: a rule whose known
/// conditions already fail is skipped, one whose known conditions hold but has an unknown one stops the walk.
/// </summary>
internal sealed class RuleBook
{
    private const int MaxDepth = 32;
    private const int MaxRulesWalked = 20_000;

    private static readonly ConditionalWeakTable<TopologySnapshot, RuleBook> Cache = [];
    private static readonly HashSet<string> KnownModules = new(StringComparer.Ordinal) { "tcp", "udp", "icmp", "conntrack", "state", "addrtype", "comment" };
    private static readonly HashSet<string> NatTargets = new(StringComparer.Ordinal) { "DNAT", "SNAT", "MASQUERADE", "REDIRECT" };
    /// <summary>Targets that only note or mark the packet and let the walk continue.</summary>
    private static readonly HashSet<string> ContinuingTargets = new(StringComparer.Ordinal) { "LOG", "NFLOG", "ULOG", "TRACE", "COUNTER" };

    private readonly Dictionary<(string Table, string Chain), List<(NatRule Rule, List<string> Tokens)>> _chains = [];
    private readonly Dictionary<(string Table, string Chain), string?> _policies = [];

    public bool HasFilter { get; }
    public bool HasNat { get; }

    private RuleBook(TopologySnapshot snapshot)
    {
        var nat = snapshot.Nodes.OfType<NatRuleNode>().Select(n => n.Parsed);
        foreach (var rule in snapshot.Filter.Rules.Concat(nat))
        {
            if (!ShellTokenizer.TryTokenize(rule.Rule, out var tokens, out _)) tokens = ["-A", rule.Chain, "--unreadable"];
            var key = (rule.Table, rule.Chain);
            if (!_chains.TryGetValue(key, out var list)) _chains[key] = list = [];
            list.Add((rule, tokens));
        }
        foreach (var list in _chains.Values) list.Sort((a, b) => a.Rule.Position.CompareTo(b.Rule.Position));
        foreach (var chain in snapshot.Filter.Chains) _policies[(chain.Table, chain.Name)] = chain.Policy;
        HasFilter = snapshot.Filter.Chains.Any(c => c.Table == "filter") || !snapshot.Filter.Rules.IsEmpty;
        HasNat = snapshot.Filter.Chains.Any(c => c.Table == "nat") || snapshot.Nodes.OfType<NatRuleNode>().Any();
    }

    public static RuleBook For(TopologySnapshot snapshot) => Cache.GetValue(snapshot, s => new RuleBook(s));

    /// <summary>The policy of a built-in chain ("ACCEPT" when the chain was not listed: the kernel's default).</summary>
    public string Policy(string table, string chain) => _policies.GetValueOrDefault((table, chain)) ?? "ACCEPT";

    /// <summary>Walks a built-in chain for the packet, following jumps, gotos and RETURNs as the kernel does.</summary>
    public ChainDecision Walk(string table, string builtIn, HookPacket packet)
    {
        var trace = new List<string>();
        var budget = MaxRulesWalked;
        var outcome = WalkChain(table, builtIn, packet, trace, 0, ref budget);
        var text = string.Join(" → ", trace);
        return outcome ?? new ChainDecision(Policy(table, builtIn), null, builtIn, text + (text.Length > 0 ? " → " : "") + $"{builtIn} policy {Policy(table, builtIn)}", null) with { };
    }

    /// <summary>A terminal decision, or null when the chain ran out (RETURN or its end).</summary>
    private ChainDecision? WalkChain(string table, string chain, HookPacket packet, List<string> trace, int depth, ref int budget)
    {
        if (depth > MaxDepth) return new ChainDecision("UNDECIDED", null, chain, string.Join(" → ", trace), PathText.Of("why.too-deep", MaxDepth));
        if (!_chains.TryGetValue((table, chain), out var rules)) return null;
        foreach (var (rule, tokens) in rules)
        {
            if (--budget < 0) return new ChainDecision("UNDECIDED", rule, chain, string.Join(" → ", trace), PathText.Of("why.too-many"));
            var (match, why) = Match(tokens, packet);
            if (match == false) continue;
            var target = rule.Target;
            trace.Add($"{chain}#{rule.Position}{(target is null ? "" : " " + target)}");
            if (match is null) return new ChainDecision("UNDECIDED", rule, chain, string.Join(" → ", trace), why);
            if (target is null || ContinuingTargets.Contains(target)) continue;
            switch (target)
            {
                case "ACCEPT" or "DROP" or "REJECT":
                    return new ChainDecision(target, rule, chain, string.Join(" → ", trace), null);
                case "RETURN":
                    return null;
                default:
                    if (NatTargets.Contains(target))
                        return new ChainDecision(target, rule, chain, string.Join(" → ", trace), null);
                    if (_chains.ContainsKey((table, target)) || _policies.ContainsKey((table, target)))
                    {
                        var inner = WalkChain(table, target, packet, trace, depth + 1, ref budget);
                        if (inner is not null) return inner;
                        // -g (goto) does not come back to this chain: its end returns to the caller's caller.
                        if (IsGoto(tokens)) return null;
                        continue;
                    }
                    return new ChainDecision("UNDECIDED", rule, chain, string.Join(" → ", trace), PathText.Of("why.target", target));
            }
        }
        return null;
    }

    private static bool IsGoto(List<string> tokens) => tokens.Contains("-g") || tokens.Contains("--goto");

    /// <summary>True, false, or null (cannot tell: <c>why</c> says which option).</summary>
    internal static (bool? Match, PathText? Why) Match(List<string> tokens, HookPacket p)
    {
        PathText? unknown = null;
        var negate = false;
        for (var i = 2; i < tokens.Count; i++)
        {
            var option = tokens[i];
            if (option == "!") { negate = true; continue; }
            if (option is "-j" or "--jump" or "-g" or "--goto") break; // the rest are the target's options
            var value = i + 1 < tokens.Count ? tokens[i + 1] : "";
            bool? result;
            switch (option)
            {
                case "-p" or "--protocol": result = ProtocolMatches(value, p.Protocol); i++; break;
                case "-s" or "--source": result = AddressMatches(value, p.Source); i++; break;
                case "-d" or "--destination": result = AddressMatches(value, p.Destination); i++; break;
                case "-i" or "--in-interface": result = InterfaceMatches(value, p.InInterface); i++; break;
                case "-o" or "--out-interface": result = InterfaceMatches(value, p.OutInterface); i++; break;
                case "-m" or "--match":
                    i++;
                    if (!KnownModules.Contains(value)) { unknown ??= PathText.Of("why.match", value); }
                    continue;
                case "--dport" or "--destination-port": result = PortMatches(value, p.Port); i++; break;
                case "--ctstate" or "--state":
                    result = value.Split(',').Contains(p.Established ? "ESTABLISHED" : "NEW");
                    i++;
                    break;
                case "--dst-type":
                    result = value == "LOCAL" ? p.IsLocal(p.Destination) : null;
                    if (result is null) unknown ??= PathText.Of("why.addrtype", "--dst-type", value);
                    i++;
                    break;
                case "--src-type":
                    result = value == "LOCAL" ? p.IsLocal(p.Source) : null;
                    if (result is null) unknown ??= PathText.Of("why.addrtype", "--src-type", value);
                    i++;
                    break;
                case "--icmp-type":
                    result = p.Protocol == "icmp" ? value is "8" or "8/0" or "echo-request" or "any" : false;
                    i++;
                    break;
                case "--comment": i++; continue;
                default:
                    // An option we do not know: skip its arguments (up to the next option) and remember it.
                    unknown ??= PathText.Of("why.option", option);
                    while (i + 1 < tokens.Count && tokens[i + 1] != "!" && !(tokens[i + 1].StartsWith('-') && tokens[i + 1].Length > 1 && !char.IsDigit(tokens[i + 1][1]))) i++;
                    negate = false;
                    continue;
            }
            if (result is { } r && r == negate) return (false, null);
            if (result is null) unknown ??= PathText.Of("why.undecidable", option, value);
            negate = false;
        }
        return unknown is null ? (true, null) : (null, unknown);
    }

    private static bool? ProtocolMatches(string value, string protocol) => value switch
    {
        "all" or "0" => true,
        "6" => protocol == "tcp",
        "17" => protocol == "udp",
        "1" => protocol == "icmp",
        _ => string.Equals(value, protocol, StringComparison.OrdinalIgnoreCase),
    };

    internal static bool? AddressMatches(string value, IPAddress address)
    {
        if (value.Contains(',')) return value.Split(',').Any(v => AddressMatches(v, address) == true);
        if (value.Contains('/'))
            return IPNetwork.TryParse(Normalise(value), out var network) ? network.Contains(address) : null;
        return IPAddress.TryParse(value, out var single) ? single.Equals(address) : null;
    }

    /// <summary>IPNetwork.Parse refuses host bits; iptables-save never prints them, but a mask "/255.255.0.0" can appear.</summary>
    private static string Normalise(string cidr)
    {
        var slash = cidr.IndexOf('/');
        var mask = cidr[(slash + 1)..];
        if (mask.Contains('.') && IPAddress.TryParse(mask, out var m) && m.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var bits = System.Numerics.BitOperations.PopCount(BitConverter.ToUInt32(m.GetAddressBytes()));
            return cidr[..slash] + "/" + bits;
        }
        return cidr;
    }

    internal static bool InterfaceMatches(string pattern, string name) =>
        pattern.EndsWith('+') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;

    private static bool? PortMatches(string value, int? port)
    {
        if (port is not { } n) return false;
        var colon = value.IndexOf(':');
        if (colon < 0) return int.TryParse(value, out var single) ? single == n : null;
        var low = colon == 0 ? 0 : int.TryParse(value[..colon], out var l) ? l : -1;
        var high = colon == value.Length - 1 ? 65535 : int.TryParse(value[(colon + 1)..], out var h) ? h : -1;
        return low < 0 || high < 0 ? null : n >= low && n <= high;
    }
}
