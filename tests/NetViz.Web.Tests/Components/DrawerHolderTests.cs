using Bunit;
using NetViz.Core.Model;
using NetViz.Web.Commands;
using NetViz.Web.Components.Shared;
using NetViz.Web.Graph;
using static NetViz.Web.Tests.Fakes.SampleTopology;

namespace NetViz.Web.Tests.Components;

/// <summary>
/// The drawer of a namespace names the process holding it (PID and command, as the snapshot has them) and links to the
/// containers it belongs to, marking the one whose main process it is.
/// </summary>
public sealed class DrawerHolderTests : DashboardTestContext
{
    private const string Command = "nginx: master process nginx -g daemon off; $(x)";

    private static TopologySnapshot Held()
    {
        var snapshot = Create();
        var web = snapshot.Nodes.OfType<NetnsNode>().Single(n => n.Id == WebNs);
        return snapshot with { Nodes = snapshot.Nodes.Replace(web, web with { Holder = new NetnsHolder(WebPid, Command) }) };
    }

    [Fact]
    public async Task A_container_namespace_shows_its_holder_and_links_its_containers()
    {
        var snapshot = Held();
        var index = new TopologyIndex(snapshot);
        var netns = (NetnsNode)index.Node(WebNs)!;
        string? navigated = null;
        var details = Render<ElementDetails>(p => p.Add(x => x.Index, index).Add(x => x.ElementId, WebNs)
            .Add(x => x.OnNavigate, id => navigated = id));

        Assert.Equal(netns.Holder!.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), details.Find("[data-testid='holder-pid']").TextContent);
        Assert.Equal(netns.Holder.Command, details.Find("[data-testid='holder-command']").TextContent);
        var links = details.FindAll("[data-testid='holder-container']");
        Assert.Equal(index.ContainersIn(netns).Select(c => (c.Id, c.Name)).Order(),
            links.Select(l => (l.GetAttribute("data-related-id")!, l.TextContent.Trim())).Order());
        // web's main process holds it; the sidecar joined it.
        var main = Assert.Single(details.FindAll("[data-testid='holder-main']"));
        Assert.Contains("web", main.ParentElement!.TextContent);

        await details.InvokeAsync(() => links.First(l => l.GetAttribute("data-related-id") == Ctr(SidecarId)).Click());
        Assert.Equal(Ctr(SidecarId), navigated);
    }

    [Fact]
    public void The_holder_gets_a_ps_command_and_a_namespace_nothing_holds_gets_no_holder_section()
    {
        var hint = Assert.Single(CommandHints.For(Held(), WebNs), h => h.Command.StartsWith("ps ", StringComparison.Ordinal));
        Assert.Equal($"ps -o pid=,args= -p {WebPid}", hint.Command);
        Assert.Contains(Command, hint.Explanation);

        var lab1 = Render<ElementDetails>(p => p.Add(x => x.Index, new TopologyIndex(Create())).Add(x => x.ElementId, Lab1Ns));
        Assert.Empty(lab1.FindAll("[data-testid='holder-table']"));
    }
}
