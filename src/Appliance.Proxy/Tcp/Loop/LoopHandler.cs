namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// Something an <see cref="EventLoop"/> calls back, always on the loop's own thread: readiness of a
/// descriptor it registered, a timer it set, a request other threads posted for it. The base does
/// nothing, so each handler overrides what it uses.
/// </summary>
internal abstract class LoopHandler
{
    /// <summary>Readiness (epoll flags) of the descriptor registered with <paramref name="side"/>.</summary>
    public virtual void OnEvent(EventLoop loop, uint events, int side)
    {
    }

    /// <summary>A timer set with <see cref="EventLoop.Schedule"/> is due; <paramref name="cookie"/> tells a stale one apart.</summary>
    public virtual void OnTimer(EventLoop loop, long cookie)
    {
    }

    /// <summary>Another thread posted this handler (<see cref="EventLoop.Post"/>); it reads its own request flags.</summary>
    public virtual void OnRequest(EventLoop loop)
    {
    }

    /// <summary>Called again after <see cref="EventLoop.Resume"/>: the handler stopped early to let others run.</summary>
    public virtual void OnResume(EventLoop loop)
    {
    }

    /// <summary>A callback threw: the handler must end what it holds. Never throws.</summary>
    public virtual void OnFault(EventLoop loop)
    {
    }

    /// <summary>The loop is shutting down with the handler still registered: close everything now.</summary>
    public virtual void OnLoopStopping(EventLoop loop)
    {
    }
}
