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
    /// Writes a kind's own members as the <c>props</c> object: every serialisable member of the runtime type (the
    /// envelope members are <see cref="JsonIgnoreAttribute"/>d on the base record), with the options' naming.
    /// </summary>
    internal static void WriteProps(Utf8JsonWriter writer, object element, JsonSerializerOptions options)
    {
        writer.WritePropertyName("props");
        writer.WriteStartObject();
        foreach (var property in options.GetTypeInfo(element.GetType()).Properties)
        {
            if (property.Get is not { } get) continue;
            var value = get(element);
            if (property.ShouldSerialize is { } should && !should(element, value)) continue;
            writer.WritePropertyName(property.Name);
            JsonSerializer.Serialize(writer, value, property.PropertyType, options);
        }
        writer.WriteEndObject();
    }
}

/// <summary><c>{ id, kind, label, parent, props }</c> (docs/api.md). Snapshots are only ever written.</summary>
internal sealed class TopologyNodeJsonConverter : JsonConverter<TopologyNode>
{
    public override TopologyNode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Topology JSON is an output contract; it is not read back.");

    public override void Write(Utf8JsonWriter writer, TopologyNode node, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("id", node.Id);
        writer.WriteString("kind", node.Kind);
        writer.WriteString("label", node.Label);
        writer.WriteString("parent", node.Parent);
        TopologyJson.WriteProps(writer, node, options);
        writer.WriteEndObject();
    }
}

/// <summary><c>{ id, kind, source, target, props }</c> (docs/api.md).</summary>
internal sealed class TopologyEdgeJsonConverter : JsonConverter<TopologyEdge>
{
    public override TopologyEdge Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Topology JSON is an output contract; it is not read back.");

    public override void Write(Utf8JsonWriter writer, TopologyEdge edge, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("id", edge.Id);
        writer.WriteString("kind", edge.Kind);
        writer.WriteString("source", edge.Source);
        writer.WriteString("target", edge.Target);
        TopologyJson.WriteProps(writer, edge, options);
        writer.WriteEndObject();
    }
}

/// <summary>A namespace's container, written as its node id (the contract's <c>containers</c>).</summary>
internal sealed class ContainerRefJsonConverter : JsonConverter<ContainerRef>
{
    public override ContainerRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Topology JSON is an output contract; it is not read back.");

    public override void Write(Utf8JsonWriter writer, ContainerRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
}

/// <summary>An interface address, written as its CIDR (the contract's <c>addresses</c>).</summary>
internal sealed class InterfaceAddressJsonConverter : JsonConverter<InterfaceAddress>
{
    public override InterfaceAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Topology JSON is an output contract; it is not read back.");

    public override void Write(Utf8JsonWriter writer, InterfaceAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.Cidr);
}
