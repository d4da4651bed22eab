using Appliance.Core.Configuration;
using Appliance.Core.State;
using Appliance.Management.Sources;
using Appliance.Proxy.LoadBalancing;
using Appliance.Proxy.Model;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Appliance.Node.Management;

/// <summary>
/// The proxy's live backends as management sees them: the registry (admin state, weight, counters),
/// YARP's health view, and the connection counts. Changes go through the registry, so they are
/// node-local until replicated state lands.
/// </summary>
internal sealed class ProxyBackendAdmin(BackendRegistry registry, IConnectionCounts counts, IProxyStateLookup yarp) : IBackendAdmin
{
    public string Scope => "node";

    public IReadOnlyList<ClusterSnapshot> Snapshot()
    {
        var clusters = new List<ClusterSnapshot>();
        foreach (var cluster in registry.Clusters.OrderBy(c => c.ClusterId, StringComparer.Ordinal))
        {
            yarp.TryGetCluster(cluster.ClusterId, out var state);
            var available = state?.DestinationsState.AvailableDestinations;
            var backends = cluster.Backends.Values
                .OrderBy(b => b.DestinationId, StringComparer.Ordinal)
                .Select(b => Backend(b, state, available))
                .ToList();
            clusters.Add(new ClusterSnapshot(
                cluster.ClusterId,
                cluster.PolicyName ?? BalancingAlgorithms.DefaultPolicy,
                cluster.Queue.Waiting,
                cluster.Options.Queue.MaxLength,
                cluster.Queue.Rejected,
                cluster.Queue.TimedOut,
                backends));
        }

        return clusters;
    }

    public AdminChange SetState(string cluster, string backend, string state) =>
        BackendAdminStates.TryParse(state, out var parsed)
            ? Map(registry.SetAdminState(cluster, backend, parsed))
            : AdminChange.InvalidValue;

    public AdminChange SetWeight(string cluster, string backend, int weight) => Map(registry.SetWeight(cluster, backend, weight));

    private BackendSnapshot Backend(BackendRuntime backend, ClusterState? cluster, IReadOnlyList<DestinationState>? available)
    {
        DestinationState? destination = null;
        cluster?.Destinations.TryGetValue(backend.DestinationId, out destination);
        var responses = new long[6];
        for (var i = 1; i <= 5; i++)
        {
            responses[i] = backend.Counters.Responses(i);
        }

        responses[0] = backend.Counters.Responses(0);
        var duration = backend.Counters.Duration;
        return new BackendSnapshot(
            backend.ClusterId,
            backend.DestinationId,
            destination?.Model.Config.Address ?? "",
            HealthText(destination?.Health.Active),
            HealthText(destination?.Health.Passive),
            destination is not null && available is not null && available.Contains(destination),
            backend.AdminState.ToText(),
            backend.Weight,
            backend.Metadata.Weight,
            counts.GetLocal(backend.Key),
            counts.Get(backend.Key),
            responses,
            backend.Counters.TransportErrors,
            new HistogramSnapshot(LatencyHistogram.UpperBounds, duration.Counts(), duration.SumSeconds));
    }

    private static string HealthText(DestinationHealth? health) => health switch
    {
        DestinationHealth.Healthy => "healthy",
        DestinationHealth.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    /// <summary>The registries' outcome as management's (TCP pools use the same results).</summary>
    internal static AdminChange Map(BackendChange change) => change switch
    {
        BackendChange.Done => AdminChange.Done,
        BackendChange.UnknownCluster => AdminChange.UnknownCluster,
        BackendChange.UnknownBackend => AdminChange.UnknownBackend,
        _ => AdminChange.InvalidValue,
    };
}
