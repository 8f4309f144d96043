using System.Text.Json;

// In the model's namespace so the tests that read a node's props keep reading them as before: through the JSON
// contract (docs/api.md), as the API and SSE write it, rather than through the typed members.
namespace NetViz.Core.Model;

/// <summary>A node's or edge's <c>props</c> object as <see cref="TopologyJson.Options"/> writes it.</summary>
public static class ContractProps
{
    extension(TopologyNode node)
    {
        public JsonElement Props => JsonSerializer.SerializeToElement(node, TopologyJson.Options).GetProperty("props");
    }

    extension(TopologyEdge edge)
    {
        public JsonElement Props => JsonSerializer.SerializeToElement(edge, TopologyJson.Options).GetProperty("props");
    }
}
