using System.Text.Json;

namespace NetViz.Web.Graph;

/// <summary>
/// Tolerant readers for a node's JSON props: a missing or differently typed member reads as null,
/// so a collector that adds or omits a member never breaks the dashboard.
/// </summary>
public static class PropsReader
{
    public static JsonElement? Member(this JsonElement props, string name) =>
        props.ValueKind == JsonValueKind.Object && props.TryGetProperty(name, out var value)
        && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value
            : null;

    public static string? Str(this JsonElement props, string name) => props.Member(name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
        _ => null,
    };

    public static long? Long(this JsonElement props, string name) => props.Member(name) switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var n) => n,
        { ValueKind: JsonValueKind.String } v when long.TryParse(v.GetString(), out var n) => n,
        _ => null,
    };

    public static bool? Bool(this JsonElement props, string name) => props.Member(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    /// <summary>An array member's string (or number) items; empty when absent.</summary>
    public static IReadOnlyList<string> Strings(this JsonElement props, string name)
    {
        if (props.Member(name) is not { ValueKind: JsonValueKind.Array } array) return [];
        var result = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) result.Add(item.GetString()!);
            else if (item.ValueKind == JsonValueKind.Number) result.Add(item.GetRawText());
        }
        return result;
    }

    /// <summary>An array member's object items; empty when absent.</summary>
    public static IReadOnlyList<JsonElement> Objects(this JsonElement props, string name)
    {
        if (props.Member(name) is not { ValueKind: JsonValueKind.Array } array) return [];
        return array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).ToList();
    }

    /// <summary>"172.17.0.1/16" -> "172.17.0.1".</summary>
    public static string WithoutPrefix(string address)
    {
        var slash = address.IndexOf('/');
        return slash < 0 ? address : address[..slash];
    }
}
