using Appliance.Core.State;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Tcp;

/// <summary>What every TCP listener and connection shares: pools, selection, counts, time and the log.</summary>
internal sealed class TcpServices(TcpPoolRegistry pools, ISessionStore sessions, IConnectionCounts counts, TimeProvider time, ILoggerFactory logs)
{
    public TcpPoolRegistry Pools { get; } = pools;

    public TcpBackendSelector Selector { get; } = new(sessions, counts);

    public IConnectionCounts Counts { get; } = counts;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logs.CreateLogger("Appliance.Proxy.Tcp");
}
