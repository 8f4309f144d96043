using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace NetViz.Core.Sources.Nat;

/// <summary>The parts of a <see cref="NatView"/> read from one <c>iptables-save</c> text.</summary>
/// <param name="Rules">Every <c>-A</c> rule of every table, in the order printed.</param>
/// <param name="Chains">Every chain declaration (<c>:CHAIN POLICY [pkts:bytes]</c>) of every table.</param>
/// <param name="Warnings">Lines that could not be parsed, as "line N: reason: text".</param>
public sealed record IptablesSaveResult(
    ImmutableArray<NatRule> Rules,
    ImmutableArray<ChainInfo> Chains,
    ImmutableArray<string> Warnings)
{
    /// <summary>The rules of one table (nat, filter, mangle, raw, security).</summary>
    public ImmutableArray<NatRule> RulesOf(string table) => [.. Rules.Where(r => r.Table == table)];
}

/// <summary>
/// Parses the text <c>iptables-save [-c]</c> prints (all tables, both the nft and legacy backends print
/// the same format). Pure and total: a line it cannot read becomes a warning; it never throws on input.
/// </summary>
public static class IptablesSaveParser
{
    public static IptablesSaveResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rules = ImmutableArray.CreateBuilder<NatRule>();
        var chains = ImmutableArray.CreateBuilder<ChainInfo>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        // Position is per (table, chain): iptables numbers rules within a chain from 1 (iptables -L --line-numbers).
        var positions = new Dictionary<(string Table, string Chain), int>();
        string? table = null;

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;

            void Warn(string reason) => warnings.Add($"line {lineNumber}: {reason}: {line}");

            if (line[0] == '*')
            {
                table = line[1..].Trim();
                if (table.Length == 0) { table = null; Warn("table name missing"); }
                continue;
            }
            if (line == "COMMIT")
            {
                if (table is null) Warn("COMMIT outside a table");
                table = null;
                continue;
            }
            if (table is null)
            {
                Warn("not inside a table (no preceding *table line)");
                continue;
            }
            if (line[0] == ':')
            {
                if (TryParseChain(table, line, out var chain, out var error)) chains.Add(chain);
                else Warn(error);
                continue;
            }

