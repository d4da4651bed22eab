using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// The TCP data path's event loops: one per core the process may run on, with no cap, so a
/// 32-core appliance uses its cores. <see cref="Environment.ProcessorCount"/> already counts only
/// the cores in the process's affinity mask and cgroup quota, so pinning the daemon
/// (<c>CPUAffinity=</c> in its unit, or <c>taskset</c>) also sets how many loops it runs;
/// <c>DOTNET_PROCESSOR_COUNT</c> overrides the count. Started when the first TCP listener starts;
/// stopped with the node. Absent (and the .NET socket engine used) off Linux, when epoll is
/// unavailable, or when <c>APPLIANCE_TCP_ENGINE=sockets</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class TcpEventLoops : IDisposable
{
    /// <summary>The environment variable that chooses the engine: <c>epoll</c> (default on Linux) or <c>sockets</c>.</summary>
    public const string EngineVariable = "APPLIANCE_TCP_ENGINE";

    private readonly EventLoop[] _loops;

    private TcpEventLoops(EventLoop[] loops) => _loops = loops;

    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>The loops, or null when the socket engine is to be used (logged either way).</summary>
    public static TcpEventLoops? TryStart(ILogger logger)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(EngineVariable), "sockets", StringComparison.OrdinalIgnoreCase))
        {
            TcpLog.SocketEngine(logger, $"{EngineVariable}=sockets");
            return null;
        }

        var loops = new EventLoop[Math.Max(Environment.ProcessorCount, 1)];
        for (var i = 0; i < loops.Length; i++)
        {
            if (EventLoop.TryStart(i, logger) is not { } loop)
            {
                foreach (var started in loops.Take(i))
                {
                    started.Dispose();
                }

                TcpLog.SocketEngine(logger, "epoll is not available");
                return null;
            }

            loops[i] = loop;
        }

        TcpLog.LoopsStarted(logger, loops.Length);
        return new TcpEventLoops(loops);
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }
    }
}
