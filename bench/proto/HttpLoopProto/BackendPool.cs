using System.Net;
using System.Runtime.Versioning;
using Appliance.Proxy.Tcp.Loop;

namespace HttpLoopProto;

/// <summary>One loop's backends: round robin over them, and the kept-alive connections of this loop only.</summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class BackendPool(IPEndPoint[] backends)
{
    private readonly Stack<BackendConnection>[] _idle = backends.Select(_ => new Stack<BackendConnection>()).ToArray();
    private readonly byte[][] _hostHeaders = backends.Select(b => System.Text.Encoding.ASCII.GetBytes($"Host: {b}\r\n")).ToArray();
    private int _next;

    /// <summary>The next backend in turn: an idle connection to it, or a new one (connecting).</summary>
    public BackendConnection? Acquire(EventLoop loop)
    {
        var index = _next;
        _next = (_next + 1) % backends.Length;
        while (_idle[index].TryPop(out var idle))
        {
            if (!idle.Closed)
            {
                return idle;
            }
        }

        return BackendConnection.Connect(loop, backends[index], index, _hostHeaders[index]);
    }

    public void Release(BackendConnection connection)
    {
        if (!connection.Closed)
        {
            _idle[connection.Index].Push(connection);
        }
    }
}
