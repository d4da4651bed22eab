namespace Appliance.Proxy.Tcp;

/// <summary>
/// One proxied connection as its listener tracks it (idle sweep, drain, stop), whichever engine
/// serves it: <see cref="TcpSession"/> on .NET sockets or <see cref="Loop.LoopConnection"/> on an
/// event loop. Every member may be called from any thread and never throws.
/// </summary>
internal interface ITcpConnection
{
    /// <summary>True once bytes flow; only then does the idle timeout apply (setup has its own timeouts).</summary>
    bool IsPumping { get; }

    /// <summary>True when nothing moved for at least <paramref name="timeoutMs"/> up to <paramref name="nowMs"/>.</summary>
    bool IsIdle(long nowMs, long timeoutMs);

    /// <summary>Cuts the connection with a reset on both sides (drain timeout passed).</summary>
    void Abort();

    /// <summary>Closes an idle connection cleanly: a FIN to both sides.</summary>
    void CloseIdle();

    /// <summary>The listener stopped: a connection not yet forwarded (queued, connecting) gives up with a reset.</summary>
    void CancelSetup();
}
