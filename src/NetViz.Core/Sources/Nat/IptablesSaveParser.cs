using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace NetViz.Core.Sources.Nat;

/// <summary>The parts of a <see cref="NatView"/> read from one <c>iptables-save</c> text.</summary>
/// <param name="Rules">Every <c>-A</c> rule of every table read, in the order printed.</param>
/// <param name="Chains">Every chain declaration (<c>:CHAIN POLICY [pkts:bytes]</c>) of every table read.</param>
/// <param name="Warnings">
/// Lines that could not be parsed, as "line N: reason: text": at most <see cref="IptablesSaveLimits.MaxWarnings"/>,
/// then one "... and N more" line; each at most <see cref="IptablesSaveLimits.MaxWarningLength"/> characters.
/// </param>
public sealed record IptablesSaveResult(
    ImmutableArray<NatRule> Rules,
    ImmutableArray<ChainInfo> Chains,
    ImmutableArray<string> Warnings)
{
    /// <summary>Lines that should have been a table, chain, rule or COMMIT (blank lines and # comments do not count).</summary>
    public int Lines { get; init; }

    /// <summary>How many of those could not be parsed (every one, not only those listed in <see cref="Warnings"/>).</summary>
    public int FailedLines { get; init; }

    /// <summary>Why reading stopped before the end (too many bytes or rules), or null when everything was read.</summary>
    public string? Truncated { get; init; }

    /// <summary>iptables-nft printed "# Warning: iptables-legacy tables present": the legacy backend holds rules too.</summary>
    public bool LegacyTablesPresent { get; init; }

    /// <summary>More than half the lines failed: what was read is not the host's rule set (garbage, an unknown format).</summary>
    public bool MostlyUnreadable => FailedLines > 0 && FailedLines * 2L > Lines;

    /// <summary>The rules of one table (nat, filter, mangle, raw, security).</summary>
    public ImmutableArray<NatRule> RulesOf(string table) => [.. Rules.Where(r => r.Table == table)];
}

/// <summary>
/// Bounds on what one <c>iptables-save</c> output may cost. Its text comes from the kernel's rule set, which any
/// process with CAP_NET_ADMIN in the host namespace (a Kubernetes node's kube-proxy, a tenant's privileged
/// container) can fill, and from a binary that may not be iptables-save at all.
/// </summary>
public sealed record IptablesSaveLimits
{
    public static IptablesSaveLimits Default { get; } = new();

    /// <summary>Bytes read from the output; the rest is not read (the process is killed). Default 16 MiB.</summary>
    public long MaxBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// Rules kept (of the kept tables); reading stops at the next one. Default 2000: a Docker host has tens to hundreds
    /// (about three per published port), and each nat rule is a node of about 1.2 KB in /api/topology.
    /// </summary>
    public int MaxRules { get; init; } = 2000;

    /// <summary>Chain declarations kept. Default 2000.</summary>
    public int MaxChains { get; init; } = 2000;

    /// <summary>Characters of one line; a longer line is skipped with a warning. iptables-save lines are far shorter.</summary>
    public int MaxLineLength { get; init; } = 8192;

    /// <summary>Warnings listed one by one; the rest are counted in one "... and N more" line.</summary>
    public int MaxWarnings { get; init; } = 20;

    /// <summary>Characters of one warning (the offending line is cut to fit).</summary>
    public int MaxWarningLength { get; init; } = 240;

    /// <summary>Tables whose rules and chains are kept (null: all). Rules of other tables are skipped unparsed.</summary>
    public IReadOnlySet<string>? Tables { get; init; }
}

