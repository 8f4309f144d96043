using NetViz.Core.Model;
using NetViz.Web.Graph;
using NetViz.Web.Lessons;
using NetViz.Web.Tests.Fakes;

namespace NetViz.Web.Tests.Lessons;

public sealed class LessonLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nvcls-lesson-").FullName;

    private static string Shipped(string language) => Path.Combine(AppContext.BaseDirectory, "Lessons", language);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_shipped_lesson_has_the_same_steps_in_English_and_Korean_in_the_seed_order()
    {
        var en = LessonLoader.LoadFolder(Shipped("en"));
        var ko = LessonLoader.LoadFolder(Shipped("ko"));

        Assert.Equal(["none", "host", "bridge", "veth", "netns", "route", "masquerade", "manual", "dnat"], en.Select(s => s.Find));
        Assert.Equal(en.Select(s => (s.Id, s.Find, s.Commands.Length)), ko.Select(s => (s.Id, s.Find, s.Commands.Length)));
        Assert.All(en, s => Assert.NotEmpty(s.Paragraphs));
        // The seed's terms, in Korean.
        var korean = string.Join("\n", ko.SelectMany(s => s.Paragraphs.Prepend(s.Title)));
        Assert.Contains("네트워크 네임스페이스", korean);
        Assert.Contains("브리지", korean);
        Assert.Contains("veth 페어", korean);
    }

    [Theory]
    [InlineData("title: x\nfind: none\n---\nbody", "line 1: a step starts with a '---' header line")]
    [InlineData("---\ntitle: x\nfind: none\nbody without end", "line 4: expected 'key: value'")]
    [InlineData("---\ntitle: x\nfind: none\n", "no closing '---'")]
    [InlineData("---\ntitle: x\nfind: nowhere\n---\n", "find: 'nowhere' is not one of none, host")]
    [InlineData("---\nfind: none\n---\n", "the header has no 'title:'")]
    [InlineData("---\ntitle: x\nfind: none\ncolour: red\n---\n", "line 4: unknown header key 'colour'")]
    public void A_malformed_step_file_is_an_error_naming_the_file_and_what_is_wrong(string text, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, "01-ok.md"), "---\ntitle: fine\nfind: none\n---\nok\n");
        File.WriteAllText(Path.Combine(_folder, "02-broken.md"), text);

        var error = Assert.Throws<LessonFormatException>(() => LessonLoader.LoadFolder(_folder));

        Assert.StartsWith("02-broken.md: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(Path.Combine(_folder, "02-broken.md"), error.File);
    }

    [Fact]
    public void A_step_reads_its_header_commands_and_paragraphs()
    {
        var step = LessonLoader.Parse("---\nid: ns\ntitle: The namespace: where\nfind: netns\nlab: ./lab.sh up\ncommands:\n  - ls -l /proc/{pid}/ns/net\n  - nsenter --target {pid} --net ip addr\n---\nFirst line\nsame paragraph.\n\nSecond `code`.\n", "x.md");

        Assert.Equal(("ns", "The namespace: where", "netns", "./lab.sh up"), (step.Id, step.Title, step.Find, step.Lab));
        Assert.Equal(["ls -l /proc/{pid}/ns/net", "nsenter --target {pid} --net ip addr"], step.Commands.ToArray());
        Assert.Equal(["First line same paragraph.", "Second `code`."], step.Paragraphs.ToArray());
    }

    [Fact]
    public void Each_target_finds_the_real_elements_and_fills_commands_with_shell_quoted_values()
    {
        var index = new TopologyIndex(SampleTopology.Create());

        var none = LessonTargets.Find(index, "none");
        Assert.Equal([SampleTopology.Ctr(SampleTopology.IsolatedId), SampleTopology.IsolatedNs, "if:4026532503:1"], none.Elements.ToArray());
        Assert.Equal("nsenter --target 43555 --net ip link", none.Fill("nsenter --target {pid} --net ip link"));

        Assert.Contains(SampleTopology.Ctr(SampleTopology.HostnetId), LessonTargets.Find(index, "host").Elements);
        Assert.Contains("if:4026531840:3", LessonTargets.Find(index, "bridge").Elements);

        var veth = LessonTargets.Find(index, "veth");
        Assert.Contains("if:4026532301:6", veth.Elements);
        Assert.Contains("if:4026531840:7", veth.Elements);
        Assert.Equal("ip -d link show veth1a2b3c4", veth.Fill("ip -d link show {veth-host}"));

        Assert.Equal([SampleTopology.WebNs, SampleTopology.Ctr(SampleTopology.WebId)], LessonTargets.Find(index, "netns").Elements.ToArray());

        var masquerade = LessonTargets.Find(index, "masquerade");
        Assert.Contains(masquerade.Elements, id => index.Node(id) is NatRuleNode { Target: "MASQUERADE", Source: "172.17.0.0/16" });
        var dnat = LessonTargets.Find(index, "dnat");
        Assert.Contains(dnat.Elements, id => index.Node(id) is NatRuleNode { Target: "DNAT", HostPort: 8080 });
        Assert.Equal("127.0.0.1:8080 → 172.17.0.2:80", dnat.Fill("{host-ip}:{host-port} → {to}"));
    }

    [Fact]
    public void A_hostile_container_name_reaches_a_command_quoted()
    {
        var snapshot = SampleTopology.Create();
        var web = snapshot.Nodes.OfType<ContainerNode>().Single(c => c.Name == "isolated");
        snapshot = snapshot with { Nodes = snapshot.Nodes.Replace(web, web with { Name = "x; rm -rf /" }) };

        var target = LessonTargets.Find(new TopologyIndex(snapshot), "none");

        Assert.Equal("docker port 'x; rm -rf /'", target.Fill("docker port {container}"));
    }

    [Fact]
    public void A_host_without_an_example_finds_nothing()
    {
        var index = new TopologyIndex(TopologySnapshot.Empty);
        Assert.All(LessonTargets.Kinds, kind => Assert.False(LessonTargets.Find(index, kind).Found));
    }
}
