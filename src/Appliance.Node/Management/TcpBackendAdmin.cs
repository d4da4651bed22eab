using Appliance.Core.Configuration;
using Appliance.Core.State;
using Appliance.Management.Sources;
using Appliance.Proxy.Health;
using Appliance.Proxy.Tcp;

namespace Appliance.Node.Management;

/// <summary>
/// The TCP pools as management sees them, in the same shapes as HTTP clusters: a pool is a
/// "cluster", a connection made to a backend counts as one answered "request" (there is no status
/// class), a failed connect as a transport error, and "in flight" is open connections. Changes go
/// through <see cref="TcpPoolRegistry"/>, node-local like the HTTP ones.
/// </summary>
internal sealed class TcpBackendAdmin(TcpPoolRegistry pools, IConnectionCounts counts, TimeProvider time) : IBackendAdmin
{
    public string Scope => "node";

    public IReadOnlyList<ClusterSnapshot> Snapshot()
    {
        var now = time.GetUtcNow();
        return pools.Pools
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .Select(pool => new ClusterSnapshot(
                pool.Id,
                pool.Options.Policy,
                pool.Queue.Waiting,
                pool.Options.Queue.MaxLength,
                pool.Queue.Rejected,
                pool.Queue.TimedOut,
                pool.Backends.OrderBy(b => b.Id, StringComparer.Ordinal).Select(b => Backend(pool, b, now)).ToList()))
            .ToList();
    }

    public AdminChange SetState(string cluster, string backend, string state) =>
        BackendAdminStates.TryParse(state, out var parsed)
            ? ProxyBackendAdmin.Map(pools.SetAdminState(cluster, backend, parsed))
            : AdminChange.InvalidValue;

    public AdminChange SetWeight(string cluster, string backend, int weight) => ProxyBackendAdmin.Map(pools.SetWeight(cluster, backend, weight));

    private BackendSnapshot Backend(TcpPoolRuntime pool, TcpBackendRuntime backend, DateTimeOffset now)
    {
        var passive = !pool.Options.PassiveHealthCheck.Enabled ? "unknown"
            : backend.IsPassivelyDown(now) ? "unhealthy" : "healthy";
        return new BackendSnapshot(
            pool.Id,
            backend.Id,
            backend.EndPoint.ToString(),
            HealthText(backend.Health),
            passive,
            backend.IsUp(now),
            backend.Core.AdminState.ToText(),
            backend.Core.Weight,
            backend.Core.Metadata.Weight,
            counts.GetLocal(backend.Key),
            counts.Get(backend.Key),
            [backend.Connections, 0, 0, 0, 0, 0],
            backend.Core.Counters.TransportErrors,
            HistogramSnapshot.Empty);
    }

    private static string HealthText(ProbeVerdict verdict) => verdict switch
    {
        ProbeVerdict.Healthy => "healthy",
        ProbeVerdict.Unhealthy => "unhealthy",
        _ => "unknown",
    };
}
