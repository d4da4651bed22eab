using System.Net;
using System.Net.Sockets;

namespace Appliance.Proxy.Tcp;

/// <summary>Opens a connection to a backend within a timeout. A failure is a value (null), not an exception.</summary>
internal static class TcpConnector
{
    /// <summary>The connected socket, or null when the backend refused, was unreachable or took longer than <paramref name="timeout"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled (the listener is stopping).</exception>
    public static async Task<Socket?> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken stop)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            stop.ThrowIfCancellationRequested();
            return null;
        }
    }
}
