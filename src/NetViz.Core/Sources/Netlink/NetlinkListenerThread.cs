using System.Collections.Concurrent;

namespace NetViz.Core.Sources.Netlink;

/// <summary>What a listener does with what its socket receives. Called on the listener thread: keep it short, never block.</summary>
internal interface INetlinkDatagramSink
{
    /// <summary>One datagram (one or more netlink messages back to back), valid only during the call.</summary>
    void OnDatagram(ReadOnlySpan<byte> datagram);

    /// <summary>recv failed with ENOBUFS: the kernel dropped notifications because the socket's queue was full.</summary>
    void OnOverrun();

    /// <summary>The socket failed otherwise (errno) and was closed; nothing more will arrive from it.</summary>
    void OnFailed(int errno);
}

/// <summary>
/// One dedicated thread reading any number of netlink sockets with epoll: one reader for 300 namespaces instead of a
/// thread (or a pending async receive and its buffer) per socket. Sockets are added and removed from any thread;
/// the change is applied on the listener thread itself, so an fd is never closed while it is being read.
/// After a wake-up it drains every ready socket, then pauses for <see cref="BatchWindow"/> so a storm of
/// notifications (a fork/exec storm on the process connector) costs one wake-up per window, not one per message.
/// </summary>
internal sealed class NetlinkListenerThread : IDisposable
{
    private const ulong WakeToken = 0;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly Dictionary<ulong, Registration> _registered = []; // owned by the listener thread
    private readonly Thread _thread;
    private readonly Lock _postGate = new();
    private long _nextToken;
    private int _count;
    private volatile bool _stopping;

    public NetlinkListenerThread(string name, TimeSpan batchWindow)
    {
        BatchWindow = batchWindow;
        _epoll = LibC.OpenEpoll();
        if (_epoll < 0) throw new IOException($"epoll_create1: {LibC.ErrnoName(-_epoll)}");
        _wake = LibC.OpenWakeEvent();
        if (_wake < 0)
        {
            LibC.Close(_epoll);
            throw new IOException($"eventfd: {LibC.ErrnoName(-_wake)}");
        }
        var error = LibC.EpollAdd(_epoll, _wake, WakeToken);
        if (error != 0)
        {
            LibC.Close(_wake);
            LibC.Close(_epoll);
            throw new IOException($"epoll_ctl: {LibC.ErrnoName(error)}");
        }
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public TimeSpan BatchWindow { get; }

    /// <summary>Sockets being read now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Starts reading <paramref name="fd"/>, whose ownership passes to this thread (it closes it on removal or failure).</summary>
    /// <param name="beforeClose">Runs on this thread just before the fd is closed (e.g. to unsubscribe), while the fd is still ours.</param>
    public Registration Add(int fd, INetlinkDatagramSink sink, Action<int>? beforeClose = null)
    {
        var registration = new Registration(this, (ulong)Interlocked.Increment(ref _nextToken), fd, sink, beforeClose);
        Post(new Command(registration, Add: true));
        return registration;
    }

    private void Post(Command command)
    {
        lock (_postGate)
        {
            if (_stopping)
            {
                if (command.Add) LibC.Close(command.Registration.Fd);
                return;
            }
            _commands.Enqueue(command);
            LibC.SignalWakeEvent(_wake);
        }
    }

    private void Run()
    {
        Span<ulong> ready = stackalloc ulong[64];
        var buffer = new byte[64 * 1024];
        while (!_stopping)
        {
            var n = LibC.EpollWaitTokens(_epoll, ready, -1);
            if (n < 0)
            {
                // EBADF/EINVAL cannot happen while the fds are ours; back off rather than spin if it ever does.
                Thread.Sleep(100);
                continue;
            }
            for (var i = 0; i < n; i++)
            {
                if (ready[i] == WakeToken) LibC.DrainWakeEvent(_wake);
                else if (_registered.TryGetValue(ready[i], out var registration)) Drain(registration, buffer);
            }
            ApplyCommands();
            if (BatchWindow > TimeSpan.Zero && n > 0 && !_stopping) Thread.Sleep(BatchWindow);
        }
        foreach (var registration in _registered.Values) Close(registration);
        _registered.Clear();
        // Nothing is queued after _stopping was set (Post checks it under the same lock).
        lock (_postGate)
            while (_commands.TryDequeue(out var left))
                if (left.Add) LibC.Close(left.Registration.Fd);
    }

    private void ApplyCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            var registration = command.Registration;
            if (command.Add)
            {
                if (registration.Removed)
                {
                    LibC.Close(registration.Fd);
                    continue;
                }
                var error = LibC.EpollAdd(_epoll, registration.Fd, registration.Token);
                if (error != 0)
                {
                    LibC.Close(registration.Fd);
                    Notify(registration, s => s.OnFailed(error));
                    continue;
                }
                _registered[registration.Token] = registration;
                Interlocked.Increment(ref _count);
            }
            else if (_registered.Remove(registration.Token))
            {
                Close(registration);
            }
        }
    }

    private void Drain(Registration registration, byte[] buffer)
    {
        while (true)
        {
            var received = LibC.ReceiveNonBlocking(registration.Fd, buffer);
            if (received > 0)
            {
                var datagram = buffer.AsSpan(0, received);
                try
                {
                    registration.Sink.OnDatagram(datagram);
                }
                catch (Exception)
                {
                    // A sink's bug must not stop the other listeners.
                }
                continue;
            }
            if (received == 0 || received == -LibC.EAGAIN) return;
            if (received == -LibC.ENOBUFS)
            {
                // The queue overflowed and notifications were lost; the socket itself is fine and keeps listening.
                Notify(registration, s => s.OnOverrun());
                continue;
            }
            _registered.Remove(registration.Token);
            Close(registration);
            Notify(registration, s => s.OnFailed(-received));
            return;
        }
    }

    private void Close(Registration registration)
    {
        try
        {
            registration.BeforeClose?.Invoke(registration.Fd);
        }
        catch (Exception)
        {
        }
        LibC.EpollRemove(_epoll, registration.Fd);
        LibC.Close(registration.Fd);
        Interlocked.Decrement(ref _count);
    }

    private static void Notify(Registration registration, Action<INetlinkDatagramSink> call)
    {
        try
        {
            call(registration.Sink);
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Stops the thread and closes every socket. Never call it from a sink (it waits for the thread).</summary>
    public void Dispose()
    {
        lock (_postGate)
        {
            if (_stopping) return;
            _stopping = true;
            LibC.SignalWakeEvent(_wake);
        }
        _thread.Join();
        // Closed only now: the thread is gone, so no one can signal or wait on a reused fd number.
        LibC.Close(_wake);
        LibC.Close(_epoll);
    }

    /// <summary>One socket being read. Dispose it to stop reading and close the socket.</summary>
    internal sealed class Registration(NetlinkListenerThread owner, ulong token, int fd, INetlinkDatagramSink sink, Action<int>? beforeClose) : IDisposable
    {
        private int _removed;
        public Action<int>? BeforeClose { get; } = beforeClose;
        public ulong Token { get; } = token;
        public int Fd { get; } = fd;
        public INetlinkDatagramSink Sink { get; } = sink;
        public bool Removed => Volatile.Read(ref _removed) != 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _removed, 1) == 0) owner.Post(new Command(this, Add: false));
        }
    }

    private readonly record struct Command(Registration Registration, bool Add);
}
