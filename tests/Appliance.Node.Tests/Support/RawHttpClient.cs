using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// One kept-alive client connection on a raw socket to 127.0.0.1: requests written byte for byte,
/// responses read one after the other, so a test sees exactly what came back on that connection
/// and whether it is still usable.
/// </summary>
internal sealed class RawHttpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly RawHttpReader _reader;
    private readonly CancellationTokenSource _timeout;

    private RawHttpClient(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _reader = new RawHttpReader(socket);
        _timeout = new CancellationTokenSource(timeout);
    }

    /// <summary>Connects; every read on it fails once <paramref name="timeout"/> (default 30 s) has passed.</summary>
    public static async Task<RawHttpClient> ConnectAsync(int port, TimeSpan? timeout = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawHttpClient(socket, timeout ?? TimeSpan.FromSeconds(30));
    }

    public async Task SendAsync(string latin1)
    {
        var bytes = Encoding.Latin1.GetBytes(latin1);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, _timeout.Token);
        }
    }

    /// <summary>The next response (null when the server closed first); <paramref name="toHead"/> when it answers a HEAD.</summary>
    public Task<RawHttpMessage?> ReadResponseAsync(bool toHead = false) => _reader.ReadResponseAsync(toHead, _timeout.Token);

    /// <summary>Sends a request and reads its response, which must come.</summary>
    public async Task<RawHttpMessage> ExchangeAsync(string request)
    {
        await SendAsync(request);
        return await ReadResponseAsync(request.StartsWith("HEAD ", StringComparison.Ordinal))
            ?? throw new IOException("the server closed the connection instead of answering:\n" + request);
    }

    public RawHttpReader Reader => _reader;

    public CancellationToken Timeout => _timeout.Token;

    /// <summary>Bytes that arrived and were not read as part of a response (a stray body, say).</summary>
    public int Unread => _reader.Buffered + _socket.Available;

    public void Dispose()
    {
        _socket.Dispose();
        _timeout.Dispose();
    }
}
