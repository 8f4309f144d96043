using System.Text.Json;
using System.Text.Json.Nodes;
using NetViz.Core.Model;
using NetViz.Web.Commands;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Commands;

/// <summary>
/// The sample host with its names replaced by ones a tenant could choose (kernel and Docker accept all of these),
/// every suggested command pasted into bash: it must run only the named tool, with each name as one argument.
/// The real-kernel twin of this test is HostileNamesTests in NetViz.IntegrationTests.
/// </summary>
public sealed class HostileNameCommandTests : IDisposable
{
    private const string Marker = "PW";
    private static readonly Dictionary<string, string> Renames = new(StringComparer.Ordinal)
    {
        ["lab1"] = "nv;touch PW1;#$(touch PW2)",      // ip netns name
        ["veth1a2b3c4"] = "x$(>PW3)",                  // host veth end (IFNAMSIZ: 15 bytes)
        ["lab1-host"] = "`>PW4`",
        ["docker0"] = "b;id>PW5;#",                    // bridge
        ["appnet"] = "n;touch PW6 'q\"<PW7>'",          // Docker network
        ["br-a0a0a0a0b1b1"] = "o&>PW8|",               // com.docker.network.bridge.name
        ["web"] = "c$(touch PW9)",                     // container
        ["db"] = "d\\ PW10 ${IFS}~",
    };

    private readonly PastedCommandRunner _shell = new();

    public void Dispose() => _shell.Dispose();

    [Fact]
    public void Every_pasteable_command_of_every_element_runs_only_its_tool_with_each_name_as_one_argument()
    {
        var snapshot = Renamed(Create(), Renames);
        var names = Renames.Values.ToArray();
        var pasted = 0;
        var nameArrived = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in snapshot.Nodes.Select(n => n.Id).Concat(snapshot.Edges.Select(e => e.Id)))
        {
            foreach (var hint in CommandHints.For(snapshot, id).Where(h => h.NotPasteableReason is null))
            {
                var outcome = _shell.AssertHarmless(hint.Command, names, Marker);
                pasted++;
                foreach (var argv in outcome.Calls)
                    foreach (var arg in argv)
                        if (names.FirstOrDefault(n => arg == n || arg == "/var/run/netns/" + n) is { } whole) nameArrived.Add(whole);
            }
        }
        Assert.True(pasted > 40, $"only {pasted} commands were pasted");
        // Each hostile name reached a tool as exactly one argument somewhere ("docker" for the container, "ip" for a veth, ...).
        Assert.Equal(names.Order(StringComparer.Ordinal), nameArrived.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_name_arrives_as_one_argument_of_the_tool_the_command_names()
    {
        var snapshot = Renamed(Create(), Renames);
        var hint = Assert.Single(CommandHints.For(snapshot, Lab1Ns), h => h.Command.StartsWith("ip -n ", StringComparison.Ordinal) && h.Command.EndsWith(" addr", StringComparison.Ordinal));
        var call = Assert.Single(_shell.AssertHarmless(hint.Command, Renames.Values, Marker).Calls);
        Assert.Equal(["ip", "-n", "nv;touch PW1;#$(touch PW2)", "addr"], call);
    }

    [Fact]
    public void A_name_with_a_newline_gets_no_copy_button_and_says_why()
    {
        var snapshot = Renamed(Create(), new Dictionary<string, string> { ["lab1"] = "nv\nid>PW" });
        var hints = CommandHints.For(snapshot, Lab1Ns);
        Assert.NotEmpty(hints);
        Assert.All(hints, h => Assert.Contains("control character (\\n)", h.NotPasteableReason));
        // The host's own commands have no name in them: still pasteable.
        Assert.All(CommandHints.For(snapshot, HostNs), h => Assert.Null(h.NotPasteableReason));
    }

    /// <summary>The snapshot with every name (and label) that equals a key replaced by its value.</summary>
    internal static TopologySnapshot Renamed(TopologySnapshot snapshot, IReadOnlyDictionary<string, string> renames)
    {
        string Rename(string name) => renames.GetValueOrDefault(name, name);
        string? RenameOrNull(string? name) => name is null ? null : Rename(name);
        return snapshot with
        {
            Nodes = [.. snapshot.Nodes.Select(n => (n switch
            {
                NetnsNode x => x with { Name = RenameOrNull(x.Name) },
                InterfaceNode x => x with { Name = Rename(x.Name) },
                NetworkNode x => x with { Name = Rename(x.Name), BridgeName = RenameOrNull(x.BridgeName) },
                ContainerNode x => x with { Name = Rename(x.Name) },
                _ => n,
            }) with { Label = Rename(n.Label) })],
        };
    }
}
