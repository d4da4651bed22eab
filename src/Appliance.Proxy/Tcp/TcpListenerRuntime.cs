using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Appliance.Core.Configuration;
using Appliance.Proxy.Tcp.Loop;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// One running TCP listener: its sockets and accept loops, the connection limit with its queue, the
/// set of open connections (for the idle sweep and for draining), and graceful stop. Options other
/// than the address apply to new connections when replaced by a reload. With event loops (Linux),
/// each loop accepts on every socket and serves what it accepted; connections that need a wait
/// (listener full: its queue) or a trusted front's PROXY header go to <see cref="TcpSession"/> on
/// .NET sockets instead, as every connection does without loops.
/// </summary>
internal sealed class TcpListenerRuntime : IAsyncDisposable
{
    private static readonly TimeSpan MaxSweep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinSweep = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<ITcpConnection, byte> _sessions = new();
    private readonly ConnectionSlots _slots = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly List<Func<Task>> _stopAccepting = [];
    private volatile TcpListenerOptions _options;
    private volatile TrustedNetworks _trusted;
    private ITimer? _sweep;
    private long _accepted;
    private long _refused;
    private int _stopped;

    public TcpListenerRuntime(string name, TcpListenerOptions options, TcpServices services)
    {
        Name = name;
        Services = services;
        Dialer = new TcpBackendDialer(services);
        _options = options;
        _trusted = TrustedNetworks.From(options.AcceptProxyProtocol);
        Address = options.Address;
        FreeBind = options.FreeBind;
    }

    public string Name { get; }

    /// <summary>The address bound at start; a reload cannot change it.</summary>
    public string Address { get; }

    public bool FreeBind { get; }

    public TcpServices Services { get; }

    public TcpBackendDialer Dialer { get; }

    public TcpListenerOptions Options => _options;

    public TrustedNetworks Trusted => _trusted;

    /// <summary>Cancelled when the listener stops: queued and connecting connections give up.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Connections open now (holding a listener slot).</summary>
    public int Active => _slots.Active;

    /// <summary>True once <see cref="StopAsync"/> began: no new connection is accepted.</summary>
    public bool IsStopping => Volatile.Read(ref _stopped) != 0;

    /// <summary>Connections tracked now, including those still waiting for a slot.</summary>
    public int Tracked => _sessions.Count;

    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections closed without reaching a backend (listener or pool full, no backend, bad PROXY header).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public IReadOnlyList<EndPoint> LocalEndPoints => [.. _sockets.Select(s => s.LocalEndPoint!)];

    /// <summary>Binds and starts accepting. Throws <see cref="IOException"/> when the address cannot be bound.</summary>
    public void Start()
    {
        _sockets.AddRange(TcpListenSockets.Bind(Address, FreeBind));
        if (OperatingSystem.IsLinux() && Services.Loops is { } loops)
        {
            foreach (var socket in _sockets)
            {
                socket.Blocking = false; // loops race for each connection; the losers must get EAGAIN
                foreach (var loop in loops.Loops)
                {
                    var acceptor = new LoopAcceptor(this, loop, (int)socket.Handle);
                    acceptor.Start();
                    _stopAccepting.Add(acceptor.StopAsync);
                }
            }
        }
        else
        {
            foreach (var socket in _sockets)
            {
                _acceptLoops.Add(AcceptLoopAsync(socket));
            }
        }

        _sweep = Services.Time.CreateTimer(_ => Sweep(), null, SweepPeriod(_options), SweepPeriod(_options));
    }

    /// <summary>Takes new non-address settings from a reload; they apply to connections accepted from now on.</summary>
    public void Update(TcpListenerOptions options)
    {
        _trusted = TrustedNetworks.From(options.AcceptProxyProtocol);
        _options = options;
        _sweep?.Change(SweepPeriod(options), SweepPeriod(options));
    }

