using System.Collections.Frozen;
using System.Text.Json;

namespace NetViz.Web.Components.Shared;

/// <summary>
/// The contract between this app and the browser graph module, Scripts/graph-contract.json: palettes, element kinds,
/// class names and layout names. The same file is bundled into the module by esbuild and embedded here, so the two
/// sides cannot drift apart; graph-style.js refuses a selector whose class the contract does not define.
/// </summary>
public sealed class GraphContract
{
    private const string ResourceName = "NetViz.Web.graph-contract.json";

    /// <summary>The contract this build was made with.</summary>
    public static GraphContract Current { get; } = Load();

    /// <summary>The layout the graph starts with.</summary>
    public required string DefaultLayout { get; init; }

    /// <summary>The names the module's setLayout accepts, in menu order.</summary>
    public required IReadOnlyList<string> Layouts { get; init; }

    public required IReadOnlySet<string> NodeKinds { get; init; }
    public required IReadOnlySet<string> EdgeKinds { get; init; }

    /// <summary>Every class an element may carry: kind-*, the modifiers, mode-*, the styled type-* and the module's states.</summary>
    public required IReadOnlySet<string> Classes { get; init; }

    /// <summary>
    /// Edge kind (or <c>nat:role</c>) to the end its arrowhead is drawn at, <c>source</c> or <c>target</c>, so that
    /// arrows point the way packets travel (graph-style.js draws them from this).
    /// </summary>
    public IReadOnlyDictionary<string, string> PacketArrows { get; init; } = new Dictionary<string, string>();

    /// <summary>Palette name (light, dark) to colour role to #rrggbb.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Palettes { get; init; }

    private static GraphContract Load()
    {
        using var stream = typeof(GraphContract).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(GraphContract).Assembly.GetName().Name}");
        return Parse(JsonDocument.Parse(stream).RootElement);
    }

    private static GraphContract Parse(JsonElement root)
    {
        static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
        var classes = root.GetProperty("classes");
        var nodeKinds = Strings(root.GetProperty("nodeKinds"));
        var edgeKinds = Strings(root.GetProperty("edgeKinds"));
        return new GraphContract
        {
            DefaultLayout = root.GetProperty("layouts").GetProperty("default").GetString()!,
            Layouts = Strings(root.GetProperty("layouts").GetProperty("names")),
            NodeKinds = nodeKinds.ToFrozenSet(StringComparer.Ordinal),
            EdgeKinds = edgeKinds.ToFrozenSet(StringComparer.Ordinal),
            Classes = nodeKinds.Concat(edgeKinds).Select(k => "kind-" + k)
                .Concat(Strings(classes.GetProperty("modifiers")))
                .Concat(Strings(classes.GetProperty("containerModes")).Select(m => "mode-" + m))
                .Concat(Strings(classes.GetProperty("styledTypes")).Select(t => "type-" + t))
                .Concat(Strings(classes.GetProperty("states")))
                .ToFrozenSet(StringComparer.Ordinal),
            PacketArrows = root.GetProperty("packetArrows").EnumerateObject().Where(p => !p.Name.StartsWith('$'))
                .ToFrozenDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            Palettes = root.GetProperty("palettes").EnumerateObject().ToFrozenDictionary(
                palette => palette.Name,
                palette => (IReadOnlyDictionary<string, string>)palette.Value.EnumerateObject()
                    .ToFrozenDictionary(c => c.Name, c => c.Value.GetString()!, StringComparer.Ordinal),
                StringComparer.Ordinal),
        };
    }
}
