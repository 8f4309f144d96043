using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NetViz.Core.Sources.Nat;

/// <summary>Docker's own nftables rules (Docker 29's native backend), mapped to the same records iptables-save gives.</summary>
public sealed record NftablesRuleset(
    ImmutableArray<NatRule> Rules, ImmutableArray<NatRule> FilterRules, ImmutableArray<ChainInfo> Chains,
    ImmutableArray<NatRule> Ip6Rules, ImmutableArray<NatRule> Ip6FilterRules, ImmutableArray<ChainInfo> Ip6Chains,
    ImmutableArray<string> Warnings)
{
    /// <summary>The input had a <c>docker-bridges</c> table: Docker runs its native nftables backend.</summary>
    public bool HasDockerTables { get; init; }
    /// <summary>Why reading stopped early (too many rules), or null.</summary>
    public string? Truncated { get; init; }
}

/// <summary>
/// Reads <c>nft -j list ruleset</c> (libnftables JSON, schema 1) and keeps the tables Docker 29 writes with
/// <c>--firewall-backend=nftables</c>: <c>ip docker-bridges</c> and <c>ip6 docker-bridges</c>. Each rule becomes a
/// <see cref="NatRule"/>: chains named <c>nat-*</c> are the nat table, <c>raw-*</c> raw, the rest filter (Docker names
/// them after the iptables table they replace); <c>masquerade</c>, <c>snat</c>, <c>dnat</c>, <c>redirect</c>,
/// <c>accept</c>, <c>drop</c>, <c>return</c> become the iptables targets, <c>jump</c>/<c>goto</c> the chain. Chains
/// are reachable from the base chains (those with a hook) through jumps and verdict maps (<c>oifname vmap
/// @filter-forward-in-jumps</c>). Native nft JSON, unlike iptables-nft's, carries DNAT addresses in the clear.
/// Pure and total: what it cannot read becomes a warning.
/// </summary>
public static class NftablesRulesetParser
{
    public const string DockerTable = "docker-bridges";

    public static NftablesRuleset Parse(string json, IptablesSaveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        limits ??= IptablesSaveLimits.Default;
        var warnings = ImmutableArray.CreateBuilder<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return Empty([$"nft -j output is not JSON: {e.Message}"]);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
                return Empty(["nft -j output has no \"nftables\" array"]);

            var chains = new List<(int Family, string Name, string? Hook, string? Policy)>();
            var maps = new Dictionary<(int, string), List<string>>();
            var rules = new List<NatRule>();
            var ruleJumps = new List<List<string>>();
            var hasDockerTables = false;
            string? truncated = null;
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                if (item.TryGetProperty("table", out var table) && IsDocker(table, "name", out _)) hasDockerTables = true;
                else if (item.TryGetProperty("chain", out var chain) && IsDocker(chain, "table", out var family))
                {
                    if (chains.Count >= limits.MaxChains) { truncated ??= $"more than {limits.MaxChains} nftables chains"; continue; }
                    chains.Add((family, Str(chain, "name") ?? "?", Str(chain, "hook"), Str(chain, "policy")?.ToUpperInvariant()));
                }
                else if (item.TryGetProperty("map", out var map) && IsDocker(map, "table", out family) && Str(map, "name") is { } mapName)
                    maps[(family, mapName)] = [.. VerdictTargets(map)];
                else if (item.TryGetProperty("rule", out var rule) && IsDocker(rule, "table", out family))
                {
                    if (rules.Count >= limits.MaxRules) { truncated ??= $"more than {limits.MaxRules} rules: only the first {limits.MaxRules} were read"; break; }
                    if (TryReadRule(rule, family, out var read, out var jumps, out var problem)) { rules.Add(read); ruleJumps.Add(jumps); }
                    else if (warnings.Count < limits.MaxWarnings) warnings.Add(problem);
                }
            }

            // Reachability: from the base chains through jumps and the verdict maps a rule looks up.
            var reachable = new HashSet<(int, string)>(chains.Where(c => c.Hook is not null).Select(c => (c.Family, c.Name)));
            for (var changed = true; changed;)
            {
                changed = false;
                for (var i = 0; i < rules.Count; i++)
                {
                    if (!reachable.Contains((rules[i].Family, rules[i].Chain))) continue;
                    foreach (var jump in ruleJumps[i])
                    {
                        var targets = jump.StartsWith('@') ? maps.GetValueOrDefault((rules[i].Family, jump[1..])) ?? [] : [jump];
                        foreach (var t in targets) changed |= reachable.Add((rules[i].Family, t));
                    }
                }
            }
            var positions = new Dictionary<(int, string), int>();
            var numbered = rules.Select(r =>
            {
                var key = (r.Family, r.Chain);
                var position = positions[key] = positions.GetValueOrDefault(key) + 1;
                return r with { Position = position, Reachable = reachable.Contains(key) };
            }).ToList();

