using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using NetViz.Core.Model;
using NetViz.Core.Paths;
using NetViz.Web.Api;
using NetViz.Web.Localization;

namespace NetViz.Web.Components.Shared;

/// <summary>
/// The path panel: explains a packet's path over the snapshot the page shows (the same <see cref="PathApi.Explain"/>
/// as <c>GET /api/path</c>) and highlights it on the graph through <c>wwwroot/js/netviz-path.js</c>, hop by hop.
/// </summary>
public partial class PathPanel : ComponentBase
{
    /// <summary>The overlay module, relative to the app base.</summary>
    public const string ModulePath = "./js/netviz-path.js";

    /// <summary>Most entries a picker lists (a host with more containers is searched through the API).</summary>
    public const int MaxOptions = 300;

    /// <summary>The snapshot the page shows.</summary>
    [Parameter, EditorRequired] public TopologySnapshot Snapshot { get; set; } = TopologySnapshot.Empty;

    /// <summary>The page's graph instance (netviz-graph.js <c>create</c>), or null before it is drawn.</summary>
    [Parameter] public IJSObjectReference? Graph { get; set; }

    [Inject] private IPathSysctlsSource Sysctls { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    public string? From { get; set; }
    public string? To { get; set; }
    public string Protocol { get; set; } = "tcp";
    public int Port { get; set; } = 80;
    public PathExplanation? Result { get; private set; }
    public string? Error { get; private set; }
    public int Current { get; private set; }

    private IJSObjectReference? _module;

    /// <summary>
    /// The page's language, taken when the panel is made: its sentences are said in it whichever thread renders
    /// (a snapshot pushed by the feed, a test calling in).
    /// </summary>
    public CultureInfo Culture { get; private set; } = CultureInfo.CurrentUICulture;

    protected override void OnInitialized() => Culture = CultureInfo.CurrentUICulture;

    public sealed record Option(string Value, string Text);

    public IReadOnlyList<Option> Sources => [.. Endpoints(destinations: false)];

    public IReadOnlyList<Option> Destinations => [.. Endpoints(destinations: true)];

    private IEnumerable<Option> Endpoints(bool destinations)
    {
        yield return new Option("host", SharedWords.Get(Culture, "Path.Option.Host"));
        yield return new Option("outside", SharedWords.Get(Culture, "Path.Option.Outside"));
        var count = 0;
        foreach (var c in Snapshot.Nodes.OfType<ContainerNode>().Where(c => c.IsRunning).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            if (++count > MaxOptions) yield break;
            yield return new Option("container:" + c.Name, SharedWords.Get(Culture, "Path.Option.Container", c.Name));
            if (!destinations) continue;
            foreach (var p in c.Ports)
                if (p.HostPort is { } hostPort)
                {
                    var hostIp = p.HostIp is null or "" or "0.0.0.0" or "::" ? "host" : p.HostIp;
                    if (hostIp.Contains(':') && hostIp != "host") continue; // an IPv6 publish: paths are IPv4
                    yield return new Option($"{hostIp}:{hostPort}", SharedWords.Get(Culture, "Path.Option.Published", hostIp, hostPort, c.Name, p.ContainerPort, p.Protocol));
                }
        }
        foreach (var n in Snapshot.Nodes.OfType<NetnsNode>().Where(n => n.Name is not null).OrderBy(n => n.Name, StringComparer.Ordinal))
            yield return new Option("netns:" + n.Name, SharedWords.Get(Culture, "Path.Option.Namespace", n.Name!));
    }

    public async Task ExplainAsync()
    {
        if (From is null || To is null) return;
        try
        {
            Result = PathApi.Explain(Snapshot, Sysctls, new PathQuery(From, To, Protocol, Protocol == "icmp" ? null : Port));
            Error = null;
            Current = Result.StoppedAt ?? 0;
        }
        catch (PathQueryException e)
        {
            Result = null;
            Error = PathWording.Say(e.Text, e.Message, Culture);
        }
        await HighlightAsync();
    }

    public async Task SelectAsync(int index)
    {
        if (Result is null || index < 0 || index >= Result.Hops.Length) return;
        Current = index;
        await HighlightAsync();
    }

    public Task StepAsync(int delta) => SelectAsync(Current + delta);

    public async Task ClearAsync()
    {
        Result = null;
        Error = null;
        await HighlightAsync();
    }

    private async Task HighlightAsync()
    {
        // Also called from code (a test, the page), not only from this component's own event handlers.
        StateHasChanged();
        if (Graph is null) return;
        try
        {
            _module ??= await JS.ImportModuleAsync(ModulePath);
            if (Result is not { } r)
            {
                await _module.InvokeVoidAsync("clear", Graph);
                return;
            }
            var all = r.Hops.SelectMany(h => h.Elements).Distinct(StringComparer.Ordinal).ToArray();
            var stop = r.StoppedAt is { } s ? r.Hops[s].Elements.ToArray() : [];
            await _module.InvokeAsync<int>("show", Graph, all, r.Hops[Current].Elements.ToArray(), stop);
        }
        catch (JSDisconnectedException) { }
        catch (JSException) { }
    }

    private static Severity VerdictSeverity(string verdict) => verdict switch
    {
        PathVerdicts.Delivered or PathVerdicts.LeavesHost => Severity.Success,
        PathVerdicts.Undecided => Severity.Info,
        _ => Severity.Error,
    };

    private string VerdictText(string verdict) => SharedWords.Get(Culture, verdict switch
    {
        PathVerdicts.Delivered => "Path.Delivered",
        PathVerdicts.LeavesHost => "Path.LeavesHost",
        PathVerdicts.Dropped => "Path.Dropped",
        PathVerdicts.NoRoute => "Path.NoRoute",
        _ => "Path.Undecided",
    });
}
