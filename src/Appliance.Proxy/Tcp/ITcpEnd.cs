namespace Appliance.Proxy.Tcp;

/// <summary>
/// One side of a proxied TCP connection as the pump sees it. Sockets implement it for real
/// traffic (<see cref="SocketEnd"/>), in-memory pipes for tests. Receive and send fail by throwing
/// (the pump treats any failure as a reset), so the hot path passes the socket's own
/// <see cref="ValueTask{TResult}"/> through without wrapping or allocating.
/// </summary>
internal interface ITcpEnd : IDisposable
{
    /// <summary>
    /// Receives into <paramref name="buffer"/>; 0 means the peer finished sending (FIN). An empty
    /// buffer waits until data or the FIN is there without taking any, so an idle connection holds no buffer.
    /// </summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    ValueTask<int> SendAsync(ReadOnlyMemory<byte> data);

    /// <summary>Passes a half-close on: no more bytes will be sent (FIN). Never throws.</summary>
    void ShutdownSend();

    /// <summary>Ends the connection with a reset (RST), failing pending operations. Never throws.</summary>
    void Abort();

    /// <summary>
    /// Sends a FIN and stops receiving: a pending receive ends as if the peer had finished, so the
    /// pump winds down by itself. Used to close idle connections cleanly. Never throws.
    /// </summary>
    void Shutdown();
}
