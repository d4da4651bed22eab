using Appliance.Core.Configuration;

namespace Appliance.Vip.Tracking;

/// <summary>Whether a tracked pool has a healthy backend; the proxy answers it (Node composes the two).</summary>
internal interface IPoolHealth
{
    bool HasHealthy(TrackPoolOptions pool);
}

/// <summary>How a tracked pool shows in logs and the status.</summary>
internal static class TrackedPool
{
    public static string Describe(TrackPoolOptions pool) => pool.Cluster.Length > 0 ? $"HTTP cluster {pool.Cluster}" : $"TCP pool {pool.TcpPool}";
}