    /// <summary>
    /// Stops accepting at once, lets open connections run for <paramref name="drain"/> (or until
    /// <paramref name="cancel"/>), then cuts what is left with a reset.
    /// </summary>
    public async Task StopAsync(TimeSpan drain, CancellationToken cancel)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (OperatingSystem.IsLinux() && _stopAccepting.Count > 0)
        {
            // Stop listening now (new connects are refused at once), but close the descriptors only after
            // every loop has let go of them, so their numbers cannot be reused under a loop.
            foreach (var socket in _sockets)
            {
                LibC.Shutdown((int)socket.Handle, LibC.ShutRd);
            }

            await Task.WhenAll(_stopAccepting.Select(stop => stop())).ConfigureAwait(false);
        }

        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false); // connections not yet forwarded give up
        foreach (var session in _sessions.Keys)
        {
            session.CancelSetup();
        }

        if (!_sessions.IsEmpty)
        {
            TcpLog.ListenerDraining(Services.Logger, Name, _sessions.Count, drain);
        }

        var deadline = Services.Time.GetUtcNow() + drain;
        while (!_sessions.IsEmpty && Services.Time.GetUtcNow() < deadline && !cancel.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), Services.Time, CancellationToken.None).ConfigureAwait(false);
        }

        if (!_sessions.IsEmpty)
        {
            TcpLog.ListenerCut(Services.Logger, Name, _sessions.Count);
            foreach (var session in _sessions.Keys)
            {
                session.Abort();
            }

            // Cut connections unwind within moments; wait briefly so their slots and gauges are given back.
            for (var i = 0; i < 40 && !_sessions.IsEmpty; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), Services.Time, CancellationToken.None).ConfigureAwait(false);
            }
        }

        _sweep?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal async ValueTask<bool> AcquireSlotAsync()
    {
        var deadline = Services.Time.GetUtcNow() + _options.Queue.Timeout;
        while (true)
        {
            if (_slots.TryAcquire(_options.MaxConnections))
            {
                return true;
            }

            var waiter = _slots.Queue.TryEnter(_options.Queue.MaxLength);
            if (waiter is null)
            {
                return false;
            }

            try
            {
                // A slot may have freed between the last try and joining the queue.
                if (_slots.TryAcquire(_options.MaxConnections))
                {
                    return true;
                }

                var remaining = deadline - Services.Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || !await _slots.Queue.WaitAsync(waiter, remaining, Services.Time, Stopping).ConfigureAwait(false))
                {
                    return false;
                }
            }
            finally
            {
                _slots.Queue.Leave();
            }
        }
    }

    internal void ReleaseSlot() => _slots.Release();

    internal void RecordRefused() => Interlocked.Increment(ref _refused);

    internal void Forget(ITcpConnection session) => _sessions.TryRemove(session, out _);

    /// <summary>The connections tracked now (tests cut them from other threads).</summary>
    internal IReadOnlyCollection<ITcpConnection> Connections => [.. _sessions.Keys];

    /// <summary>
    /// An event loop accepted <paramref name="fd"/>. The common case stays on that loop; a trusted
    /// front (PROXY header to read) or a full listener (queue wait) goes to the socket engine's session.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal void OnLoopAccept(EventLoop loop, int fd, IPEndPoint? remote)
    {
        Interlocked.Increment(ref _accepted);
        var options = _options;
        if (remote is not null && Volatile.Read(ref _stopped) == 0
            && (options.AcceptProxyProtocol is null || !_trusted.Contains(remote.Address))
            && _slots.TryAcquire(options.MaxConnections))
        {
            var connection = new LoopConnection(this, loop, fd, remote);
            _sessions.TryAdd(connection, 0);
            connection.Start();
            return;
        }

        var session = new TcpSession(this, new Socket(new SafeSocketHandle(fd, ownsHandle: true)));
        _sessions.TryAdd(session, 0);
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.RunAsync(), session, preferLocal: false);
    }

    private async Task AcceptLoopAsync(Socket listen)
    {
        await Task.Yield(); // Start returns once the sockets are bound; accepting runs on the pool
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listen.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (Volatile.Read(ref _stopped) != 0)
                {
                    return;
                }

                // Out of file descriptors or a connection reset before accept: keep the listener alive.
                TcpLog.AcceptFailed(Services.Logger, Name, e.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(10), Services.Time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _accepted);
            var session = new TcpSession(this, accepted);
            _sessions.TryAdd(session, 0);
            _ = session.RunAsync();
        }
    }

    private void Sweep()
    {
        var timeoutMs = (long)_options.IdleTimeout.TotalMilliseconds;
        var now = Environment.TickCount64;
        foreach (var session in _sessions.Keys)
        {
            if (session.IsPumping && session.IsIdle(now, timeoutMs))
            {
                session.CloseIdle();
            }
        }
    }

    private static TimeSpan SweepPeriod(TcpListenerOptions options)
    {
        var quarter = options.IdleTimeout / 4;
        return quarter < MinSweep ? MinSweep : quarter > MaxSweep ? MaxSweep : quarter;
    }
}
