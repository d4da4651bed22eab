using Appliance.Core.Configuration;
using Appliance.Proxy.Tcp;
using Appliance.Vip.Tracking;
using Yarp.ReverseProxy;

namespace Appliance.Node.Vips;

/// <summary>
/// Whether a tracked pool has a healthy backend: an HTTP cluster from YARP's view (destinations its
/// active and passive health let through), a TCP pool from its probes and passive health. A pool
/// not (yet) known counts as healthy, so a reload never drops a VIP by itself.
/// </summary>
internal sealed class PoolHealth(IProxyStateLookup? http, TcpPoolRegistry? tcp, TimeProvider time) : IPoolHealth
{
    public bool HasHealthy(TrackPoolOptions pool)
    {
        if (pool.Cluster.Length > 0)
        {
            return http is null || !http.TryGetCluster(pool.Cluster, out var cluster)
                || cluster.DestinationsState.AvailableDestinations.Count > 0;
        }

        if (tcp?.Find(pool.TcpPool) is not { } runtime)
        {
            return true;
        }

        var now = time.GetUtcNow();
        return runtime.Backends.Any(b => b.IsUp(now));
    }
}
