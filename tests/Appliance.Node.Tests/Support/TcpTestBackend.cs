using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// A raw TCP backend on loopback for the layer-4 tests. By default it writes its name and a newline,
/// then echoes everything back and passes the client's FIN on; tests may give their own handler.
/// <see cref="Kill"/> resets every open connection and stops listening (a backend dying mid-stream).
/// </summary>
internal sealed class TcpTestBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<TcpTestBackend, Socket, Task> _handler;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;
    private int _accepted;

    private TcpTestBackend(string name, Func<TcpTestBackend, Socket, Task> handler, int backlog)
    {
        Name = name;
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(backlog);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    public string Name { get; }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Connections accepted since start.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections open now.</summary>
    public int Open => _open.Count;

    /// <summary>What handlers want to report to the test (e.g. the first bytes they received).</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    public static TcpTestBackend Start(string name, Func<TcpTestBackend, Socket, Task>? handler = null, int backlog = 1024) =>
        new(name, handler ?? NameThenEcho, backlog);

    /// <summary>The default handler: the backend's name and "\n", then an echo until the client's FIN, then a FIN.</summary>
    public static async Task NameThenEcho(TcpTestBackend backend, Socket socket)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(backend.Name + "\n"));
        await Echo(socket);
    }

    /// <summary>Echoes until the FIN, then sends a FIN back.</summary>
    public static async Task Echo(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, n));
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Resets every open connection and stops accepting.</summary>
    public void Kill()
    {
        _listener.Dispose();
        foreach (var socket in _open.Keys)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (ObjectDisposedException)
            {
                // Its handler finished meanwhile.
            }

            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _open.TryAdd(socket, 0);
            _ = RunAsync(socket);
        }
    }

    private async Task RunAsync(Socket socket)
    {
        try
        {
            await _handler(this, socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Reset by the peer or killed by the test.
        }
        finally
        {
            _open.TryRemove(socket, out _);
            socket.Dispose();
        }
    }
}