            ImmutableArray<NatRule> Of(int family, Func<string, bool> table) => [.. numbered.Where(r => r.Family == family && table(r.Table))];
            ImmutableArray<ChainInfo> ChainsOf(int family) =>
                [.. chains.Where(c => c.Family == family).Select(c => new ChainInfo(TableOf(c.Name, null), c.Name, c.Hook is null ? null : c.Policy ?? "ACCEPT", 0, 0) { Family = family })];
            return new NftablesRuleset(
                Of(4, t => t == "nat"), Of(4, t => t != "nat"), ChainsOf(4),
                Of(6, t => t == "nat"), Of(6, t => t != "nat"), ChainsOf(6),
                warnings.ToImmutable())
            { HasDockerTables = hasDockerTables, Truncated = truncated };
        }
    }

    private static NftablesRuleset Empty(ImmutableArray<string> warnings) => new([], [], [], [], [], [], warnings);

    private static bool IsDocker(JsonElement element, string tableProperty, out int family)
    {
        family = Str(element, "family") switch { "ip" => 4, "ip6" => 6, _ => 0 };
        return family != 0 && Str(element, tableProperty) == DockerTable;
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A verdict map's elements: <c>[["docker0", {"jump": {"target": "filter-forward-in__docker0"}}], ...]</c>.</summary>
    private static IEnumerable<string> VerdictTargets(JsonElement map)
    {
        if (!map.TryGetProperty("elem", out var elements) || elements.ValueKind != JsonValueKind.Array) yield break;
        foreach (var element in elements.EnumerateArray())
            if (element.ValueKind == JsonValueKind.Array && element.GetArrayLength() == 2 && JumpTarget(element[1]) is { } target)
                yield return target;
    }

    private static string? JumpTarget(JsonElement verdict) =>
        verdict.ValueKind == JsonValueKind.Object
        && (verdict.TryGetProperty("jump", out var j) || verdict.TryGetProperty("goto", out j)) ? Str(j, "target") : null;

    /// <summary>nat-*, raw-*, the rest filter; a chain without Docker's prefix that translates addresses is nat.</summary>
    private static string TableOf(string chain, string? target) =>
        chain.StartsWith("nat-", StringComparison.Ordinal) ? "nat"
        : chain.StartsWith("raw-", StringComparison.Ordinal) ? "raw"
        : chain.StartsWith("filter-", StringComparison.Ordinal) ? "filter"
        : target is "MASQUERADE" or "SNAT" or "DNAT" or "REDIRECT" ? "nat" : "filter";

    private static bool TryReadRule(JsonElement rule, int family, out NatRule read, out List<string> jumps, out string problem)
    {
        read = null!;
        jumps = [];
        problem = "";
        var chain = Str(rule, "chain");
        if (chain is null || !rule.TryGetProperty("expr", out var expressions) || expressions.ValueKind != JsonValueKind.Array)
        {
            problem = $"nftables rule without chain or expressions in ip{(family == 6 ? "6" : "")} {DockerTable}";
            return false;
        }
        var r = new NatRule { Table = "", Chain = chain, Position = 0, Rule = "", Family = family, Comment = Str(rule, "comment") };
        var text = new List<string>();
        foreach (var e in expressions.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) continue;
            foreach (var property in e.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "match":
                        r = Match(r, value, text);
                        break;
                    case "counter":
                        r = r with { Packets = Long(value, "packets"), Bytes = Long(value, "bytes") };
                        break;
                    case "accept" or "drop" or "return":
                        r = r with { Target = property.Name.ToUpperInvariant() };
                        text.Add(property.Name);
                        break;
                    case "jump" or "goto":
                        if (Str(value, "target") is { } target)
                        {
                            r = r with { Target = target };
                            jumps.Add(target);
                            text.Add($"{property.Name} {target}");
                        }
                        break;
                    case "vmap":
                        if (Str(value, "data") is { } data && data.StartsWith('@')) jumps.Add(data);
                        text.Add($"{Describe(value.TryGetProperty("key", out var key) ? key : default)} vmap {Str(value, "data") ?? value.GetRawText()}");
                        break;
                    case "masquerade":
                        r = r with { Target = "MASQUERADE" };
                        text.Add("masquerade");
                        break;
                    case "snat" or "dnat" or "redirect":
                        var address = Str(value, "addr");
                        var port = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("port", out var p) && p.TryGetInt32(out var n) ? n : (int?)null;
                        var to = address is null ? (port is { } only ? $":{only}" : "") : port is { } pt ? $"{(address.Contains(':') ? $"[{address}]" : address)}:{pt}" : address;
                        r = property.Name switch
                        {
                            "snat" => r with { Target = "SNAT", ToSource = to },
                            "dnat" => r with { Target = "DNAT", ToDestination = to, ToIp = address, ToPort = port },
                            _ => r with { Target = "REDIRECT", ToPort = port },
                        };
                        text.Add($"{property.Name} to {to}");
                        break;
                    default:
                        text.Add(value.ValueKind == JsonValueKind.Null ? property.Name : $"{property.Name} {value.GetRawText()}");
                        break;
                }
            }
        }
        var prefix = family == 6 ? "ip6" : "ip";
        read = r with { Table = TableOf(chain, r.Target), Rule = $"{prefix} {DockerTable} {chain}: {string.Join(' ', text)}" };
        return true;
    }

    /// <summary><c>{"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "docker0"}</c> and its kin.</summary>
    private static NatRule Match(NatRule r, JsonElement match, List<string> text)
    {
        var op = Str(match, "op") ?? "==";
        var negated = op == "!=";
        var left = match.TryGetProperty("left", out var l) ? l : default;
        var right = match.TryGetProperty("right", out var rt) ? rt : default;
        var value = Value(right);
        text.Add($"{Describe(left)} {(op == "==" ? "" : op + " ")}{value}".Replace("  ", " "));
        if (left.ValueKind != JsonValueKind.Object) return r;
        if (left.TryGetProperty("meta", out var meta))
        {
            return Str(meta, "key") switch
            {
                "iifname" => r with { InInterface = value, InInterfaceNegated = negated },
                "oifname" => r with { OutInterface = value, OutInterfaceNegated = negated },
                "l4proto" => r with { Protocol = value },
                _ => r,
            };
        }
        if (left.TryGetProperty("payload", out var payload))
        {
            var protocol = Str(payload, "protocol");
            return Str(payload, "field") switch
            {
                "saddr" when protocol is "ip" or "ip6" => r with { Source = value, SourceNegated = negated },
                "daddr" when protocol is "ip" or "ip6" => r with { Destination = value, DestinationNegated = negated },
                "dport" => r with { Protocol = protocol, DestinationPort = value },
                _ => r,
            };
        }
        if (left.TryGetProperty("fib", out _) && value == "local") return r with { DstType = "LOCAL" };
        return r;
    }

    private static string Describe(JsonElement left)
    {
        if (left.ValueKind != JsonValueKind.Object) return left.ValueKind == JsonValueKind.Undefined ? "" : left.GetRawText();
        if (left.TryGetProperty("meta", out var meta)) return Str(meta, "key") ?? "meta";
        if (left.TryGetProperty("payload", out var payload)) return $"{Str(payload, "protocol")} {Str(payload, "field")}";
        if (left.TryGetProperty("ct", out var ct)) return $"ct {Str(ct, "key")}";
        if (left.TryGetProperty("fib", out var fib))
            return $"fib {(fib.TryGetProperty("flags", out var f) && f.ValueKind == JsonValueKind.Array ? string.Join(' ', f.EnumerateArray().Select(x => x.ToString())) : "")} {Str(fib, "result")}";
        return left.GetRawText();
    }

    /// <summary>"docker0", 8080, {"prefix": {"addr": "172.17.0.0", "len": 16}}, ["established", "related"], {"set": [...]}.</summary>
    private static string Value(JsonElement right) => right.ValueKind switch
    {
        JsonValueKind.String => right.GetString()!,
        JsonValueKind.Number => right.GetRawText(),
        JsonValueKind.Array => string.Join(',', right.EnumerateArray().Select(Value)),
        JsonValueKind.Object when right.TryGetProperty("prefix", out var p) => $"{Str(p, "addr")}/{(p.TryGetProperty("len", out var len) ? len.GetRawText() : "?")}",
        JsonValueKind.Object when right.TryGetProperty("range", out var range) && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
            => $"{Value(range[0])}-{Value(range[1])}",
        JsonValueKind.Object when right.TryGetProperty("set", out var set) => Value(set),
        JsonValueKind.Undefined => "",
        _ => right.GetRawText(),
    };

    private static long Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;
}
