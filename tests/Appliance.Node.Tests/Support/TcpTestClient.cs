using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>Raw socket helpers for the layer-4 tests; every wait is bounded.</summary>
internal static class TcpTestClient
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>, optionally from a given loopback source address.</summary>
    public static async Task<Socket> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        using var cancel = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancel.Token);
        return socket;
    }

    /// <summary>Reads one line (the backend's greeting) without reading past it.</summary>
    public static async Task<string> ReadLineAsync(Socket socket)
    {
        using var cancel = new CancellationTokenSource(Bound);
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            var n = await socket.ReceiveAsync(one, SocketFlags.None, cancel.Token);
            if (n == 0 || one[0] == '\n')
            {
                return line.ToString();
            }

            line.Append((char)one[0]);
        }
    }

    /// <summary>Sends a line and reads its echo.</summary>
    public static async Task<string> RoundTripAsync(Socket socket, string text)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(text + "\n"));
        return await ReadLineAsync(socket);
    }

    /// <summary>Connects and returns the name of the backend that greets.</summary>
    public static async Task<string> BackendNameAsync(int port, IPAddress? from = null)
    {
        using var socket = await ConnectAsync(port, from);
        return await ReadLineAsync(socket);
    }

    /// <summary>
    /// How the connection ends from the client's side: "fin" (clean end of stream), "reset", or
    /// "open" when nothing happened within <paramref name="within"/>. Bytes arriving before the end are returned.
    /// </summary>
    public static async Task<(string End, byte[] Data)> WaitForEndAsync(Socket socket, TimeSpan? within = null)
    {
        using var cancel = new CancellationTokenSource(within ?? Bound);
        var data = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (n == 0)
                {
                    return ("fin", data.ToArray());
                }

                data.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
            return ("open", data.ToArray());
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ("reset", data.ToArray());
        }
    }

    /// <summary>
    /// Connects and reports how the new connection ends (see <see cref="WaitForEndAsync"/>). A reset
    /// that beats the connect's own completion counts as "reset" too.
    /// </summary>
    public static async Task<string> EndOfNewConnectionAsync(int port)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "reset";
        }

        using (socket)
        {
            return (await WaitForEndAsync(socket)).End;
        }
    }

    /// <summary>Open file descriptors of this process.</summary>
    public static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
