using System.Runtime.Versioning;
using Appliance.Proxy.Tcp.Loop;

namespace HttpLoopProto;

/// <summary>Accepts on the shared listening socket for one loop (level-triggered, EPOLLEXCLUSIVE), as the TCP engine does.</summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class ProtoAcceptor(int fd, BackendPool pool) : LoopHandler
{
    public void Register(EventLoop loop)
    {
        if (loop.Add(fd, LibC.EpollIn | LibC.EpollExclusive, this, 0) < 0)
        {
            throw new InvalidOperationException($"epoll_ctl failed: errno {LibC.Errno}");
        }
    }

    public override void OnEvent(EventLoop loop, uint events, int side)
    {
        for (var i = 0; i < 32; i++)
        {
            var accepted = LibC.Accept4(fd, null, null, LibC.SockNonBlock | LibC.SockCloexec);
            if (accepted < 0)
            {
                return; // EAGAIN: another loop took it or nothing is left; other errors: try on the next wake-up
            }

            var one = 1;
            LibC.SetSockOpt(accepted, LibC.IpProtoTcp, LibC.TcpNoDelay, &one, sizeof(int));
            new ProtoClient(accepted, pool).Start(loop);
        }
    }
}