            long packets = 0, bytes = 0;
            var ruleText = line;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0 || !TryParseCounters(line.AsSpan(1, close - 1), out packets, out bytes))
                {
                    Warn("malformed [packets:bytes] counters");
                    continue;
                }
                ruleText = line[(close + 1)..].TrimStart();
            }

            if (ruleText is not ("-A" or "--append")
                && !ruleText.StartsWith("-A ", StringComparison.Ordinal) && !ruleText.StartsWith("--append ", StringComparison.Ordinal))
            {
                Warn("not a chain declaration, rule (-A) or COMMIT");
                continue;
            }
            if (!ShellTokenizer.TryTokenize(ruleText, out var tokens, out var tokenError))
            {
                Warn(tokenError);
                continue;
            }
            if (tokens.Count < 2 || tokens[1].StartsWith('-'))
            {
                Warn("-A without a chain name");
                continue;
            }
            var chainName = tokens[1];
            if (!TryParseRuleOptions(tokens, out var rule, out var ruleError))
            {
                Warn(ruleError);
                continue;
            }
            var key = (table, chainName);
            var position = positions.GetValueOrDefault(key) + 1;
            positions[key] = position;
            rules.Add(rule with
            {
                Table = table,
                Chain = chainName,
                Position = position,
                Rule = ruleText,
                Packets = packets,
                Bytes = bytes,
            });
        }
        if (table is not null)
            warnings.Add($"line {(text.EndsWith('\n') ? lines.Length - 1 : lines.Length)}: table *{table} has no COMMIT (truncated output?)");

        return new IptablesSaveResult(rules.ToImmutable(), chains.ToImmutable(), warnings.ToImmutable());
    }

    /// <summary>":DOCKER - [0:0]" (user chain, no policy) or ":POSTROUTING ACCEPT [12:720]"; counters are absent without -c on some versions.</summary>
    private static bool TryParseChain(string table, string line, out ChainInfo chain, out string error)
    {
        chain = null!;
        var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3) { error = "malformed chain declaration"; return false; }
        long packets = 0, bytes = 0;
        if (parts.Length == 3)
        {
            var c = parts[2];
            if (c.Length < 2 || c[0] != '[' || c[^1] != ']' || !TryParseCounters(c.AsSpan(1, c.Length - 2), out packets, out bytes))
            {
                error = "malformed chain counters";
                return false;
            }
        }
        chain = new ChainInfo(table, parts[0], parts[1] == "-" ? null : parts[1], packets, bytes);
        error = "";
        return true;
    }

    private static bool TryParseCounters(ReadOnlySpan<char> inner, out long packets, out long bytes)
    {
        packets = bytes = 0;
        var colon = inner.IndexOf(':');
        return colon > 0
            && long.TryParse(inner[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out packets)
            && long.TryParse(inner[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out bytes);
    }

    /// <summary>
    /// Reads the options of "-A CHAIN opt...". iptables-save prints "! -s x" (negation before the option),
    /// matches as "-m name --opt value", and the target's own options after "-j TARGET".
    /// </summary>
    private static bool TryParseRuleOptions(List<string> tokens, out NatRule rule, out string error)
    {
        rule = new NatRule { Table = "", Chain = "", Position = 0, Rule = "" };
        error = "";
        var negate = false;
        for (var i = 2; i < tokens.Count; i++)
        {
            var option = tokens[i];
            if (option == "!") { negate = true; continue; }
            if (!option.StartsWith('-') || option == "-" || option == "--")
            {
                error = $"unexpected argument '{option}'";
                return false;
            }

            // Everything up to the next option is this option's argument list ("--ctstate RELATED,ESTABLISHED").
            var end = i + 1;
            while (end < tokens.Count && tokens[end] != "!" && !IsOption(tokens[end])) end++;
            var args = tokens.GetRange(i + 1, end - i - 1);
            i = end - 1;

            var value = args.Count > 0 ? args[0] : null;
            error = $"option {option} without a value"; // reported only when a value-taking option has none
            var wasNegated = negate;
            negate = false;
            switch (option)
            {
                case "-p" or "--protocol": if (!Need(out var p)) return false; rule = rule with { Protocol = p }; break;
                case "-s" or "--source": if (!Need(out var s)) return false; rule = rule with { Source = s, SourceNegated = wasNegated }; break;
                case "-d" or "--destination": if (!Need(out var d)) return false; rule = rule with { Destination = d, DestinationNegated = wasNegated }; break;
                case "-i" or "--in-interface": if (!Need(out var ii)) return false; rule = rule with { InInterface = ii, InInterfaceNegated = wasNegated }; break;
                case "-o" or "--out-interface": if (!Need(out var oi)) return false; rule = rule with { OutInterface = oi, OutInterfaceNegated = wasNegated }; break;
                case "-j" or "--jump" or "-g" or "--goto": if (!Need(out var t)) return false; rule = rule with { Target = t }; break;
                case "-m" or "--match": if (!Need(out _)) return false; break;
                case "--dport" or "--destination-port": if (!Need(out var dp)) return false; rule = rule with { DestinationPort = dp }; break;
                case "--dst-type": if (!Need(out var dt)) return false; rule = rule with { DstType = dt }; break;
                case "--comment": if (!Need(out var c)) return false; rule = rule with { Comment = c }; break;
                case "--to-source": if (!Need(out var ts)) return false; rule = rule with { ToSource = ts }; break;
                case "--to-destination":
                    if (!Need(out var td)) return false;
                    var (ip, port) = SplitHostPort(td);
                    rule = rule with { ToDestination = td, ToIp = ip, ToPort = port };
                    break;
                default: break; // Other matches and target options are kept verbatim in Rule.
            }

            bool Need(out string v)
            {
                v = value ?? "";
                return value is not null;
            }
        }
        if (negate)
        {
            error = "'!' at the end of the rule";
            return false;
        }
        error = "";
        return true;
    }

    private static bool IsOption(string token) =>
        token.Length > 1 && token[0] == '-' && !char.IsDigit(token[1]);

    /// <summary>
    /// Splits a DNAT --to-destination: "172.17.0.2:80", "172.17.0.2", "[fd00::2]:80", "fd00::2",
    /// "10.0.0.1-10.0.0.5:80-90". A port range leaves <c>port</c> null (it is not one number).
    /// </summary>
    public static (string? Ip, int? Port) SplitHostPort(string value)
    {
        if (value.Length == 0) return (null, null);
        string host;
        string? portText = null;
        if (value[0] == '[')
        {
            var close = value.IndexOf(']');
            if (close < 0) return (value, null);
            host = value[1..close];
            if (close + 1 < value.Length && value[close + 1] == ':') portText = value[(close + 2)..];
        }
        else
        {
            var firstColon = value.IndexOf(':');
            if (firstColon >= 0 && firstColon == value.LastIndexOf(':'))
            {
                host = value[..firstColon];
                portText = value[(firstColon + 1)..];
            }
            else
            {
                host = value; // no colon, or a bare IPv6 address (several colons) without a port
            }
        }
        int? port = portText is not null
            && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 65535
            ? n : null;
        return (host.Length == 0 ? null : host, port);
    }
}

/// <summary>
/// Splits a line into words the way a POSIX shell would for the quoting iptables-save emits:
/// blanks separate words, "double quotes" (with \" and \\ escapes) and 'single quotes' group, a backslash
/// outside quotes escapes the next character. iptables-save quotes --comment text this way.
/// </summary>
public static class ShellTokenizer
{
    public static bool TryTokenize(string line, out List<string> tokens, out string error)
    {
        tokens = [];
        error = "";
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            switch (ch)
            {
                case ' ' or '\t':
                    if (inWord) { tokens.Add(current.ToString()); current.Clear(); inWord = false; }
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= line.Length) { error = "unterminated double quote"; return false; }
                        if (line[i] == '"') break;
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`') i++;
                        current.Append(line[i]);
                    }
                    break;
                case '\'':
                    inWord = true;
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0) { error = "unterminated single quote"; return false; }
                    current.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '\\':
                    inWord = true;
                    if (i + 1 >= line.Length) { error = "trailing backslash"; return false; }
                    current.Append(line[++i]);
                    break;
                default:
                    inWord = true;
                    current.Append(ch);
                    break;
            }
        }
        if (inWord) tokens.Add(current.ToString());
        return true;
    }
}
