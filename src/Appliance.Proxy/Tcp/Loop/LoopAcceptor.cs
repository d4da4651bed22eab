using System.Runtime.Versioning;

namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// Accepts on one listening socket for one event loop; every loop has one per socket, so the
/// connection is owned from its first moment by the loop that accepted it (no hand-off). The
/// listening descriptor is shared: registered level-triggered with EPOLLEXCLUSIVE (the kernel wakes
/// one waiting loop rather than all) and non-blocking (a loop that loses the race gets EAGAIN). It is
/// closed by the listener only after every loop has removed it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LoopAcceptor(TcpListenerRuntime listener, EventLoop loop, int fd) : LoopHandler
{
    /// <summary>Accepts per wake-up before the loop serves its connections again.</summary>
    private const int Batch = 32;

    /// <summary>Pause after a failure such as running out of descriptors (the socket engine's accept loop waits as long).</summary>
    private const int BackoffMs = 10;

    private const int AddressRoom = 128; // sizeof(struct sockaddr_storage)

    private readonly TaskCompletionSource _removed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _slot = -1;
    private bool _stopped;

    public void Start()
    {
        if (!loop.Post(_ => Register()))
        {
            _removed.TrySetResult();
        }
    }

    /// <summary>Stops accepting on this loop; completes once the loop no longer watches the descriptor.</summary>
    public Task StopAsync()
    {
        if (!loop.Post(_ => Unregister()))
        {
            _removed.TrySetResult(); // the loop has ended and let go of everything
        }

        return _removed.Task;
    }

    public override void OnEvent(EventLoop loop, uint events, int side)
    {
        if (listener.IsStopping)
        {
            Unregister(); // the listening socket was shut down: nothing more to accept
            return;
        }

        var address = stackalloc byte[AddressRoom];
        for (var i = 0; i < Batch && !_stopped; i++)
        {
            var length = AddressRoom;
            var accepted = LibC.Accept4(fd, address, &length, LibC.SockNonBlock | LibC.SockCloexec);
            if (accepted >= 0)
            {
                listener.OnLoopAccept(loop, accepted, SockAddr.Read(new ReadOnlySpan<byte>(address, Math.Min(length, AddressRoom))));
                continue;
            }

            var errno = LibC.Errno;
            if (errno == LibC.EAgain)
            {
                return; // another loop took it, or nothing is left
            }

            if (errno is LibC.EIntr or LibC.EConnAborted)
            {
                continue; // a connection reset before accept: take the next
            }

            // Out of descriptors or memory: stop watching for a moment, or the level-triggered socket spins the loop.
            TcpLog.AcceptFailed(listener.Services.Logger, listener.Name, $"errno {errno}");
            loop.Remove(fd, _slot);
            _slot = -1;
            loop.Schedule(this, Environment.TickCount64 + BackoffMs, 0);
            return;
        }
    }

    public override void OnTimer(EventLoop loop, long cookie) => Register();

    public override void OnLoopStopping(EventLoop loop) => Unregister();

    public override void OnFault(EventLoop loop) => Unregister();

    private void Register()
    {
        if (_stopped || _slot >= 0)
        {
            return;
        }

        _slot = loop.Add(fd, LibC.EpollIn | LibC.EpollExclusive, this, 0);
        if (_slot < 0 && LibC.Errno == LibC.EInval)
        {
            _slot = loop.Add(fd, LibC.EpollIn, this, 0); // kernels before 4.5 lack EPOLLEXCLUSIVE: every loop wakes, one wins
        }

        if (_slot < 0)
        {
            TcpLog.AcceptFailed(listener.Services.Logger, listener.Name, $"epoll_ctl errno {LibC.Errno}");
            loop.Schedule(this, Environment.TickCount64 + BackoffMs, 0);
        }
    }

    private void Unregister()
    {
        _stopped = true;
        if (_slot >= 0)
        {
            loop.Remove(fd, _slot);
            _slot = -1;
        }

        _removed.TrySetResult();
    }
}
