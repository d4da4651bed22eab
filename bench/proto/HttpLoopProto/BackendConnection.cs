using System.Net;
using System.Runtime.Versioning;
using Appliance.Proxy.Tcp.Loop;

namespace HttpLoopProto;

/// <summary>
/// A connection to one backend, registered once (edge-triggered) and lent to one client at a time;
/// readiness goes to the client that holds it. An idle one that turns readable was closed by the
/// backend (or sent garbage) and is closed.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class BackendConnection : LoopHandler
{
    private readonly int _fd;
    private int _slot;
    private byte[] _unsent = [];
    private int _unsentLength;
    private bool _connected;

    private BackendConnection(int fd, int index, byte[] hostHeader)
    {
        _fd = fd;
        Index = index;
        HostHeader = hostHeader;
    }

    public int Index { get; }

    public byte[] HostHeader { get; }

    public bool Closed { get; private set; }

    public ProtoClient? Owner { get; set; }

    public static BackendConnection? Connect(EventLoop loop, IPEndPoint endpoint, int index, byte[] hostHeader)
    {
        var fd = LibC.Socket(LibC.AfInet, LibC.SockStream | LibC.SockNonBlock | LibC.SockCloexec, 0);
        if (fd < 0)
        {
            return null;
        }

        var one = 1;
        LibC.SetSockOpt(fd, LibC.IpProtoTcp, LibC.TcpNoDelay, &one, sizeof(int));
        var address = stackalloc byte[SockAddr.MaxLength];
        var length = SockAddr.Write(endpoint, new Span<byte>(address, SockAddr.MaxLength));
        if (LibC.Connect(fd, address, length) != 0 && LibC.Errno != LibC.EInProgress)
        {
            LibC.Close(fd);
            return null;
        }

        var connection = new BackendConnection(fd, index, hostHeader);
        connection._slot = loop.Add(fd, LibC.EpollIn | LibC.EpollOut | LibC.EpollRdHup | LibC.EpollEt, connection, 0);
        if (connection._slot < 0)
        {
            LibC.Close(fd);
            return null;
        }

        return connection;
    }

    /// <summary>Sends the request head now, or once the connection is up.</summary>
    public bool Send(ReadOnlySpan<byte> data)
    {
        if (!_connected || _unsentLength > 0)
        {
            Keep(data);
            return true;
        }

        return SendNow(data);
    }

    /// <summary>Reads what is there into <paramref name="buffer"/>: bytes read, 0 at end of stream, -1 when nothing more now.</summary>
    public int Receive(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = LibC.Recv(_fd, p, (nuint)buffer.Length, 0);
            return n >= 0 ? (int)n : LibC.Errno == LibC.EAgain ? -1 : 0;
        }
    }

    public override void OnEvent(EventLoop loop, uint events, int side)
    {
        if ((events & LibC.EpollOut) != 0)
        {
            _connected = true;
            if (_unsentLength > 0)
            {
                var pending = _unsent.AsSpan(0, _unsentLength).ToArray();
                _unsentLength = 0;
                SendNow(pending);
            }
        }

        if ((events & (LibC.EpollIn | LibC.EpollRdHup | LibC.EpollHup | LibC.EpollErr)) == 0)
        {
            return;
        }

        if (Owner is { } owner)
        {
            owner.OnBackendReadable(loop, this);
        }
        else
        {
            Close(loop); // idle and readable: the backend closed it
        }
    }

    public void Close(EventLoop loop)
    {
        if (Closed)
        {
            return;
        }

        Closed = true;
        LibC.Close(_fd);
        loop.FreeSlot(_slot);
    }

    public override void OnLoopStopping(EventLoop loop) => Close(loop);

    private bool SendNow(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var n = LibC.Send(_fd, p, (nuint)data.Length, LibC.MsgNoSignal);
            if (n == data.Length)
            {
                return true;
            }

            if (n < 0 && LibC.Errno != LibC.EAgain)
            {
                return false;
            }

            Keep(data[(int)Math.Max(n, 0)..]);
            return true;
        }
    }

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (_unsent.Length < _unsentLength + data.Length)
        {
            Array.Resize(ref _unsent, Math.Max(_unsentLength + data.Length, 4096));
        }

        data.CopyTo(_unsent.AsSpan(_unsentLength));
        _unsentLength += data.Length;
    }
}
