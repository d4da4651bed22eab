using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// The receiving end of systemd's notification protocol, as systemd holds it: a bound Unix
/// datagram socket, at a path in a temporary folder or under an abstract name ('@...').
/// </summary>
internal sealed class NotifyReceiver : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string? _dir;

    public NotifyReceiver(bool @abstract = false)
    {
        if (@abstract)
        {
            var name = $"appliance-test-{Guid.NewGuid():N}";
            Address = "@" + name;
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        }
        else
        {
            _dir = Directory.CreateTempSubdirectory("notify-").FullName;
            Address = Path.Combine(_dir, "notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Address));
        }
    }

    /// <summary>The value for $NOTIFY_SOCKET.</summary>
    public string Address { get; }

    /// <summary>The next datagram, or a failed test after <paramref name="timeoutMs"/>.</summary>
    public async Task<string> ReceiveAsync(int timeoutMs = 30_000)
    {
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(timeoutMs);
        try
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no notification within {timeoutMs} ms");
            throw;
        }
    }

    /// <summary>Receives until a message containing <paramref name="assignment"/> (e.g. "READY=1"); returns every message seen, that one last.</summary>
    public async Task<List<string>> ReceiveUntilAsync(string assignment, int timeoutMs = 30_000)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var left = (int)Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds);
            string message;
            try
            {
                message = await ReceiveAsync(left);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Assert.Fail($"no {assignment} within {timeoutMs} ms; received:\n{string.Join("\n--\n", seen)}");
                throw;
            }

            seen.Add(message);
            if (message.Split('\n').Contains(assignment))
            {
                return seen;
            }
        }
    }

    /// <summary>Datagrams already queued, without waiting.</summary>
    public List<string> Drain()
    {
        var seen = new List<string>();
        var buffer = new byte[4096];
        while (_socket.Available > 0)
        {
            var n = _socket.Receive(buffer);
            seen.Add(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return seen;
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
