using System.Runtime.Versioning;
using Appliance.Core.State;
using Appliance.Proxy.Tcp.Loop;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Tcp;

/// <summary>What every TCP listener and connection shares: pools, selection, counts, time, the log and the event loops.</summary>
internal sealed class TcpServices(TcpPoolRegistry pools, ISessionStore sessions, IConnectionCounts counts, TimeProvider time, ILoggerFactory logs)
    : IDisposable
{
    private readonly Lock _loopsLock = new();
    private object? _loops;
    private bool _loopsTried;

    public TcpPoolRegistry Pools { get; } = pools;

    public TcpBackendSelector Selector { get; } = new(sessions, counts);

    public IConnectionCounts Counts { get; } = counts;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logs.CreateLogger("Appliance.Proxy.Tcp");

    /// <summary>
    /// The epoll event loops, started on first use; null when connections run on .NET sockets
    /// instead (not Linux, epoll unavailable, or <c>APPLIANCE_TCP_ENGINE=sockets</c>).
    /// </summary>
    [SupportedOSPlatform("linux")]
    public TcpEventLoops? Loops
    {
        get
        {
            lock (_loopsLock)
            {
                if (!_loopsTried)
                {
                    _loopsTried = true;
                    _loops = TcpEventLoops.TryStart(Logger);
                }

                return (TcpEventLoops?)_loops;
            }
        }
    }

    public void Dispose()
    {
        lock (_loopsLock)
        {
            _loopsTried = true;
            (_loops as IDisposable)?.Dispose();
            _loops = null;
        }
    }
}
