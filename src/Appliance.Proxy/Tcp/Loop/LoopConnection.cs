using System.Buffers;
using System.Net;
using System.Runtime.Versioning;

namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// One proxied connection served by an <see cref="EventLoop"/> from accept to close: backend
/// selection (the same <see cref="TcpBackendDialer"/> rules), a non-blocking connect with timeout and
/// retries, the outbound PROXY header, then copying both ways. Everything touching its two
/// descriptors runs on its loop's thread; other threads only set request flags and post it.
/// <para>
/// Both descriptors are registered once, edge-triggered, for input, output and peer hang-up, and
/// never modified: the connection keeps each side's readiness in <see cref="Side"/> (set by events,
/// cleared when a call would block), so backpressure costs no epoll_ctl. A receive goes into the
/// loop's scratch buffer and is sent on at once; only bytes the other side cannot take yet are copied
/// into a pooled buffer, which goes back as soon as they are sent, so an idle pair holds no buffer.
/// </para>
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LoopConnection : LoopHandler, ITcpConnection
{
    private const int ClientSide = 0;
    private const int BackendSide = 1;
    private const uint Events = LibC.EpollIn | LibC.EpollOut | LibC.EpollRdHup | LibC.EpollEt;
    private const uint HangUp = LibC.EpollRdHup | LibC.EpollHup | LibC.EpollErr;

    /// <summary>Receives per direction before yielding to other connections on the loop (1 MiB of 64 KiB chunks).</summary>
    private const int ChunkBudget = 16;

    private const int RequestAbort = 1;
    private const int RequestCloseIdle = 2;
    private const int RequestCancelSetup = 4;
    private const int RequestQueueDone = 8;

    private readonly TcpListenerRuntime _listener;
    private readonly EventLoop _loop;
    private readonly IPEndPoint _remote;
    private Side _client;
    private Side _backendSide;
    private Flow _up;
    private Flow _down;
    private TcpPoolRuntime? _pool;
    private TcpSelection _selection;
    private List<TcpBackendRuntime>? _tried;
    private DateTimeOffset _queueDeadline;
    private int _attempt;
    private long _connectCookie;
    private bool _counted;
    private volatile int _state;
    private int _requests;
    private int _queueResult;
    private long _lastActivityMs = Environment.TickCount64;

    public LoopConnection(TcpListenerRuntime listener, EventLoop loop, int clientFd, IPEndPoint remote)
    {
        _listener = listener;
        _loop = loop;
        _remote = remote;
        _client = new Side(clientFd);
        _backendSide = new Side(-1);
    }

    private enum State
    {
        Dialing,
        Queued,
        Connecting,
        Pumping,
        Closed,
    }

    private enum Step
    {
        Wait,
        Budget,
        Reset,
    }

    public bool IsPumping => _state == (int)State.Pumping;

    private State Current
    {
        get => (State)_state;
        set => _state = (int)value;
    }

    public bool IsIdle(long nowMs, long timeoutMs) => nowMs - Volatile.Read(ref _lastActivityMs) >= timeoutMs;

    public void Abort() => Request(RequestAbort);

    public void CloseIdle() => Request(RequestCloseIdle);

    public void CancelSetup() => Request(RequestCancelSetup);

    /// <summary>On the loop thread, right after accept; the listener slot is already held.</summary>
    public void Start()
    {
        _client.Slot = _loop.Add(_client.Fd, Events, this, ClientSide);
        if (_client.Slot < 0)
        {
            Close(reset: true);
            return;
        }

        LibC.SetInt(_client.Fd, LibC.IpProtoTcp, LibC.TcpNoDelay, 1);
        _pool = _listener.Services.Pools.Find(_listener.Options.Pool);
        if (_pool is null)
        {
            Refuse();
            return;
        }

        _queueDeadline = _listener.Services.Time.GetUtcNow() + _pool.Options.Queue.Timeout;
        Dial();
    }

    public override void OnEvent(EventLoop loop, uint events, int side)
    {
        ref var end = ref side == ClientSide ? ref _client : ref _backendSide;
        if ((events & HangUp) != 0)
        {
            end.HungUp = true;
            end.Readable = true; // read until the FIN or the error shows itself
        }

        if ((events & LibC.EpollIn) != 0)
        {
            end.Readable = true;
        }

        if ((events & LibC.EpollOut) != 0)
        {
            end.Writable = true;
        }

        switch (Current)
        {
            case State.Connecting when side == BackendSide:
                FinishConnect(events);
                break;
            case State.Pumping when (events & LibC.EpollErr) != 0:
                Close(reset: true); // a reset (or a dead peer) cuts both sides at once, even with bytes still queued for the other
                break;
            case State.Pumping:
                Pump();
                break;
            default:
                break; // readiness is kept for when the pump starts
        }
    }

    public override void OnTimer(EventLoop loop, long cookie)
    {
        if (Current == State.Connecting && cookie == _connectCookie)
        {
            ConnectFailed(); // ConnectTimeout passed
        }
    }

    public override void OnResume(EventLoop loop)
    {
        if (Current == State.Pumping)
        {
            Pump();
        }
    }

    public override void OnRequest(EventLoop loop)
    {
        var requests = Interlocked.Exchange(ref _requests, 0);
        var state = Current;
        if (state == State.Closed)
        {
            return;
        }

        if ((requests & RequestAbort) != 0 || ((requests & RequestCancelSetup) != 0 && state != State.Pumping))
        {
            Close(reset: true);
        }
        else if ((requests & RequestCloseIdle) != 0 && state == State.Pumping)
        {
            // As the socket engine does: a FIN both ways, then the connection is done.
            LibC.Shutdown(_client.Fd, LibC.ShutRdWr);
            LibC.Shutdown(_backendSide.Fd, LibC.ShutRdWr);
            Close(reset: false);
        }
        else if ((requests & RequestQueueDone) != 0 && state == State.Queued)
        {
            switch (Volatile.Read(ref _queueResult))
            {
                case 1:
                    Dial();
                    break;
                case 2:
                    Refuse();
                    break;
                default:
                    Close(reset: true); // the listener is stopping
                    break;
            }
        }
    }

    public override void OnFault(EventLoop loop) => Close(reset: true);

    public override void OnLoopStopping(EventLoop loop) => Close(reset: true);

    private void Request(int flag)
    {
        Interlocked.Or(ref _requests, flag);
        _loop.Post(this); // false: the loop stopped and closed this connection already
    }

    /// <summary>Picks a backend and connects, or joins the pool's queue, or refuses.</summary>
    private void Dial()
    {
        var pool = _pool!;
        Current = State.Dialing;
        var selection = _listener.Dialer.TrySelect(pool, _remote.Address, _tried);
        switch (selection.Outcome)
        {
            case TcpSelectionOutcome.Picked:
                Connect(selection);
                break;
            case TcpSelectionOutcome.AllFull:
                EnterQueue(pool);
                break;
            default:
                Refuse();
                break;
        }
    }

    /// <summary>Every eligible backend is full: wait in the pool's queue off the loop, then come back through a request.</summary>
    private void EnterQueue(TcpPoolRuntime pool)
    {
        var services = _listener.Services;
        var waiter = pool.Queue.TryEnter(pool.Options.Queue.MaxLength);
        if (waiter is null)
        {
            Refuse();
            return;
        }

        // A slot may have freed between the last try and joining the queue.
        var late = services.Selector.Select(pool, _remote.Address, _tried, services.Time.GetUtcNow());
        var remaining = _queueDeadline - services.Time.GetUtcNow();
        if (late.Outcome != TcpSelectionOutcome.AllFull || remaining <= TimeSpan.Zero)
        {
            pool.Queue.Leave();
            if (late.Outcome == TcpSelectionOutcome.Picked)
            {
                Connect(late);
            }
            else
            {
                Refuse();
            }

            return;
        }

        Current = State.Queued;
        _ = pool.Queue.WaitAsync(waiter, remaining, services.Time, _listener.Stopping).ContinueWith(
            static (wait, state) =>
            {
                var connection = (LoopConnection)state!;
                connection._pool!.Queue.Leave();
                Volatile.Write(ref connection._queueResult, wait.IsCompletedSuccessfully ? (wait.Result ? 1 : 2) : 3);
                connection.Request(RequestQueueDone);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Connect(TcpSelection selection)
    {
        _selection = selection;
        Current = State.Connecting;
        var endpoint = selection.Backend!.EndPoint;
        var family = endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? LibC.AfInet : LibC.AfInet6;
        var fd = LibC.Socket(family, LibC.SockStream | LibC.SockNonBlock | LibC.SockCloexec, 0);
        if (fd < 0)
        {
            ConnectFailed(); // out of descriptors, as a failed connect
            return;
        }

        _backendSide = new Side(fd);
        LibC.SetInt(fd, LibC.IpProtoTcp, LibC.TcpNoDelay, 1);
        var address = stackalloc byte[SockAddr.MaxLength];
        var length = SockAddr.Write(endpoint, new Span<byte>(address, SockAddr.MaxLength));
        var connected = LibC.Connect(fd, address, length) == 0;
        if (!connected && LibC.Errno != LibC.EInProgress)
        {
            ConnectFailed();
            return;
        }

        _backendSide.Slot = _loop.Add(fd, Events, this, BackendSide);
        if (_backendSide.Slot < 0)
        {
            ConnectFailed();
            return;
        }

        if (connected)
        {
            Connected();
            return;
        }

        var timeout = (long)_pool!.Options.ConnectTimeout.TotalMilliseconds;
        _loop.Schedule(this, Environment.TickCount64 + timeout, ++_connectCookie);
    }

    private void FinishConnect(uint events)
    {
        var error = LibC.SocketError(_backendSide.Fd);
        if (error == 0 && (events & LibC.EpollOut) != 0)
        {
            Connected();
        }
        else if (error != 0 || (events & (LibC.EpollErr | LibC.EpollHup)) != 0)
        {
            ConnectFailed();
        }
    }

    private void ConnectFailed()
    {
        CloseBackend(reset: false);
        var backend = _selection.Backend!;
        var retry = _listener.Dialer.ConnectFailed(_pool!, backend, _attempt);
        _selection = default;
        if (!retry)
        {
            Refuse();
            return;
        }

        (_tried ??= []).Add(backend);
        _attempt++;
        Dial();
    }

    private void Connected()
    {
        var services = _listener.Services;
        var pool = _pool!;
        var backend = _selection.Backend!;
        _listener.Dialer.Connected(pool, _selection, _remote.Address);
        services.Counts.Add(backend.Key, 1);
        _counted = true;
        _connectCookie++; // the connect timer, when it fires, finds nothing to do

        var version = pool.Options.SendProxyProtocol;
        if (ProxyHeaderWriter.Wanted(version))
        {
            var header = ArrayPool<byte>.Shared.Rent(ProxyHeaderWriter.MaxLength);
            _up = new Flow { Buffer = header, End = ProxyHeaderWriter.WriteFor(version, header, _remote, LocalEndPoint(_client.Fd)) };
        }

        _backendSide.Writable = true; // the connect's EPOLLOUT; a send that would block clears it
        _client.Writable = true;
        Touch();
        Current = State.Pumping;
        Pump();
    }

    /// <summary>Moves bytes both ways as far as readiness allows; closes when both directions are done or one failed.</summary>
    private void Pump()
    {
        var upStep = Move(ref _up, ref _client, ref _backendSide);
        var downStep = upStep == Step.Reset ? Step.Reset : Move(ref _down, ref _backendSide, ref _client);
        if (upStep == Step.Reset || downStep == Step.Reset)
        {
            Close(reset: true); // a reset on either side travels on as a reset
        }
        else if (_up.Done && _down.Done)
        {
            Close(reset: false);
        }
        else if (upStep == Step.Budget || downStep == Step.Budget)
        {
            _loop.Resume(this);
        }
    }

    /// <summary>One direction: flush what is pending, then receive and send on until a side would block.</summary>
    private Step Move(ref Flow flow, ref Side source, ref Side target)
    {
        var budget = ChunkBudget;
        while (true)
        {
            if (flow.Buffer is not null)
            {
                if (!target.Writable)
                {
                    return Step.Wait; // EPOLLOUT on the target resumes us
                }

                var sent = SendSome(target.Fd, flow.Buffer, flow.Start, flow.End - flow.Start);
                if (sent < 0)
                {
                    return Step.Reset;
                }

                flow.Start += sent;
                if (flow.Start < flow.End)
                {
                    target.Writable = sent > 0; // try again once; a call that moved nothing waits for EPOLLOUT
                    continue;
                }

                ArrayPool<byte>.Shared.Return(flow.Buffer);
                flow.Buffer = null;
                flow.Start = flow.End = 0;
            }

            if (flow.SourceFinished)
            {
                if (!flow.Done)
                {
                    LibC.Shutdown(target.Fd, LibC.ShutWr); // pass the half-close on
                    flow.Done = true;
                }

                return Step.Wait;
            }

            if (!source.Readable)
            {
                return Step.Wait;
            }

            if (budget-- == 0)
            {
                return Step.Budget;
            }

            var scratch = _loop.Scratch;
            nint read;
            fixed (byte* p = scratch)
            {
                read = LibC.Recv(source.Fd, p, (nuint)scratch.Length, 0);
            }

            if (read < 0)
            {
                var errno = LibC.Errno;
                if (errno == LibC.EAgain)
                {
                    source.Readable = false;
                    return Step.Wait;
                }

                if (errno == LibC.EIntr)
                {
                    continue;
                }

                return Step.Reset;
            }

            if (read == 0)
            {
                flow.SourceFinished = true;
                continue;
            }

            Touch();
            if (read < scratch.Length && !source.HungUp)
            {
                // A short read emptied the receive queue; with edge triggering, new bytes raise a new event.
                source.Readable = false;
            }

            var n = (int)read;
            var done = target.Writable ? SendSome(target.Fd, scratch, 0, n) : 0;
            if (done < 0)
            {
                return Step.Reset;
            }

            if (done < n)
            {
                // The target is full: keep the rest in a pooled buffer until EPOLLOUT.
                var rest = ArrayPool<byte>.Shared.Rent(n - done);
                scratch.AsSpan(done, n - done).CopyTo(rest);
                flow.Buffer = rest;
                flow.Start = 0;
                flow.End = n - done;
                target.Writable = done > 0;
            }
        }
    }

    /// <summary>Bytes sent (0 when the socket is full, clearing nothing), or -1 when the send failed (reset, broken pipe).</summary>
    private static int SendSome(int fd, byte[] buffer, int offset, int count)
    {
        while (true)
        {
            nint sent;
            fixed (byte* p = buffer)
            {
                sent = LibC.Send(fd, p + offset, (nuint)count, LibC.MsgNoSignal);
            }

            if (sent >= 0)
            {
                return (int)sent;
            }

            var errno = LibC.Errno;
            if (errno == LibC.EAgain)
            {
                return 0;
            }

            if (errno != LibC.EIntr)
            {
                return -1;
            }
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivityMs, Environment.TickCount64);

    private void Refuse()
    {
        _listener.RecordRefused();
        TcpLog.ConnectionRefused(_listener.Services.Logger, _listener.Name, _remote.ToString(), "no backend of the pool could take the connection");
        Close(reset: true);
    }

    /// <summary>Ends the connection and gives back everything it took, exactly once.</summary>
    private void Close(bool reset)
    {
        if (Current == State.Closed)
        {
            return;
        }

        Current = State.Closed;
        if (_client.Fd >= 0)
        {
            if (reset)
            {
                LibC.SetZeroLinger(_client.Fd); // close() sends RST, as the peer we relay for did
            }

            LibC.Close(_client.Fd);
            if (_client.Slot >= 0)
            {
                _loop.FreeSlot(_client.Slot);
            }

            _client = new Side(-1);
        }

        CloseBackend(reset);
        ReturnBuffer(ref _up);
        ReturnBuffer(ref _down);
        if (_selection.Backend is { } backend)
        {
            // Connected, or cut while connecting: the backend's slot goes back either way.
            if (_counted)
            {
                _listener.Services.Counts.Add(backend.Key, -1);
            }

            backend.Core.Release();
            _pool!.SignalSlotFreed();
            _selection = default;
        }

        _listener.ReleaseSlot();
        _listener.Forget(this);
    }

    private void CloseBackend(bool reset)
    {
        if (_backendSide.Fd < 0)
        {
            return;
        }

        if (reset)
        {
            LibC.SetZeroLinger(_backendSide.Fd);
        }

        LibC.Close(_backendSide.Fd);
        if (_backendSide.Slot >= 0)
        {
            _loop.FreeSlot(_backendSide.Slot);
        }

        _backendSide = new Side(-1);
    }

    private static void ReturnBuffer(ref Flow flow)
    {
        if (flow.Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(flow.Buffer);
            flow.Buffer = null;
        }
    }

    private static IPEndPoint? LocalEndPoint(int fd)
    {
        var address = stackalloc byte[SockAddr.MaxLength];
        var length = SockAddr.MaxLength;
        return LibC.GetSockName(fd, address, &length) == 0 ? SockAddr.Read(new ReadOnlySpan<byte>(address, length)) : null;
    }

    /// <summary>One descriptor and what is known of its readiness.</summary>
    private struct Side(int fd)
    {
        public int Fd = fd;
        public int Slot = -1;
        public bool Readable;
        public bool Writable;

        /// <summary>The peer finished or failed: keep reading until the FIN or the error shows, whatever a read's size.</summary>
        public bool HungUp;
    }

    /// <summary>One direction: bytes received but not yet sent on (pooled, only while the target is full), and the FIN.</summary>
    private struct Flow
    {
        public byte[]? Buffer;
        public int Start;
        public int End;
        public bool SourceFinished;

        /// <summary>The source finished and the half-close was passed on.</summary>
        public bool Done;
    }
}
