using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// Many concurrent client connections to a node's HTTP listener, held open: each connects (from one
/// of several loopback source addresses, so tens of thousands do not run out of ephemeral ports),
/// sends one keep-alive GET and reads its answer. A connection the node closes before answering
/// counts as refused. Bounded in count and time; every socket is closed on dispose.
/// </summary>
internal sealed class ClientSwarm : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ConcurrentBag<Socket> _held = [];
    private readonly int _port;
    private int _refused;
    private int _failed;

    private ClientSwarm(int port) => _port = port;

    /// <summary>Connections answered and still open.</summary>
    public int Served => _held.Count;

    /// <summary>Connections the node closed or reset before answering.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections that failed otherwise (connect timeout, a garbled answer).</summary>
    public int Failed => Volatile.Read(ref _failed);

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Sources 127.0.0.10.. (Linux routes all of 127/8 to the loopback interface).</summary>
    public static IReadOnlyList<IPAddress> Sources(int count) =>
        [.. Enumerable.Range(10, count).Select(i => IPAddress.Parse($"127.0.0.{i.ToString(CultureInfo.InvariantCulture)}"))];

    public static async Task<ClientSwarm> OpenAsync(int port, int count, int parallel, IReadOnlyList<IPAddress> sources)
    {
        var swarm = new ClientSwarm(port);
        await swarm.AddAsync(count, parallel, sources);
        return swarm;
    }

    /// <summary>Opens <paramref name="count"/> more connections.</summary>
    public Task AddAsync(int count, int parallel, IReadOnlyList<IPAddress> sources) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(sources[i % sources.Count], 0));
                using var cancel = new CancellationTokenSource(Patience);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), cancel.Token);
                switch (await ExchangeAsync(socket, "/swarm", cancel.Token))
                {
                    case 200:
                        _held.Add(socket);
                        return;
                    case 0:
                        Interlocked.Increment(ref _refused);
                        break;
                    case var status:
                        Interlocked.Increment(ref _failed);
                        Errors.Enqueue("status " + status.ToString(CultureInfo.InvariantCulture));
                        break;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                if (e is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown })
                {
                    Interlocked.Increment(ref _refused);
                }
                else
                {
                    Interlocked.Increment(ref _failed);
                    Errors.Enqueue(e.GetType().Name + ": " + e.Message);
                }
            }

            socket.Dispose();
        });

    /// <summary>Sends one more request on up to <paramref name="count"/> held connections; returns how many got a 200.</summary>
    public async Task<int> ReuseAsync(int count)
    {
        var ok = 0;
        await Parallel.ForEachAsync(_held.Take(count), new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (socket, _) =>
        {
            using var cancel = new CancellationTokenSource(Patience);
            try
            {
                if (await ExchangeAsync(socket, "/swarm-again", cancel.Token) == 200)
                {
                    Interlocked.Increment(ref ok);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                Errors.Enqueue("reuse: " + e.Message);
            }
        });
        return ok;
    }

    /// <summary>Closes <paramref name="count"/> held connections.</summary>
    public void Close(int count)
    {
        for (var i = 0; i < count && _held.TryTake(out var socket); i++)
        {
            socket.Dispose();
        }
    }

    /// <summary>Writes a keep-alive GET and reads the answer (Content-Length framed); 0 when the node closed first.</summary>
    private static async Task<int> ExchangeAsync(Socket socket, string path, CancellationToken cancel)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"), SocketFlags.None, cancel);
        var buffer = new byte[4096];
        var received = 0;
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cancel);
            if (n == 0)
            {
                return received == 0 ? 0 : throw new IOException("the answer was cut short");
            }

            received += n;
            var text = Encoding.ASCII.GetString(buffer, 0, received);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var status = HttpTestHelpers.StatusOf(text);
            var lengthAt = text.IndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
            var length = lengthAt < 0 ? 0 : int.Parse(text.AsSpan(lengthAt + 15, text.IndexOf('\r', lengthAt) - lengthAt - 15).Trim(), CultureInfo.InvariantCulture);
            while (received < end + 4 + length)
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cancel);
                if (n == 0)
                {
                    throw new IOException("the body was cut short");
                }

                received += n;
            }

            return status;
        }
    }

    public void Dispose()
    {
        while (_held.TryTake(out var socket))
        {
            socket.Dispose();
        }
    }
}
