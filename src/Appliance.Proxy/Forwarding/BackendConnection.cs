using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// One kept-alive HTTP/1.1 connection to a backend: the socket, its read buffer with the bytes not
/// yet used, and the per-request state (activity timer, cancellation) that is reset between requests.
/// Used by one request at a time; the pool hands it out and takes it back.
/// </summary>
internal sealed class BackendConnection : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly Socket _socket;
    private CancellationTokenSource _cancellation = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;
    private bool _disposed;

    private BackendConnection(Socket socket) => _socket = socket;

    /// <summary>Where the request head is written before it is sent.</summary>
    public HeadBuffer Head { get; } = new();

    /// <summary>Header ranges of the last parsed response head.</summary>
    public HeaderRange[] Headers { get; } = new HeaderRange[256];

    /// <summary>True once the connection has carried a request: a failure before any answer may then be a close that crossed ours.</summary>
    public bool Reused { get; set; }

    /// <summary>When it went back to the pool (<see cref="Stopwatch"/> ticks).</summary>
    public long IdleSince { get; set; }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Bytes read but not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public ReadOnlyMemory<byte> BufferedMemory => _buffer.AsMemory(_start, _end - _start);

    public static async ValueTask<BackendConnection> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = endpoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp); // dual mode: a DNS name may resolve to either family
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new BackendConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private long _armedAt;

    /// <summary>Starts the activity timer of a request; see <see cref="TryEndRequest"/>.</summary>
    public void Arm(TimeSpan activityTimeout)
    {
        _cancellation.CancelAfter(activityTimeout);
        _armedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Pushes the activity timer back after progress. At most once a second: re-arming a timer takes
    /// the timer queue's lock, and a timeout that fires up to a second early is still close to the operator's.
    /// </summary>
    private void Rearm(TimeSpan activityTimeout)
    {
        var now = Stopwatch.GetTimestamp();
        if (now - _armedAt > Stopwatch.Frequency)
        {
            _cancellation.CancelAfter(activityTimeout);
            _armedAt = now;
        }
    }

    /// <summary>Cancels the pending operation (client gone, activity timeout); the connection is then done for.</summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already disposed: nothing pending
        }
    }

    /// <summary>Stops the timer; false when the request was cancelled, and the connection must not be reused.</summary>
    public bool TryEndRequest() => !_disposed && _cancellation.TryReset();

    public bool IsCancellationRequested => _cancellation.IsCancellationRequested;

    /// <summary>
    /// True when the idle connection has no stray bytes and the backend has not closed it: one
    /// poll(2). A close or bytes that come after it are still possible; a close is then retried.
    /// </summary>
    public bool LooksAlive()
    {
        try
        {
            return _end == _start && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, _cancellation.Token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads more into the buffer (growing it up to the head limit when full); returns 0 at end of stream.</summary>
    public async ValueTask<int> FillAsync(TimeSpan activityTimeout)
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }

        if (_end == _buffer.Length)
        {
            MakeRoom();
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, _cancellation.Token).ConfigureAwait(false);
        _end += read;
        if (read > 0)
        {
            Rearm(activityTimeout);
        }

        return read;
    }

    /// <summary>Reads straight into <paramref name="destination"/> (a body that is not buffered here); 0 at end of stream.</summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> destination, TimeSpan activityTimeout)
    {
        var read = await _socket.ReceiveAsync(destination, SocketFlags.None, _cancellation.Token).ConfigureAwait(false);
        if (read > 0)
        {
            Rearm(activityTimeout);
        }

        return read;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Moves unconsumed bytes to the front, or grows the buffer when it is all unconsumed (a long head).</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, ResponseHeadParser.MaxHeadLength + InitialBufferSize));
        if (bigger.Length <= _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(bigger);
            throw new InvalidOperationException("read buffer is full"); // the parser refuses heads this long first
        }

        _buffer.AsSpan(0, _end).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
        _cancellation.Dispose();
        Head.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _start = _end = 0;
    }
}
