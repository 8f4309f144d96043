using Microsoft.AspNetCore.Components;
using NetViz.Core.Model;
using NetViz.Core.Traffic;
using NetViz.Web.Graph;

namespace NetViz.Web.Components.Shared;

/// <summary>
/// The traffic rates of the interface or veth cable a drawer shows (issue 12), refreshed about once a second. It
/// subscribes to <see cref="TrafficMonitor"/> only while it is on screen and shows something measurable, so the
/// counters are sampled only while someone looks.
/// </summary>
public partial class InterfaceTraffic : ComponentBase, IDisposable
{
    /// <summary>Lookups over the snapshot the drawer shows.</summary>
    [Parameter, EditorRequired] public TopologyIndex Index { get; set; } = default!;

    /// <summary>The interface node or veth/bridge-port edge shown.</summary>
    [Parameter, EditorRequired] public string ElementId { get; set; } = "";

    [Inject] private TrafficMonitor Monitor { get; set; } = default!;

    /// <summary>
    /// Where an element's traffic is counted. The monitor reads the host namespace's counters only; a veth's two ends
    /// count the same frames, so an interface inside a container is measured on its host-side peer with the directions
    /// swapped (what the peer receives, it sent).
    /// </summary>
    /// <param name="Shown">The interface whose view the rates are given from.</param>
    /// <param name="MeasuredId">The host-namespace interface whose counters are read, or null when none can be.</param>
    /// <param name="Swapped">True when the measured interface is the shown one's veth peer.</param>
    public sealed record Target(InterfaceNode Shown, string? MeasuredId, string? MeasuredName, bool Swapped);

    /// <summary>What the drawer of <paramref name="elementId"/> measures, or null when it is no interface or cable.</summary>
    public static Target? For(TopologyIndex index, string? elementId)
    {
        ArgumentNullException.ThrowIfNull(index);
        var nic = index.Node(elementId) as InterfaceNode;
        if (nic is null && index.Edge(elementId) is VethEdge or BridgePortEdge or LowerEdge && index.Edge(elementId) is { } edge)
        {
            var source = index.Node(edge.Source) as InterfaceNode;
            var target = index.Node(edge.Target) as InterfaceNode;
            // A cable is shown from its host end, where it is counted.
            nic = source is not null && IsHost(index, source) ? source : target is not null && IsHost(index, target) ? target : source ?? target;
        }
        if (nic is null) return null;
        if (IsHost(index, nic)) return new Target(nic, nic.Id, nic.Name, false);
        if (index.Node(nic.Peer) is InterfaceNode peer && IsHost(index, peer)) return new Target(nic, peer.Id, peer.Name, true);
        return new Target(nic, null, null, false);
    }

    private static bool IsHost(TopologyIndex index, InterfaceNode nic) => index.IsHostNetns(index.NetnsOf(nic));

    private Target? _target;
    private InterfaceRate? _rate;
    private bool _sampled;
    private TrafficSubscription? _subscription;
    private CancellationTokenSource? _stop;

    protected override void OnParametersSet()
    {
        var before = _target?.MeasuredId;
        _target = For(Index, ElementId);
        if (_target?.MeasuredId != before) (_rate, _sampled) = (null, false);
        if (_target?.MeasuredId is null) StopWatching();
        else if (_subscription is null && RendererInfo.IsInteractive) StartWatching();
    }

    private void StartWatching()
    {
        _stop = new CancellationTokenSource();
        _subscription = Monitor.Subscribe();
        _ = PumpAsync(_subscription, _stop.Token);
    }

    private void StopWatching()
    {
        _subscription?.Dispose();
        _subscription = null;
        _stop?.Cancel();
        _stop?.Dispose();
        _stop = null;
    }

    private async Task PumpAsync(TrafficSubscription subscription, CancellationToken token)
    {
        try
        {
            await foreach (var rates in subscription.Reader.ReadAllAsync(token))
            {
                var id = _target?.MeasuredId;
                _sampled = true;
                // A link the sample lacks (new, its counters reset, or another host's in a hub) has no rate: never a made-up 0.
                _rate = rates.Interfaces.FirstOrDefault(r => r.InterfaceId == id);
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Rates from the shown interface's point of view: what it received and what it sent, per second.</summary>
    private (double RxBytes, double TxBytes, double RxPackets, double TxPackets) Shown(InterfaceRate rate) => _target!.Swapped
        ? (rate.TxBytesPerSecond, rate.RxBytesPerSecond, rate.TxPacketsPerSecond, rate.RxPacketsPerSecond)
        : (rate.RxBytesPerSecond, rate.TxBytesPerSecond, rate.RxPacketsPerSecond, rate.TxPacketsPerSecond);

    public void Dispose()
    {
        StopWatching();
        GC.SuppressFinalize(this);
    }
}
