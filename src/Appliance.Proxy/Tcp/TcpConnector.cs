using System.Net;
using System.Net.Sockets;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Opens a connection to a backend within a timeout. A failure is a value (null), not an exception.
/// The connect runs on event args of its own that are dropped afterwards: Socket's task-based
/// connect would leave its send event args cached on every backend socket, a few hundred bytes
/// that an idle connection never uses (the first real send creates them when needed).
/// </summary>
internal static class TcpConnector
{
    /// <summary>The connected socket, or null when the backend refused, was unreachable or took longer than <paramref name="timeout"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled (the listener is stopping).</exception>
    public static async Task<Socket?> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken stop)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var args = new ConnectArgs { RemoteEndPoint = endpoint };
        var connected = false;
        try
        {
            if (!socket.ConnectAsync(args))
            {
                args.Done.TrySetResult();
            }

            try
            {
                await args.Done.Task.WaitAsync(timeout, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                Socket.CancelConnectAsync(args);
                await args.Done.Task.ConfigureAwait(false); // the args must be idle before they are disposed
                stop.ThrowIfCancellationRequested();
                return null;
            }

            connected = args.SocketError == SocketError.Success;
            return connected ? socket : null;
        }
        finally
        {
            if (!connected)
            {
                socket.Dispose();
            }
        }
    }

    private sealed class ConnectArgs : SocketAsyncEventArgs
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override void OnCompleted(SocketAsyncEventArgs e) => Done.TrySetResult();
    }
}
