using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetViz.Core.Model;

/// <summary>The one JSON configuration used for the public contract (API, SSE, CLI).</summary>
public static class TopologyJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>Builds an immutable props object from anonymous/dictionary values.</summary>
    public static JsonElement Props(object value) => JsonSerializer.SerializeToElement(value, Options);
}
