using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>A request a <see cref="RawHttpBackend"/> read, with the connection it came on (1, 2, ... in accept order).</summary>
internal sealed record RawHttpRequest(int Connection, RawHttpMessage Message)
{
    /// <summary>e.g. <c>GET /base/x?q=1 HTTP/1.1</c>.</summary>
    public string RequestLine => Message.StartLine;

    public string Target => RequestLine.Split(' ')[1];
}

/// <summary>One accepted connection of a <see cref="RawHttpBackend"/>, as the test's script sees it.</summary>
internal sealed class RawHttpConnection(Socket socket, int index, CancellationToken stopping)
{
    /// <summary>Cancelled when the backend stops: a script that holds an answer back waits on it.</summary>
    public CancellationToken Stopping { get; } = stopping;

    /// <summary>1 for the first connection the backend accepted, and so on.</summary>
    public int Index { get; } = index;

    /// <summary>Requests read on this connection so far, this one included.</summary>
    public int Requests { get; internal set; }

    /// <summary>Set by the script: close the connection (FIN) once it returns.</summary>
    public bool CloseAfterResponse { get; set; }

    public Task SendAsync(string latin1) => SendAsync(Encoding.Latin1.GetBytes(latin1));

    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }
}

/// <summary>
/// A scriptable HTTP/1.1 backend on raw sockets (127.0.0.1, any free port): it reads each request
/// (head and body), records it, and lets the test's script answer with whatever bytes it likes,
/// well-formed or not, then reads the next request on the same connection. With an idle timeout it
/// closes a kept-alive connection that stays quiet that long, as real servers do. Counts connections.
/// </summary>
internal sealed class RawHttpBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<RawHttpRequest, RawHttpConnection, Task> _script;
    private readonly TimeSpan? _idleTimeout;
    private readonly ConcurrentDictionary<Socket, Task> _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _connections;

    private RawHttpBackend(Func<RawHttpRequest, RawHttpConnection, Task> script, TimeSpan? idleTimeout)
    {
        _script = script;
        _idleTimeout = idleTimeout;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(256);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Connections accepted since start.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every request read, in arrival order.</summary>
    public ConcurrentQueue<RawHttpRequest> Requests { get; } = new();

    /// <summary>
    /// Starts answering with <paramref name="script"/>, which writes the response (any bytes) to the
    /// connection. With <paramref name="idleTimeout"/>, a connection with no new request for that long is closed.
    /// </summary>
    public static RawHttpBackend Start(Func<RawHttpRequest, RawHttpConnection, Task> script, TimeSpan? idleTimeout = null) =>
        new(script, idleTimeout);

    /// <summary>A script that answers every request with the same bytes.</summary>
    public static RawHttpBackend Always(string response, TimeSpan? idleTimeout = null) =>
        Start((_, c) => c.SendAsync(response), idleTimeout);

    /// <summary>A well-formed 200 with <paramref name="body"/> and a Content-Length, kept alive.</summary>
    public static string Ok(string body, string extraFields = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{extraFields}Content-Length: {Encoding.Latin1.GetByteCount(body)}\r\n\r\n{body}";

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            var index = Interlocked.Increment(ref _connections);
            _open[socket] = ServeAsync(socket, new RawHttpConnection(socket, index, _stopping.Token));
        }
    }

    private async Task ServeAsync(Socket socket, RawHttpConnection connection)
    {
        await Task.Yield();
        var reader = new RawHttpReader(socket);
        try
        {
            while (true)
            {
                var head = await reader.ReadHeadAsync(_stopping.Token, connection.Requests > 0 ? _idleTimeout : null);
                if (head is null)
                {
                    break; // the proxy closed, or the connection idled out
                }

                var body = await reader.ReadRequestBodyAsync(head, _stopping.Token);
                connection.Requests++;
                var request = new RawHttpRequest(connection.Index, new RawHttpMessage(head, body));
                Requests.Enqueue(request);
                await _script(request, connection);
                if (connection.CloseAfterResponse)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The proxy went away mid-exchange, or the backend is stopping.
        }
        finally
        {
            _open.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        foreach (var (socket, serving) in _open)
        {
            socket.Dispose();
            await serving.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }
}
