using System.Text;
using System.Text.RegularExpressions;
using NetViz.Core.Model;

namespace NetViz.Web.Views;

/// <summary>
/// How the drawer names the API's members for a person: "sourceNegated" reads "Source negated", "mtu" "MTU (bytes)",
/// a container's "pid" carries the <c>docker inspect</c> path it comes from. Members the drawer shows as tables
/// (routes, addresses, networks, ports) are left out of the field list; a namespace's <c>/proc/N/ns/net</c> paths
/// are counted instead of listed one per process. Unknown members (a newer model) keep their API name, in words.
/// </summary>
public static partial class FieldLabels
{
    private static readonly HashSet<string> Tabled = new(StringComparer.Ordinal) { "routes", "addresses", "networks", "ports" };

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["mtu"] = "MTU (bytes)",
        ["mac"] = "MAC",
        ["ifindex"] = "ifindex",
        ["rxBytes"] = "Received (bytes)",
        ["txBytes"] = "Sent (bytes)",
        ["rxPackets"] = "Received (packets)",
        ["txPackets"] = "Sent (packets)",
        ["bytes"] = "Bytes matched",
        ["packets"] = "Packets matched",
        ["pid"] = "PID",
        ["pids"] = "PIDs",
        ["id"] = "ID",
        ["hostIp"] = "Host IP",
        ["toIp"] = "To IP",
        ["enableIPv6"] = "IPv6 enabled",
        ["netnsInode"] = "Namespace inode",
        ["operState"] = "Operational state",
        ["up"] = "Up (IFF_UP)",
    };

    private static readonly Dictionary<string, string> InspectPaths = new(StringComparer.Ordinal)
    {
        ["id"] = ".Id",
        ["name"] = ".Name",
        ["image"] = ".Config.Image",
        ["pid"] = ".State.Pid",
        ["state"] = ".State.Status",
        ["networkMode"] = ".HostConfig.NetworkMode",
        ["sandboxKey"] = ".NetworkSettings.SandboxKey",
    };

    /// <summary>The member's name in words, with its unit; in Korean from strings.py ("Field." + the name) when it has one.</summary>
    public static string Label(string apiName)
    {
        if (apiName.Length <= 64 && NetViz.Web.Localization.SharedWords.Find("Field." + apiName) is { Length: > 0 } said) return said;
        if (Labels.TryGetValue(apiName, out var label)) return label;
        var words = CamelBoundary().Replace(apiName, " $1").ToLowerInvariant();
        return words.Length == 0 ? apiName : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>Where <c>docker inspect</c> shows a container member, or null.</summary>
    public static string? DockerInspectPath(string apiName) => InspectPaths.GetValueOrDefault(apiName);

    /// <summary>The fields the drawer lists for an element: tabled members out, /proc paths counted.</summary>
    public static IReadOnlyList<ElementProperty> Shown(object element, IReadOnlyList<ElementProperty> properties)
    {
        var tables = element is NetnsNode or InterfaceNode or ContainerNode;
        var result = new List<ElementProperty>();
        foreach (var property in properties)
        {
            if (tables && Tabled.Contains(property.Name) && property.Value is not ScalarValue) continue;
            if (property.Name == "paths" && property.Value is ListValue paths) result.Add(property with { Value = CountProcPaths(paths) });
            else if (property.Name == "pids" && property.Value is ListValue { Items.Count: > 8 } pids)
                result.Add(property with { Value = new ListValue([.. pids.Items.Take(8), $"… {pids.Items.Count} in all"]) });
            else result.Add(property);
        }
        return result;
    }

    private static ListValue CountProcPaths(ListValue paths)
    {
        var proc = paths.Items.Where(p => ProcPath().IsMatch(p)).ToList();
        if (proc.Count <= 2) return paths;
        var rest = paths.Items.Where(p => !ProcPath().IsMatch(p));
        return new ListValue([.. rest, $"/proc/<pid>/ns/net of {proc.Count} processes"]);
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();

    [GeneratedRegex(@"^/proc/\d+/ns/net$")]
    private static partial Regex ProcPath();
}
