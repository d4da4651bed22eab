using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// One thread with its own epoll instance: it waits for readiness, runs the handlers whose
/// descriptors are ready, due timers, and requests other threads posted. The ownership rule that
/// keeps descriptors safe: a descriptor registered here is read, written, shut down and closed only
/// by this thread; other threads set a request flag on the handler and <see cref="Post"/> it, which
/// wakes the loop through an eventfd. A closed descriptor's number may be reused at once by a new
/// connection, but events carry a generation-checked <see cref="LoopToken"/>, never the number.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class EventLoop : IDisposable
{
    /// <summary>Size of the loop's read buffer: what one receive takes at most.</summary>
    public const int ScratchSize = TcpPump.BufferSize;

    private const int MaxEvents = 256;
    private const int WaitCapMs = 1000;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly byte* _events;
    private readonly ConcurrentQueue<LoopHandler> _requests = new();
    private readonly Queue<LoopHandler> _again = new();
    private readonly PriorityQueue<(LoopHandler Handler, long Cookie), long> _timers = new();
    private readonly Stack<int> _freeSlots = new();
    private Entry[] _entries = new Entry[64];
    private int _usedSlots;
    private int _wakePending;
    private int _closed;
    private bool _stopRequested;

    private EventLoop(int epoll, int wake, int index, ILogger logger)
    {
        _epoll = epoll;
        _wake = wake;
        _logger = logger;
        _events = (byte*)NativeMemory.Alloc(MaxEvents, (nuint)LibC.EpollEventSize);
        Scratch = GC.AllocateArray<byte>(ScratchSize, pinned: true);
        _thread = new Thread(Run) { IsBackground = true, Name = $"tcp-loop-{index}" };
    }

    /// <summary>
    /// The loop's own buffer for a receive that is sent on at once; pinned, and only ever used on
    /// the loop thread within one callback, so no copy buffer is held between events.
    /// </summary>
    public byte[] Scratch { get; }

    /// <summary>True on the loop's thread (the only one allowed to touch its descriptors).</summary>
    public bool OnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Starts a loop; null when epoll or eventfd are unavailable (the caller keeps the .NET socket path).</summary>
    public static EventLoop? TryStart(int index, ILogger logger)
    {
        int epoll, wake;
        try
        {
            epoll = LibC.EpollCreate1(LibC.EpollCloexec);
            if (epoll < 0)
            {
                return null;
            }

            wake = LibC.EventFd(0, LibC.EfdNonBlock | LibC.EfdCloexec);
            if (wake < 0 || LibC.EpollCtl(epoll, LibC.EpollCtlAdd, wake, LibC.EpollIn, LoopToken.Wake) != 0)
            {
                if (wake >= 0)
                {
                    LibC.Close(wake);
                }

                LibC.Close(epoll);
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        var loop = new EventLoop(epoll, wake, index, logger);
        loop._thread.Start();
        return loop;
    }

    /// <summary>Registers <paramref name="fd"/> for <paramref name="events"/>; the slot to free when it closes, or -1 (errno set).</summary>
    public int Add(int fd, uint events, LoopHandler handler, int side)
    {
        Debug.Assert(OnLoopThread, "descriptors are registered on their loop's thread");
        var slot = TakeSlot(handler);
        if (LibC.EpollCtl(_epoll, LibC.EpollCtlAdd, fd, events, LoopToken.Pack(slot, side, _entries[slot].Generation)) == 0)
        {
            return slot;
        }

        FreeSlot(slot);
        return -1;
    }

    /// <summary>Removes a registration explicitly (for descriptors the loop does not close, like a shared listening socket).</summary>
    public void Remove(int fd, int slot)
    {
        Debug.Assert(OnLoopThread, "descriptors are deregistered on their loop's thread");
        LibC.EpollCtl(_epoll, LibC.EpollCtlDel, fd, 0, 0);
        FreeSlot(slot);
    }

    /// <summary>
    /// Frees a slot whose descriptor was just closed (close removes it from epoll); events already
    /// queued for it are dropped by the generation check.
    /// </summary>
    public void FreeSlot(int slot)
    {
        Debug.Assert(OnLoopThread, "slots belong to the loop thread");
        ref var entry = ref _entries[slot];
        entry.Handler = null;
        entry.Generation = (entry.Generation + 1) & 0x7FFF_FFFF;
        _freeSlots.Push(slot);
    }

    /// <summary>Calls <paramref name="handler"/>'s <see cref="LoopHandler.OnTimer"/> at <paramref name="dueMs"/> (<see cref="Environment.TickCount64"/>).</summary>
    public void Schedule(LoopHandler handler, long dueMs, long cookie)
    {
        Debug.Assert(OnLoopThread, "timers are set on the loop thread");
        _timers.Enqueue((handler, cookie), dueMs);
    }

    /// <summary>Calls <paramref name="handler"/>'s <see cref="LoopHandler.OnResume"/> after the events ready now.</summary>
    public void Resume(LoopHandler handler)
    {
        Debug.Assert(OnLoopThread, "resumptions are queued on the loop thread");
        _again.Enqueue(handler);
    }

    /// <summary>
    /// From any thread: calls <paramref name="handler"/>'s <see cref="LoopHandler.OnRequest"/> on the
    /// loop thread soon. False when the loop has stopped (the request will not run).
    /// </summary>
    public bool Post(LoopHandler handler)
    {
        _requests.Enqueue(handler);
        if (Volatile.Read(ref _closed) != 0)
        {
            return false;
        }

        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            LibC.Write(_wake, (byte*)&one, sizeof(ulong));
        }

        return true;
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread; false when the loop has stopped.</summary>
    public bool Post(Action<EventLoop> action) => Post(new ActionRequest(action));

    /// <summary>Stops the loop: every handler still registered closes what it holds; waits for the thread.</summary>
    public void Dispose()
    {
        if (Post(static loop => loop._stopRequested = true) && !OnLoopThread)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }
    }

    private int TakeSlot(LoopHandler handler)
    {
        if (!_freeSlots.TryPop(out var slot))
        {
            if (_usedSlots == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            slot = _usedSlots++;
        }

        _entries[slot].Handler = handler;
        return slot;
    }

    private void Run()
    {
        while (!_stopRequested)
        {
            var timeout = _again.Count > 0 ? 0 : NextTimeout();
            var n = LibC.EpollWait(_epoll, _events, MaxEvents, timeout);
            if (n < 0)
            {
                var errno = LibC.Errno;
                if (errno != LibC.EIntr)
                {
                    TcpLog.LoopWaitFailed(_logger, errno);
                    Thread.Sleep(10); // not expected; do not spin
                }

                continue;
            }

            for (var i = 0; i < n; i++)
            {
                var ev = _events + (i * LibC.EpollEventSize);
                Dispatch(*(uint*)ev, *(ulong*)(ev + LibC.EpollDataOffset));
            }

            RunTimers();
            for (var pending = _again.Count; pending > 0 && _again.TryDequeue(out var handler); pending--)
            {
                Safely(handler, static (h, loop) => h.OnResume(loop));
            }
        }

        Shutdown();
    }

    private void Dispatch(uint events, ulong token)
    {
        if (token == LoopToken.Wake)
        {
            ulong value;
            LibC.Read(_wake, (byte*)&value, sizeof(ulong));
            Volatile.Write(ref _wakePending, 0); // before draining: a post from now on wakes us again
            DrainRequests();
            return;
        }

        var (slot, side, generation) = LoopToken.Unpack(token);
        if (slot >= _usedSlots)
        {
            return;
        }

        var entry = _entries[slot];
        if (entry.Handler is { } handler && entry.Generation == generation)
        {
            try
            {
                handler.OnEvent(this, events, side);
            }
#pragma warning disable CA1031 // one connection's bug must not stop the loop that serves the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                Fault(handler, e);
            }
        }
    }

    private void DrainRequests()
    {
        while (_requests.TryDequeue(out var handler))
        {
            Safely(handler, static (h, loop) => h.OnRequest(loop));
        }
    }

    private void RunTimers()
    {
        var now = Environment.TickCount64;
        while (_timers.TryPeek(out var timer, out var due) && due <= now)
        {
            _timers.Dequeue();
            try
            {
                timer.Handler.OnTimer(this, timer.Cookie);
            }
#pragma warning disable CA1031 // one connection's bug must not stop the loop that serves the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                Fault(timer.Handler, e);
            }
        }
    }

    private int NextTimeout()
    {
        if (!_timers.TryPeek(out _, out var due))
        {
            return -1;
        }

        return (int)Math.Clamp(due - Environment.TickCount64, 0, WaitCapMs);
    }

    private void Safely(LoopHandler handler, Action<LoopHandler, EventLoop> call)
    {
        try
        {
            call(handler, this);
        }
#pragma warning disable CA1031 // one connection's bug must not stop the loop that serves the others
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fault(handler, e);
        }
    }

    private void Fault(LoopHandler handler, Exception error)
    {
        TcpLog.LoopHandlerFailed(_logger, error);
        try
        {
            handler.OnFault(this);
        }
#pragma warning disable CA1031 // already logged; the handler promised not to throw here
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Shutdown()
    {
        Interlocked.Exchange(ref _closed, 1);
        for (var slot = 0; slot < _usedSlots; slot++)
        {
            if (_entries[slot].Handler is { } handler)
            {
                Safely(handler, static (h, loop) => h.OnLoopStopping(loop));
            }
        }

        DrainRequests(); // requests posted before _closed was set run; later posts return false
        LibC.Close(_wake);
        LibC.Close(_epoll);
        NativeMemory.Free(_events);
    }

    private struct Entry
    {
        public LoopHandler? Handler;
        public uint Generation;
    }

    private sealed class ActionRequest(Action<EventLoop> action) : LoopHandler
    {
        public override void OnRequest(EventLoop loop) => action(loop);
    }
}
