using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NetViz.Core.Sources.Docker;

namespace NetViz.Core.Tests.ReadOnly;

/// <summary>
/// NetViz never changes containers, networks, links or rules. These tests read NetViz.Core's compiled metadata:
/// every Docker.DotNet operation it references must be a read, so a write path cannot slip in unnoticed.
/// (Netlink requests are covered by the GET-only request tests; iptables by the source's argument tests.)
/// </summary>
public class ReadOnlyByConstructionTests
{
    private static readonly HashSet<string> AllowedDockerOperations = new(StringComparer.Ordinal)
    {
        "GetVersionAsync", "ListContainersAsync", "InspectContainerAsync", "ListNetworksAsync", "InspectNetworkAsync", "MonitorEventsAsync",
    };

    /// <summary>Names of methods NetViz.Core calls on Docker.DotNet's operation interfaces (IContainerOperations, ...).</summary>
    private static List<string> DockerOperationsReferenced()
    {
        using var stream = File.OpenRead(typeof(DockerEngineSource).Assembly.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var found = new List<string>();
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.GetKind() != MemberReferenceKind.Method || member.Parent.Kind != HandleKind.TypeReference) continue;
            var type = md.GetTypeReference((TypeReferenceHandle)member.Parent);
            var ns = md.GetString(type.Namespace);
            var name = md.GetString(type.Name);
            if (ns == "Docker.DotNet" && name.StartsWith('I') && name.EndsWith("Operations", StringComparison.Ordinal))
                found.Add($"{name}.{md.GetString(member.Name)}");
        }
        return found;
    }

    [Fact]
    public void Core_calls_only_read_operations_of_the_Docker_API()
    {
        var referenced = DockerOperationsReferenced();
        // The source does read the engine: the scan finds its calls (a scan that finds nothing proves nothing).
        Assert.Contains("IContainerOperations.InspectContainerAsync", referenced);
        Assert.Contains("ISystemOperations.MonitorEventsAsync", referenced);
        var writes = referenced.Where(r => !AllowedDockerOperations.Contains(r[(r.IndexOf('.') + 1)..])).ToList();
        Assert.Empty(writes);
    }
}