/// <summary>
/// Parses the text <c>iptables-save [-c]</c> prints (all tables, both the nft and legacy backends print
/// the same format). Pure and total: a line it cannot read becomes a warning; it never throws on input.
/// Bounded: see <see cref="IptablesSaveLimits"/>.
/// </summary>
public static class IptablesSaveParser
{
    public static IptablesSaveResult Parse(string text, IptablesSaveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new IptablesSaveReader(limits ?? IptablesSaveLimits.Default);
        var start = 0;
        while (start <= text.Length && !reader.Stopped)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            if (newline < 0 && start == text.Length) break; // text ended with a newline
            if (end - start > reader.Limits.MaxLineLength) reader.SkipLongLine(end - start);
            else reader.Add(text.AsSpan(start, end - start));
            if (newline < 0) break;
            start = newline + 1;
        }
        return reader.Finish();
    }

    /// <summary>
    /// Parses an <c>iptables-save</c> output stream line by line, never holding more than one line
    /// (<see cref="IptablesSaveLimits.MaxLineLength"/>) of it, and stops at <see cref="IptablesSaveLimits.MaxBytes"/>
    /// or <see cref="IptablesSaveLimits.MaxRules"/>; <see cref="IptablesSaveResult.Truncated"/> then says why.
    /// </summary>
    public static async Task<IptablesSaveResult> ParseAsync(Stream output, IptablesSaveLimits? limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new IptablesSaveReader(limits ?? IptablesSaveLimits.Default);
        var maxLineBytes = reader.Limits.MaxLineLength; // UTF-8: a line of at most N bytes has at most N characters
        var buffer = new byte[64 * 1024];
        var line = new byte[Math.Min(maxLineBytes, 64 * 1024)];
        var lineLength = 0;
        long lineBytes = 0, total = 0;
        while (!reader.Stopped)
        {
            var read = await output.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (lineBytes > 0) EndLine();
                break;
            }
            total += read;
            var chunk = buffer.AsSpan(0, read);
            if (total > reader.Limits.MaxBytes)
            {
                // Parse what fits in the budget, then stop: the rest is never read.
                chunk = chunk[..(int)(read - (total - reader.Limits.MaxBytes))];
            }
            while (chunk.Length > 0 && !reader.Stopped)
            {
                var newline = chunk.IndexOf((byte)'\n');
                var piece = newline < 0 ? chunk : chunk[..newline];
                if (lineBytes + piece.Length <= maxLineBytes)
                {
                    if (lineLength + piece.Length > line.Length) Array.Resize(ref line, Math.Min(maxLineBytes, Math.Max(line.Length * 2, lineLength + piece.Length)));
                    piece.CopyTo(line.AsSpan(lineLength));
                    lineLength += piece.Length;
                }
                lineBytes += piece.Length;
                if (newline < 0) break;
                EndLine();
                chunk = chunk[(newline + 1)..];
            }
            if (total > reader.Limits.MaxBytes && !reader.Stopped)
                reader.Stop($"iptables-save printed more than {FormatBytes(reader.Limits.MaxBytes)}: only that much was read");
        }
        return reader.Finish();

        void EndLine()
        {
            if (lineBytes > maxLineBytes) reader.SkipLongLine(lineBytes);
            else reader.Add(Encoding.UTF8.GetString(line, 0, lineLength));
            lineLength = 0;
            lineBytes = 0;
        }
    }

    internal static string FormatBytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";

    /// <summary>
    /// Rules in a user chain that no rule of a reachable chain jumps to (-j or -g) never see a packet: iptables
    /// keeps them, but they are not live. Built-in chains (those with a policy) are where packets enter.
    /// </summary>
    internal static ImmutableArray<NatRule> MarkReachability(ImmutableArray<NatRule> rules, ImmutableArray<ChainInfo> chains)
    {
        var result = rules.ToBuilder();
        foreach (var table in rules.Select(r => r.Table).Distinct(StringComparer.Ordinal))
        {
            var declared = chains.Where(c => c.Table == table).ToDictionary(c => c.Name, StringComparer.Ordinal);
            bool IsBuiltIn(string chain) => declared.TryGetValue(chain, out var c) ? c.Policy is not null : BuiltInChains.Contains(chain);
            var jumps = rules.Where(r => r.Table == table && r.Target is not null)
                .ToLookup(r => r.Chain, r => r.Target!, StringComparer.Ordinal);
            var reachable = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>(rules.Where(r => r.Table == table && IsBuiltIn(r.Chain)).Select(r => r.Chain).Distinct(StringComparer.Ordinal));
            while (pending.TryPop(out var chain))
            {
                if (!reachable.Add(chain)) continue;
                foreach (var target in jumps[chain]) if (!reachable.Contains(target)) pending.Push(target);
            }
            for (var i = 0; i < result.Count; i++)
                if (result[i].Table == table && !reachable.Contains(result[i].Chain)) result[i] = result[i] with { Reachable = false };
        }
        return result.ToImmutable();
    }

    /// <summary>The tables iptables-save prints (linux/netfilter_ipv4: filter, nat, mangle, raw, security).</summary>
    private static readonly HashSet<string> KnownTables = new(StringComparer.Ordinal) { "filter", "nat", "mangle", "raw", "security" };

    private static readonly HashSet<string> BuiltInChains = new(StringComparer.Ordinal) { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };

    /// <summary>The line-at-a-time state of one parse: the table being read, positions, the bounded collections.</summary>
    private sealed class IptablesSaveReader(IptablesSaveLimits limits)
    {
        private readonly ImmutableArray<NatRule>.Builder _rules = ImmutableArray.CreateBuilder<NatRule>();
        private readonly ImmutableArray<ChainInfo>.Builder _chains = ImmutableArray.CreateBuilder<ChainInfo>();
        private readonly ImmutableArray<string>.Builder _warnings = ImmutableArray.CreateBuilder<string>();
        // Position is per (table, chain): iptables numbers rules within a chain from 1 (iptables -L --line-numbers).
        private readonly Dictionary<(string Table, string Chain), int> _positions = [];
        private string? _table;
        private int _lineNumber;
        private int _lines;
        private int _failed;
        private string? _truncated;
        private bool _legacyTablesPresent;

        public IptablesSaveLimits Limits { get; } = limits;

        public bool Stopped => _truncated is not null;

        public void Stop(string reason) => _truncated ??= reason;

        public void SkipLongLine(long length)
        {
            _lineNumber++;
            _lines++;
            Warn($"line {_lineNumber}: longer than {Limits.MaxLineLength} characters ({length}), skipped");
        }

        private void Warn(string warning)
        {
            _failed++;
            if (_warnings.Count < Limits.MaxWarnings)
                _warnings.Add(warning.Length <= Limits.MaxWarningLength ? warning : warning[..(Limits.MaxWarningLength - 1)] + "…");
        }

        private bool Keeps(string table) => Limits.Tables is null || Limits.Tables.Contains(table);

        public void Add(ReadOnlySpan<char> raw)
        {
            _lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length > 0 && line[0] == '#' && line.Contains("iptables-legacy tables present", StringComparison.Ordinal)) _legacyTablesPresent = true;
            if (line.Length == 0 || line[0] == '#') return;
            _lines++;
            var lineNumber = _lineNumber;
            var text = line.ToString();
            void Fail(string reason) => Warn($"line {lineNumber}: {reason}: {text}");

            if (line[0] == '*')
            {
                var name = text[1..].Trim();
                // Only the kernel's tables: in garbage a line starting with '*' must not open a "table" whose lines
                // would then be skipped unread, hiding every later failure.
                _table = KnownTables.Contains(name) ? name : null;
                if (_table is null) Fail(name.Length == 0 ? "table name missing" : "unknown table");
                return;
            }
            if (text == "COMMIT")
            {
                if (_table is null) Fail("COMMIT outside a table");
                _table = null;
                return;
            }
            if (_table is not { } table)
            {
                Fail("not inside a table (no preceding *table line)");
                return;
            }
            if (!Keeps(table))
            {
                // Another table's chains and rules: not parsed, not kept; but a line that is neither still counts as failed.
                if (line[0] is not (':' or '[') && !line.StartsWith("-A ", StringComparison.Ordinal))
                    Fail("not a chain declaration, rule (-A) or COMMIT");
                return;
            }
            if (line[0] == ':')
            {
                if (!TryParseChain(table, text, out var chain, out var error)) Fail(error);
                else if (_chains.Count >= Limits.MaxChains) Stop($"more than {Limits.MaxChains} chains: only the first {Limits.MaxChains} were read");
                else _chains.Add(chain);
                return;
            }

            long packets = 0, bytes = 0;
            var ruleText = text;
            if (text[0] == '[')
            {
                var close = text.IndexOf(']');
                if (close < 0 || !TryParseCounters(text.AsSpan(1, close - 1), out packets, out bytes))
                {
                    Fail("malformed [packets:bytes] counters");
                    return;
                }
                ruleText = text[(close + 1)..].TrimStart();
            }

            if (ruleText is not ("-A" or "--append")
                && !ruleText.StartsWith("-A ", StringComparison.Ordinal) && !ruleText.StartsWith("--append ", StringComparison.Ordinal))
            {
                Fail("not a chain declaration, rule (-A) or COMMIT");
                return;
            }
            if (!ShellTokenizer.TryTokenize(ruleText, out var tokens, out var tokenError))
            {
                Fail(tokenError);
                return;
            }
            if (tokens.Count < 2 || tokens[1].StartsWith('-'))
            {
                Fail("-A without a chain name");
                return;
            }
            var chainName = tokens[1];
            if (!TryParseRuleOptions(tokens, out var rule, out var ruleError))
            {
                Fail(ruleError);
                return;
            }
            if (_rules.Count >= Limits.MaxRules)
            {
                Stop($"more than {Limits.MaxRules} rules: only the first {Limits.MaxRules} were read");
                return;
            }
            var key = (table, chainName);
            var position = _positions.GetValueOrDefault(key) + 1;
            _positions[key] = position;
            _rules.Add(rule with
            {
                Table = table,
                Chain = chainName,
                Position = position,
                Rule = ruleText,
                Packets = packets,
                Bytes = bytes,
            });
        }

        public IptablesSaveResult Finish()
        {
            var warnings = _warnings;
            if (_table is not null && _truncated is null)
                warnings.Add($"line {_lineNumber}: table *{_table} has no COMMIT (truncated output?)");
            var omitted = _failed - Math.Min(_failed, Limits.MaxWarnings);
            if (omitted > 0) warnings.Add($"… and {omitted} more lines that could not be parsed");
            var chains = _chains.ToImmutable();
            return new IptablesSaveResult(MarkReachability(_rules.ToImmutable(), chains), chains, warnings.ToImmutable())
            {
                Lines = _lines,
                FailedLines = _failed,
                Truncated = _truncated,
                LegacyTablesPresent = _legacyTablesPresent,
            };
        }
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
