using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using NetViz.Core.Model;
using NetViz.Core.Traffic;

namespace NetViz.Web.Components.Shared;

/// <summary>
/// Subscribes to <see cref="TrafficMonitor"/> while it is on screen (so counters are sampled only while someone
/// watches), lists the busiest cables and widens them on the graph (<c>wwwroot/js/netviz-traffic.js</c>).
/// </summary>
public partial class BusiestCables : ComponentBase, IAsyncDisposable
{
    public const string ModulePath = "./js/netviz-traffic.js";
    public const int Rows = 8;

    /// <summary>The snapshot the page shows (names the interfaces).</summary>
    [Parameter, EditorRequired] public TopologySnapshot Snapshot { get; set; } = TopologySnapshot.Empty;

    /// <summary>The page's graph instance, or null before it is drawn.</summary>
    [Parameter] public IJSObjectReference? Graph { get; set; }

    [Inject] private TrafficMonitor Monitor { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    public sealed record Row(InterfaceRate Rate, string Label);

    private List<Row> _rows = [];
    private System.Collections.Immutable.ImmutableArray<NatGateRate> _gates = [];
    private TopologySnapshot? _previous;
    private bool _sampled;
    private TrafficSubscription? _subscription;
    private readonly CancellationTokenSource _stop = new();
    private IJSObjectReference? _module;

    /// <summary>Each newer snapshot carries fresh NAT counters (read while someone watches): the deltas since the last one.</summary>
    protected override void OnParametersSet()
    {
        if (_previous is { } previous && Snapshot.GeneratedAt > previous.GeneratedAt)
            _gates = [.. NatGateRates.Between(previous, Snapshot).Take(Rows)];
        if (_previous is null || Snapshot.GeneratedAt > _previous.GeneratedAt) _previous = Snapshot;
    }

    protected override void OnInitialized()
    {
        if (!RendererInfo.IsInteractive) return;
        _subscription = Monitor.Subscribe();
        _ = PumpAsync(_subscription, _stop.Token);
    }

    private async Task PumpAsync(TrafficSubscription subscription, CancellationToken token)
    {
        try
        {
            await foreach (var rates in subscription.Reader.ReadAllAsync(token))
            {
                _sampled = true;
                _rows = [.. rates.Busiest(Rows).Select(r => new Row(r, LabelOf(r)))];
                await InvokeAsync(StateHasChanged);
                await ShowOnGraphAsync(rates);
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ShowOnGraphAsync(TrafficRates rates)
    {
        if (Graph is null) return;
        try
        {
            _module ??= await JS.ImportModuleAsync(ModulePath);
            var payload = rates.Interfaces.Where(r => r.BytesPerSecond > 0).Select(r => new { id = r.InterfaceId, bps = r.BytesPerSecond }).ToArray();
            await _module.InvokeAsync<int>("show", Graph, payload);
        }
        catch (JSDisconnectedException) { }
        catch (JSException) { }
        catch (InvalidOperationException) { }
    }

    /// <summary>
    /// "vethab12 → web": the interface and what its cable leads to (the container of its veth peer). An interface
    /// without a peer says where it is, "lo · web" or "eth0 · myhost": every namespace has its own lo and eth0.
    /// </summary>
    private string LabelOf(InterfaceRate rate)
    {
        var node = Snapshot.Nodes.OfType<InterfaceNode>().FirstOrDefault(i => i.Id == rate.InterfaceId);
        var name = node?.Name ?? (rate.Name.Length > 0 ? rate.Name : rate.InterfaceId);
        if (node is null) return name;
        if (node.Peer is not { } peerId) return NamespaceOf(node) is { } where ? $"{name} · {where}" : name;
        var peer = Snapshot.Nodes.OfType<InterfaceNode>().FirstOrDefault(i => i.Id == peerId);
        return peer is not null && NamespaceOf(peer, hostByName: false) is { } to ? $"{name} → {to}" : name;
    }

    /// <summary>Who lives in the interface's namespace: its container, else the ip netns name, else the host's name.</summary>
    private string? NamespaceOf(InterfaceNode i, bool hostByName = true)
    {
        var ns = Snapshot.Nodes.OfType<NetnsNode>().FirstOrDefault(n => n.Id == i.Parent || n.Inode == i.NetnsInode);
        // The host's namespace is the host's, not its host-mode containers'.
        if (ns is { IsHost: true }) return hostByName ? Snapshot.Host.Hostname : null;
        var owner = ns is null ? null : Snapshot.Nodes.OfType<ContainerNode>().FirstOrDefault(c => c.Netns == ns.Id && c.JoinedContainer is null);
        return owner?.Name ?? ns?.Name;
    }

    public static string FormatBytes(double perSecond) => perSecond switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / (1024 * 1024):0.0} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1024:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0} B"),
    };

    public static string FormatPackets(double perSecond) => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0} pkt");

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _stop.CancelAsync();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
