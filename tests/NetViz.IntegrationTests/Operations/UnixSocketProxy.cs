using System.Net.Sockets;

namespace NetViz.IntegrationTests.Operations;

/// <summary>
/// A Unix socket at <see cref="Path"/> that forwards every connection byte for byte to another Unix socket: makes a
/// "Docker engine" appear at a path NetViz was told to use, without touching the host's engine.
/// </summary>
public sealed class UnixSocketProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;

    private UnixSocketProxy(string path, string target)
    {
        Path = path;
        _target = target;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(64);
        _accepting = AcceptAsync();
    }

    public string Path { get; }

    public static UnixSocketProxy Start(string path, string target) => new(path, target);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        lock (_open) _open.AddRange([client, upstream]);
        try
        {
            await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_target), _stop.Token);
            await using var a = new NetworkStream(client, ownsSocket: false);
            await using var b = new NetworkStream(upstream, ownsSocket: false);
            // Either side closing ends the pair (the engine closes an event stream when NetViz goes).
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_open) foreach (var s in _open) s.Dispose();
        await _accepting;
        File.Delete(Path);
    }
}
