using System.Net.Sockets;

namespace Appliance.Proxy.Tcp;

/// <summary>A connected socket as an <see cref="ITcpEnd"/>; operations go straight to the socket's cached event args.</summary>
internal sealed class SocketEnd(Socket socket) : ITcpEnd
{
    public Socket Socket { get; } = socket;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => Socket.ReceiveAsync(buffer, SocketFlags.None);

    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data) => Socket.SendAsync(data, SocketFlags.None);

    public void ShutdownSend()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed: there is no one left to tell.
        }
    }

    public void Abort()
    {
        try
        {
            // A zero linger makes close() send RST instead of FIN, as the peer we relay for did.
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed already.
        }

        Socket.Dispose();
    }

    public void Shutdown()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset or closed already.
        }
    }

    public void Dispose() => Socket.Dispose();
}
