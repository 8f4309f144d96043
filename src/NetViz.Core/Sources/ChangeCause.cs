using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Text_ = NetViz.Core.Text;

namespace NetViz.Core.Sources;

/// <summary>
/// What made NetViz look (a Docker event, a netlink message, the NAT poll, ...): a <see cref="Kind"/> with its values
/// (<see cref="Args"/>: names, ids, numbers, as data), and <see cref="Text"/>, the English sentence the logs, the export
/// and <c>/api/history</c> show (it is written to JSON as that string). The timeline says it in the page's language by
/// its kind. Values come from outside (a container's name): each is bounded, and never read as a format.
/// </summary>
[JsonConverter(typeof(ChangeCauseJsonConverter))]
public sealed record ChangeCause
{
    /// <summary>Longest value kept.</summary>
    public const int MaxArgLength = 128;
    /// <summary>Longest English text kept.</summary>
    public const int MaxTextLength = 300;
    /// <summary>The kind of free text: said as it is in every language (a cause read back from JSON, a test's).</summary>
    public const string SaidKind = "said";

    private ChangeCause(string kind, ImmutableArray<string> args, int moreNamespaces)
    {
        (Kind, Args, MoreNamespaces) = (kind, args, moreNamespaces);
        var text = kind == SaidKind ? args[0] : string.Format(CultureInfo.InvariantCulture, English[kind], [.. args]);
        if (moreNamespaces > 0) text += string.Format(CultureInfo.InvariantCulture, English[MoreNamespacesKey], moreNamespaces);
        Text = Text_.Bounded.Text(text, MaxTextLength);
    }

    /// <summary>A key of <see cref="English"/>, or <see cref="SaidKind"/>.</summary>
    public string Kind { get; }

    /// <summary>The values, in the order of the kind's {0}, {1}, ...</summary>
    public ImmutableArray<string> Args { get; }

    /// <summary>Other namespaces that changed in the same batch ("... (and 3 more namespaces)"), or 0.</summary>
    public int MoreNamespaces { get; }

    /// <summary>In English.</summary>
    public string Text { get; }

    public override string ToString() => Text;

    // Causes are the same when they say the same: the values' array is not compared by reference.
    public bool Equals(ChangeCause? other) => other is not null && Kind == other.Kind && Text == other.Text;

    public override int GetHashCode() => HashCode.Combine(Kind, Text);

    /// <summary>The cause of <paramref name="kind"/> (a key of <see cref="English"/>) with its values.</summary>
    public static ChangeCause Of(string kind, params object[] args)
    {
        if (!English.TryGetValue(kind, out var format)) throw new ArgumentException($"no English words for the change cause '{kind}'", nameof(kind));
        ArgumentOutOfRangeException.ThrowIfNotEqual(args.Length, Count(format), nameof(args));
        return new ChangeCause(kind, [.. args.Select(a => Text_.Bounded.Text(a is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : a.ToString() ?? "", MaxArgLength))], 0);
    }

    /// <summary>Free text, said as it is in every language.</summary>
    public static ChangeCause Said(string text) => new(SaidKind, [Text_.Bounded.Text(text, MaxTextLength)], 0);

    /// <summary>This cause, for a batch where <paramref name="more"/> other namespaces changed too.</summary>
    public ChangeCause AndMoreNamespaces(int more) => new(Kind, Args, Math.Max(0, more));

    /// <summary>The words said after a cause with <see cref="MoreNamespaces"/>.</summary>
    public const string MoreNamespacesKey = "and-more-namespaces";

    /// <summary>Every kind's English words ({0}, {1}, ... are its values).</summary>
    public static FrozenDictionary<string, string> English { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // The monitor's own.
        ["start"] = "start",
        ["resync"] = "periodic resync",
        ["settle"] = "namespaces settling after container changes",
        ["retry"] = "retry after failed refresh",
        ["docker-stream-ended"] = "docker event stream ended",
        ["docker-stream-reconnecting"] = "docker event stream reconnecting",
        ["docker-event"] = "docker {0} {1} {2}",
        ["docker-event-named"] = "docker {0} {1} {2} ({3})",
        ["netlink"] = "netlink message {0}",
        ["host-listener-reconnecting"] = "host netlink listener reconnecting",
        ["netns-file"] = "namespace file {0}",
        ["netns-folder"] = "namespace folder appeared",
        ["source-restarting"] = "{0} restarting",
        // Netlink listeners inside namespaces.
        ["netns-listener-vanished"] = "netns {0} moved or vanished before its listener opened",
        ["netns-listener-opened"] = "listener opened in netns {0}",
        ["netns-netlink"] = "{0} in netns {1}",
        ["netns-netlink-overrun"] = "netlink overrun (ENOBUFS) in netns {0}",
        ["netns-listener-failed"] = "listener failed ({0}) in netns {1}",
        [MoreNamespacesKey] = " (and {0} more namespaces)",
        // Processes entering and leaving namespaces.
        ["process-events"] = "process events",
        ["process-holder-exited"] = "pid {0} holding netns {1} exited",
        ["process-new-netns-exited"] = "pid {0} in new netns {1} exited",
        ["process-exec-unknown-netns"] = "pid {0} exec'd in unknown netns {1}",
        ["process-connector-overrun"] = "process connector overrun (ENOBUFS)",
        ["process-connector-failed"] = "process connector failed ({0})",
        ["process-sweep"] = "periodic namespace sweep (no process connector)",
        // The NAT rules.
        ["nft-listener-started"] = "nftables listener started",
        ["nft-changed"] = "nftables rule set changed ({0} notifications)",
        ["nat-poll"] = "poll ({0})",
        ["nat-poll-unknown"] = "poll (backend unknown)",
        ["packet-counters"] = "packet counters",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static int Count(string format)
    {
        var count = 0;
        while (format.Contains("{" + count.ToString(CultureInfo.InvariantCulture) + "}", StringComparison.Ordinal)) count++;
        return count;
    }
}

/// <summary>A cause is its English text in JSON (what <c>/api/history</c> has always written); read back, it is said as it is.</summary>
public sealed class ChangeCauseJsonConverter : JsonConverter<ChangeCause>
{
    public override ChangeCause? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : ChangeCause.Said(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, ChangeCause value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
}
