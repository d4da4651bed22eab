using System.Runtime.Versioning;
using System.Text;
using Appliance.Proxy.Tcp.Loop;

namespace HttpLoopProto;

/// <summary>
/// One client connection on its loop: reads a request head, rewrites it as YARP's default
/// transforms would (hop-by-hop fields dropped, Host set to the backend, X-Forwarded-For added),
/// sends it on a backend connection of this loop, and relays the answer as it arrives until its
/// Content-Length is reached; then the backend goes back to the loop's pool. Requests with a body,
/// chunked answers and pipelining are out of the prototype's scope (the connection is closed).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class ProtoClient(int fd, BackendPool pool) : LoopHandler
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Forwarded = "X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"u8.ToArray();
    private static readonly string[] Dropped = ["connection", "keep-alive", "proxy-connection", "te", "upgrade", "host", "x-forwarded-for", "x-forwarded-proto", "content-length", "transfer-encoding"];

    private readonly byte[] _in = new byte[16 * 1024];
    private readonly byte[] _out = new byte[16 * 1024];
    private readonly byte[] _head = new byte[16 * 1024];
    private int _slot = -1;
    private int _inLength;
    private int _headLength;
    private long _remaining = -1; // body bytes of the answer still to relay; -1 while its head is incomplete
    private BackendConnection? _backend;
    private bool _closed;

    public void Start(EventLoop loop)
    {
        _slot = loop.Add(fd, LibC.EpollIn | LibC.EpollRdHup | LibC.EpollEt, this, 0);
        if (_slot < 0)
        {
            LibC.Close(fd);
        }
    }

    public override void OnEvent(EventLoop loop, uint events, int side)
    {
        if ((events & (LibC.EpollErr | LibC.EpollHup)) != 0)
        {
            Close(loop);
            return;
        }

        while (!_closed && _backend is null)
        {
            int n;
            fixed (byte* p = _in)
            {
                n = (int)LibC.Recv(fd, p + _inLength, (nuint)(_in.Length - _inLength), 0);
            }

            if (n < 0 && LibC.Errno == LibC.EAgain)
            {
                return;
            }

            if (n <= 0 || (_inLength += n) == _in.Length)
            {
                Close(loop); // closed, failed, or a head larger than the prototype takes
                return;
            }

            var end = _in.AsSpan(0, _inLength).IndexOf(HeadEnd);
            if (end >= 0)
            {
                Forward(loop, end + HeadEnd.Length);
            }
        }
    }

    public void OnBackendReadable(EventLoop loop, BackendConnection backend)
    {
        var scratch = loop.Scratch;
        while (!_closed && ReferenceEquals(_backend, backend))
        {
            var n = backend.Receive(scratch);
            if (n < 0)
            {
                return;
            }

            if (n == 0)
            {
                backend.Close(loop);
                Close(loop);
                return;
            }

            Relay(loop, scratch.AsSpan(0, n));
        }
    }

    private void Forward(EventLoop loop, int headLength)
    {
        if (headLength != _inLength)
        {
            Close(loop); // a body or a pipelined request
            return;
        }

        var head = _in.AsSpan(0, headLength - 2); // keep the last line's CRLF, drop the blank line
        var lineEnd = head.IndexOf("\r\n"u8) + 2;
        var backend = pool.Acquire(loop);
        if (backend is null)
        {
            Close(loop);
            return;
        }

        var length = 0;
        Append(head[..lineEnd], ref length);
        for (var rest = head[lineEnd..]; rest.Length > 0;)
        {
            var next = rest.IndexOf("\r\n"u8) + 2;
            var line = rest[..next];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsDropped(line[..colon]))
            {
                Append(line, ref length);
            }

            rest = rest[next..];
        }

        Append(backend.HostHeader, ref length);
        Append(Forwarded, ref length);
        Append("\r\n"u8, ref length);

        _inLength = 0;
        _headLength = 0;
        _remaining = -1;
        _backend = backend;
        backend.Owner = this;
        if (!backend.Send(_out.AsSpan(0, length)))
        {
            backend.Close(loop);
            Close(loop);
        }
    }

    private void Relay(EventLoop loop, ReadOnlySpan<byte> data)
    {
        if (_remaining < 0)
        {
            data.CopyTo(_head.AsSpan(_headLength));
            _headLength += data.Length;
            var end = _head.AsSpan(0, _headLength).IndexOf(HeadEnd);
            if (end < 0)
            {
                return;
            }

            var bodyStart = end + HeadEnd.Length;
            _remaining = ContentLength(_head.AsSpan(0, end)) - (_headLength - bodyStart);
            SendToClient(loop, _head.AsSpan(0, _headLength));
        }
        else
        {
            _remaining -= data.Length;
            SendToClient(loop, data);
        }

        if (_remaining == 0 && _backend is { } backend)
        {
            backend.Owner = null;
            _backend = null;
            pool.Release(backend);
            OnEvent(loop, LibC.EpollIn, 0); // the next request may already be waiting
        }
    }

    private void SendToClient(EventLoop loop, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            // The prototype's answers are small; a partial send would need EPOLLOUT handling.
            if (LibC.Send(fd, p, (nuint)data.Length, LibC.MsgNoSignal) != data.Length)
            {
                Close(loop);
            }
        }
    }

    private static long ContentLength(ReadOnlySpan<byte> head)
    {
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], "content-length"u8)
                && long.TryParse(Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(), out var value))
            {
                return value;
            }
        }

        return long.MinValue / 2; // no length: the prototype never completes it and the connection ends with the backend's
    }

    private static bool IsDropped(ReadOnlySpan<byte> name)
    {
        foreach (var dropped in Dropped)
        {
            if (name.Length == dropped.Length && Ascii.EqualsIgnoreCase(name, dropped))
            {
                return true;
            }
        }

        return false;
    }

    private void Append(ReadOnlySpan<byte> data, ref int length)
    {
        data.CopyTo(_out.AsSpan(length));
        length += data.Length;
    }

    private void Close(EventLoop loop)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (_backend is { } backend)
        {
            backend.Owner = null;
            backend.Close(loop);
        }

        LibC.Close(fd);
        if (_slot >= 0)
        {
            loop.FreeSlot(_slot);
        }
    }

    public override void OnLoopStopping(EventLoop loop) => Close(loop);
}
