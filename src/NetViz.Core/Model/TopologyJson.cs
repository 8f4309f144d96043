using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
            // The model's `required` members are for whoever builds a record; JSON never builds one (it is written
            // only), and System.Text.Json refuses a required member it does not write (the JsonIgnore'd envelope).
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NothingRequired } },
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private static void NothingRequired(JsonTypeInfo type)
    {
        foreach (var property in type.Properties) property.IsRequired = false;
    }

    /// <summary>
    /// Writes a kind's own members as the <c>props</c> object: the runtime type serialised as itself, which writes
    /// every public member but the envelope (<see cref="JsonIgnoreAttribute"/>d on the base record). The base's
    /// converter is not inherited, so this is System.Text.Json's own object writer, in one call.
    /// </summary>
    internal static void WriteProps(Utf8JsonWriter writer, object element, JsonSerializerOptions options)
    {
        writer.WritePropertyName("props");
        JsonSerializer.Serialize(writer, element, options.GetTypeInfo(element.GetType()));
    }
}

/// <summary>The topology JSON is an output contract: nothing reads it back into the model.</summary>
internal abstract class WriteOnlyJsonConverter<T> : JsonConverter<T>
{
    public sealed override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Topology JSON is an output contract; it is not read back.");
}

/// <summary>A node or edge: its envelope members, then its kind's own members as <c>props</c>.</summary>
internal abstract class TopologyElementJsonConverter<T> : WriteOnlyJsonConverter<T> where T : class
{
    protected abstract (string Name, string? Value)[] Envelope(T element);

    public sealed override void Write(Utf8JsonWriter writer, T element, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in Envelope(element)) writer.WriteString(name, value);
        TopologyJson.WriteProps(writer, element, options);
        writer.WriteEndObject();
    }
}

/// <summary><c>{ id, kind, label, parent, props }</c> (docs/api.md).</summary>
internal sealed class TopologyNodeJsonConverter : TopologyElementJsonConverter<TopologyNode>
{
    protected override (string, string?)[] Envelope(TopologyNode node) =>
        [("id", node.Id), ("kind", node.Kind), ("label", node.Label), ("parent", node.Parent)];
}

/// <summary><c>{ id, kind, source, target, props }</c> (docs/api.md).</summary>
internal sealed class TopologyEdgeJsonConverter : TopologyElementJsonConverter<TopologyEdge>
{
    protected override (string, string?)[] Envelope(TopologyEdge edge) =>
        [("id", edge.Id), ("kind", edge.Kind), ("source", edge.Source), ("target", edge.Target)];
}

/// <summary>A namespace's container, written as its node id (the contract's <c>containers</c>).</summary>
internal sealed class ContainerRefJsonConverter : WriteOnlyJsonConverter<ContainerRef>
{
    public override void Write(Utf8JsonWriter writer, ContainerRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
}

/// <summary>An interface address, written as its CIDR (the contract's <c>addresses</c>).</summary>
internal sealed class InterfaceAddressJsonConverter : WriteOnlyJsonConverter<InterfaceAddress>
{
    public override void Write(Utf8JsonWriter writer, InterfaceAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.Cidr);
}
