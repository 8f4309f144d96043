using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using NetViz.Core.Diff;
using NetViz.Core.Model;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Hub;

/// <summary>
/// Reads an agent's JSON (docs/api.md: the snapshot, a diff's elements) back into the typed model, with every node and
/// edge id, and every member that names one, given the host's prefix (<c>&lt;host&gt;/</c>). This is the hub's edge
/// adapter: the agent's JSON is its source, as netlink and Docker are the agent's. What the JSON does not carry is
/// recovered the way the agent first made it: a NAT rule is parsed again from its <c>rule</c> text by the one
/// iptables-save parser; derived facts (network membership, ...) are recomputed on the merged graph.
/// Elements of kinds this hub does not know (a newer agent) are skipped and counted.
/// </summary>
public static class AgentJson
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>The model type of each kind's <c>props</c> (the kinds this hub reads).</summary>
    private static readonly Dictionary<string, Type> PropsTypes = new(StringComparer.Ordinal)
    {
        [NodeKinds.Netns] = typeof(NetnsNode),
        [NodeKinds.Interface] = typeof(InterfaceNode),
        [NodeKinds.Container] = typeof(ContainerNode),
        [NodeKinds.Network] = typeof(NetworkNode),
        [NodeKinds.External] = typeof(ExternalNode),
        [NodeKinds.NatRule] = typeof(NatRuleNode),
        [EdgeKinds.Veth] = typeof(VethEdge),
        [EdgeKinds.BridgePort] = typeof(BridgePortEdge),
        [EdgeKinds.Master] = typeof(MasterEdge),
        [EdgeKinds.Lower] = typeof(LowerEdge),
        [EdgeKinds.Route] = typeof(RouteEdge),
        [EdgeKinds.NetworkBridge] = typeof(NetworkBridgeEdge),
        [EdgeKinds.Nat] = typeof(NatEdge),
        [EdgeKinds.Underlay] = typeof(UnderlayEdge),
    };

    /// <summary>Per kind, where its props hold node ids: found from the model's <see cref="NodeReferenceAttribute"/>.</summary>
    private static readonly Dictionary<string, References> ReferencesByKind =
        PropsTypes.ToDictionary(k => k.Key, k => References.Of(k.Value), StringComparer.Ordinal);

    /// <summary>The snapshot of one agent, ids prefixed; <paramref name="skipped"/> counts elements of unknown kinds.</summary>
    public static TopologySnapshot ReadSnapshot(JsonElement json, string prefix, out int skipped)
    {
        skipped = 0;
        var nodes = ImmutableArray.CreateBuilder<TopologyNode>();
        foreach (var e in json.GetProperty("nodes").EnumerateArray())
            if (ReadNode(e, prefix) is { } node) nodes.Add(node); else skipped++;
        var edges = ImmutableArray.CreateBuilder<TopologyEdge>();
        foreach (var e in json.GetProperty("edges").EnumerateArray())
            if (ReadEdge(e, prefix) is { } edge) edges.Add(edge); else skipped++;
        var host = json.GetProperty("host");
        return new TopologySnapshot
        {
            GeneratedAt = json.GetProperty("generatedAt").GetDateTimeOffset(),
            Host = new HostInfo
            {
                Hostname = host.GetProperty("hostname").GetString() ?? "",
                MachineId = host.TryGetProperty("machineId", out var machineId) ? machineId.GetString() : null,
                Netns = Prefixed(prefix, host.GetProperty("netns").GetString()),
                Warnings = [.. host.GetProperty("warnings").EnumerateArray().Select(w => w.GetString() ?? "")],
            },
            Sources = json.GetProperty("sources").Deserialize<SourcesStatus>(Options)!,
            Nodes = WithContainerNames(nodes.ToImmutable()),
            Edges = edges.ToImmutable(),
        };
    }

    /// <summary>
    /// Applies one diff event of the agent (JSON as <c>/api/events</c> sends it) to its previous snapshot: removes, adds,
    /// replaces by id, exactly as docs/api.md tells every client to.
    /// </summary>
    public static TopologySnapshot ApplyDiff(TopologySnapshot previous, JsonElement diff, string prefix, out int skipped)
    {
        skipped = 0;
        var removedNodes = Ids(diff, "removedNodes", prefix);
        var removedEdges = Ids(diff, "removedEdges", prefix);
        var nodes = previous.Nodes.Where(n => !removedNodes.Contains(n.Id)).ToDictionary(n => n.Id, StringComparer.Ordinal);
        var edges = previous.Edges.Where(e => !removedEdges.Contains(e.Id)).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var order = previous.Nodes.Select(n => n.Id).Where(nodes.ContainsKey).ToList();
        var edgeOrder = previous.Edges.Select(e => e.Id).Where(edges.ContainsKey).ToList();
        foreach (var name in new[] { "addedNodes", "updatedNodes" })
            foreach (var e in diff.GetProperty(name).EnumerateArray())
            {
                if (ReadNode(e, prefix) is not { } node) { skipped++; continue; }
                if (!nodes.ContainsKey(node.Id)) order.Add(node.Id);
                nodes[node.Id] = node;
            }
        foreach (var name in new[] { "addedEdges", "updatedEdges" })
            foreach (var e in diff.GetProperty(name).EnumerateArray())
            {
                if (ReadEdge(e, prefix) is not { } edge) { skipped++; continue; }
                if (!edges.ContainsKey(edge.Id)) edgeOrder.Add(edge.Id);
                edges[edge.Id] = edge;
            }
        var sources = diff.TryGetProperty("sources", out var s) && s.ValueKind == JsonValueKind.Object
            ? s.Deserialize<SourcesStatus>(Options)! : previous.Sources;
        return previous with
        {
            GeneratedAt = diff.TryGetProperty("generatedAt", out var at) && at.ValueKind == JsonValueKind.String ? at.GetDateTimeOffset() : previous.GeneratedAt,
            Sources = sources,
            Nodes = WithContainerNames([.. order.Select(id => nodes[id])]),
            Edges = [.. edgeOrder.Select(id => edges[id])],
        };
    }

    public static TopologyNode? ReadNode(JsonElement element, string prefix)
    {
        var kind = element.GetProperty("kind").GetString();
        var props = PrefixedProps(element, kind, prefix);
        var node = kind switch
        {
            NodeKinds.NatRule => ReadNatRule(props),
            not null when PropsTypes.TryGetValue(kind, out var type) && type.IsAssignableTo(typeof(TopologyNode))
                => (TopologyNode?)props.Deserialize(type, Options),
            _ => null,
        };
        return node is null ? null : node with
        {
            Id = prefix + element.GetProperty("id").GetString(),
            Label = element.GetProperty("label").GetString() ?? "",
            Parent = Prefixed(prefix, element.GetProperty("parent").GetString()),
        };
    }

    public static TopologyEdge? ReadEdge(JsonElement element, string prefix)
    {
        var kind = element.GetProperty("kind").GetString();
        var props = PrefixedProps(element, kind, prefix);
        var edge = kind is not null && PropsTypes.TryGetValue(kind, out var type) && type.IsAssignableTo(typeof(TopologyEdge))
            ? (TopologyEdge?)props.Deserialize(type, Options)
            : null;
        return edge is null ? null : edge with
        {
            Id = prefix + element.GetProperty("id").GetString(),
            Source = prefix + element.GetProperty("source").GetString(),
            Target = prefix + element.GetProperty("target").GetString(),
        };
    }

    private static string? Prefixed(string prefix, string? id) => id is null ? null : prefix + id;

    private static HashSet<string> Ids(JsonElement diff, string name, string prefix) =>
        diff.TryGetProperty(name, out var ids) ? [.. ids.EnumerateArray().Select(i => prefix + i.GetString())] : [];

    /// <summary>The props object, with the members that hold node ids prefixed.</summary>
    private static JsonNode PrefixedProps(JsonElement element, string? kind, string prefix)
    {
        var props = JsonNode.Parse(element.GetProperty("props").GetRawText()) as JsonObject ?? [];
        if (prefix.Length > 0 && kind is not null && ReferencesByKind.TryGetValue(kind, out var references)) references.Prefix(props, prefix);
        return props;
    }

    /// <summary>
    /// Where a record's JSON holds node ids: its members marked <see cref="NodeReferenceAttribute"/> (a string or a
    /// list of them), and its members that are records (or lists of records) holding some themselves.
    /// </summary>
    private sealed class References
    {
        private static readonly Dictionary<Type, References> Known = [];
        private readonly List<(string Name, References? Nested)> _members = [];

        public bool IsEmpty => _members.Count == 0;

        public static References Of(Type type)
        {
            lock (Known)
            {
                if (Known.TryGetValue(type, out var known)) return known;
                var references = Known[type] = new References();
                foreach (var property in Options.GetTypeInfo(type).Properties)
                {
                    if (property.AttributeProvider?.IsDefined(typeof(NodeReferenceAttribute), inherit: true) == true)
                        references._members.Add((property.Name, null));
                    else if (RecordIn(property.PropertyType) is { } record && Of(record) is { IsEmpty: false } nested)
                        references._members.Add((property.Name, nested));
                }
                return references;
            }
        }

        /// <summary>The model record a member holds, itself or as a list's items; null for anything else.</summary>
        private static Type? RecordIn(Type type)
        {
            var item = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>) ? type.GetGenericArguments()[0] : type;
            return item.IsClass && item != typeof(string) && item.Namespace == typeof(TopologyNode).Namespace ? item : null;
        }

        public void Prefix(JsonNode? node, string prefix)
        {
            if (node is JsonArray items)
            {
                foreach (var item in items) Prefix(item, prefix);
                return;
            }
            if (node is not JsonObject json) return;
            foreach (var (name, nested) in _members)
            {
                if (nested is not null) nested.Prefix(json[name], prefix);
                else PrefixIds(json, name, prefix);
            }
        }

        /// <summary>The id, or each id of the list, in member <paramref name="name"/> of <paramref name="json"/>, given the prefix.</summary>
        private static void PrefixIds(JsonObject json, string name, string prefix)
        {
            switch (json[name])
            {
                case JsonValue value when value.TryGetValue<string>(out var id):
                    json[name] = prefix + id;
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                        if (array[i] is JsonValue item && item.TryGetValue<string>(out var itemId)) array[i] = prefix + itemId;
                    break;
            }
        }
    }

    /// <summary>
    /// A NAT rule is parsed again from its <c>rule</c> text (what the agent parsed), with the chain context the text
    /// alone lacks (position, reachability) and the counters from the props.
    /// </summary>
    private static NatRuleNode? ReadNatRule(JsonNode props)
    {
        var table = props["table"]?.GetValue<string>() ?? "nat";
        var rule = props["rule"]?.GetValue<string>();
        if (rule is null) return null;
        var parsed = IptablesSaveParser.Parse($"*{table}\n{rule}\nCOMMIT\n").Rules.FirstOrDefault();
        if (parsed is null) return null;
        return new NatRuleNode
        {
            Id = "",
            Label = "",
            Netns = props["netns"]?.GetValue<string>(),
            Parsed = parsed with
            {
                Position = props["position"]?.GetValue<int>() ?? parsed.Position,
                Packets = props["packets"]?.GetValue<long>() ?? 0,
                Bytes = props["bytes"]?.GetValue<long>() ?? 0,
                Reachable = props["reachable"]?.GetValue<bool>() ?? true,
                Family = props["family"]?.GetValue<int>() ?? parsed.Family,
                // A rule of another namespace's rule set (netns:<inode>, here behind the host prefix).
                NetnsInode = props["netns"]?.GetValue<string>() is { } netns
                    && ulong.TryParse(netns[(netns.LastIndexOf(':') + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inode)
                    ? inode : null,
            },
        };
    }

    /// <summary>A namespace's containers are written as ids; the model also carries their names (the search box uses them).</summary>
    private static ImmutableArray<TopologyNode> WithContainerNames(ImmutableArray<TopologyNode> nodes)
    {
        var names = nodes.OfType<ContainerNode>().ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        return [.. nodes.Select(n => n is NetnsNode { Containers.Count: > 0 } netns
            ? netns with { Containers = netns.Containers.Select(c => c with { Name = names.GetValueOrDefault(c.Id, c.Name) }).ToEquatableArray() }
            : n)];
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // The model's required members are for code that builds records; here the envelope is set after reading.
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { t => { foreach (var p in t.Properties) p.IsRequired = false; } } },
            Converters = { new ContainerRefReader(), new InterfaceAddressReader() },
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>The contract writes a namespace's container as its node id; the name is filled in from the container node.</summary>
    private sealed class ContainerRefReader : JsonConverter<ContainerRef>
    {
        public override ContainerRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var id = reader.GetString() ?? "";
            return new ContainerRef(id, id);
        }

        public override void Write(Utf8JsonWriter writer, ContainerRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
    }

    /// <summary>The contract writes an address as its CIDR; scope is not in it.</summary>
    private sealed class InterfaceAddressReader : JsonConverter<InterfaceAddress>
    {
        public override InterfaceAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var cidr = reader.GetString() ?? "";
            var slash = cidr.LastIndexOf('/');
            var address = slash < 0 ? cidr : cidr[..slash];
            var length = slash < 0 || !int.TryParse(cidr.AsSpan(slash + 1), out var l) ? (address.Contains(':') ? 128 : 32) : l;
            return new InterfaceAddress { Address = address, PrefixLength = length, Family = address.Contains(':') ? 6 : 4 };
        }

        public override void Write(Utf8JsonWriter writer, InterfaceAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.Cidr);
    }
}
