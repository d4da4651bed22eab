using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Appliance.Proxy.Tcp.Loop;
using Microsoft.Extensions.Logging.Abstractions;

namespace HttpLoopProto;

/// <summary>
/// <c>HttpLoopProto LISTEN BACKEND [BACKEND...]</c>: a minimal HTTP/1.1 reverse proxy on the TCP
/// engine's epoll loops (one per core), round robin over the backends, keep-alive both ways.
/// Each loop accepts its own clients and keeps its own backend connections, so a request never
/// leaves the thread that read it. Runs until SIGTERM or SIGINT.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 2 || !IPEndPoint.TryParse(args[0], out var listen))
        {
            Console.Error.WriteLine("usage: HttpLoopProto LISTEN-ADDRESS:PORT BACKEND-ADDRESS:PORT...");
            return 2;
        }

        var backends = args.Skip(1).Select(IPEndPoint.Parse).ToArray();
        using var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(listen);
        listener.Listen(4096);
        listener.Blocking = false;
        var fd = (int)listener.SafeHandle.DangerousGetHandle();

        var loops = new List<EventLoop>();
        for (var i = 0; i < Math.Max(Environment.ProcessorCount, 1); i++)
        {
            var loop = EventLoop.TryStart(i, NullLogger.Instance) ?? throw new InvalidOperationException("epoll is not available");
            loops.Add(loop);
            var acceptor = new ProtoAcceptor(fd, new BackendPool(backends));
            loop.Post(l => acceptor.Register(l));
        }

        Console.WriteLine($"proto-loop: {loops.Count} loop(s) on {listen}, {backends.Length} backend(s)");
        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        stop.Wait();
        foreach (var loop in loops)
        {
            loop.Dispose();
        }

        return 0;
    }
}
