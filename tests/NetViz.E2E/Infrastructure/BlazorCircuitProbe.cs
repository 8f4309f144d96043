using System.Text;
using Microsoft.Playwright;

namespace NetViz.E2E.Infrastructure;

/// <summary>
/// Watches a page's Blazor Server websocket (`/_blazor?id=...`). Blazor's hub protocol sends
/// each UI update as a `JS.RenderBatch` invocation; its target name travels as plain text inside
/// the MessagePack frame, so seeing it proves the circuit renders interactively.
/// </summary>
public sealed class BlazorCircuitProbe
{
    private readonly TaskCompletionSource<IWebSocket> _socketOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _renderBatchReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _renderBatches;

    private BlazorCircuitProbe()
    {
    }

    /// <summary>Completes when the page opened the Blazor websocket.</summary>
    public Task<IWebSocket> SocketOpened => _socketOpened.Task;

    /// <summary>Completes at the first render batch the server sent.</summary>
    public Task RenderBatchReceived => _renderBatchReceived.Task;

    /// <summary>Render batches received so far.</summary>
    public int RenderBatches => Volatile.Read(ref _renderBatches);

    /// <summary>Starts watching; call before navigating so no frame is missed.</summary>
    public static BlazorCircuitProbe Attach(IPage page)
    {
        var probe = new BlazorCircuitProbe();
        page.WebSocket += (_, socket) =>
        {
            if (!socket.Url.Contains("/_blazor", StringComparison.Ordinal))
                return;
            // Subscribed inside the WebSocket event, before Playwright dispatches any of its frames.
            socket.FrameReceived += (_, frame) => probe.OnFrame(frame);
            probe._socketOpened.TrySetResult(socket);
        };
        return probe;
    }

    private static readonly byte[] RenderBatchTarget = Encoding.ASCII.GetBytes("JS.RenderBatch");

    private void OnFrame(IWebSocketFrame frame)
    {
        var payload = frame.Binary ?? Encoding.UTF8.GetBytes(frame.Text ?? "");
        if (payload.AsSpan().IndexOf(RenderBatchTarget) < 0)
            return;
        Interlocked.Increment(ref _renderBatches);
        _renderBatchReceived.TrySetResult();
    }
}
