using System.Collections.Concurrent;
using System.Collections.Frozen;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.Model;

/// <summary>
/// All clusters' live state, keyed by id and kept across reloads. Also the internal API through
/// which an operator changes a backend's admin state or weight at runtime.
/// </summary>
internal sealed class BackendRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ClusterRuntime> _clusters = new(StringComparer.Ordinal);

    public IEnumerable<ClusterRuntime> Clusters => _clusters.Values;

    public ClusterRuntime? Find(string clusterId) => _clusters.TryGetValue(clusterId, out var c) ? c : null;

    /// <summary>Brings the live state in line with a newly loaded configuration.</summary>
    public void Apply(ApplianceConfig config)
    {
        foreach (var (clusterId, view) in config.ReverseProxy.Clusters)
        {
            var cluster = _clusters.GetOrAdd(clusterId, static id => new ClusterRuntime(id));
            var backends = new Dictionary<string, BackendRuntime>(StringComparer.Ordinal);
            foreach (var (destinationId, destination) in view.Destinations)
            {
                var metadata = DestinationMetadata.Parse(destination.Metadata, "", new List<ConfigError>());
                var backend = cluster.Find(destinationId);
                if (backend is null)
                {
                    backend = new BackendRuntime(clusterId, destinationId, metadata);
                }
                else
                {
                    backend.Reconfigure(metadata);
                }

                backends[destinationId] = backend;
            }

            cluster.Apply(config.Balancing.For(clusterId), view.LoadBalancingPolicy, backends.ToFrozenDictionary(StringComparer.Ordinal));
        }

        foreach (var id in _clusters.Keys)
        {
            if (!config.ReverseProxy.Clusters.ContainsKey(id))
            {
                _clusters.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Sets a backend's admin state; leaving maint starts slow start.</summary>
    public BackendChange SetAdminState(string clusterId, string destinationId, BackendAdminState state)
    {
        if (Locate(clusterId, destinationId, out var cluster, out var backend) is { } missing)
        {
            return missing;
        }

        backend.ChangeAdminState(state, time.GetUtcNow());
        cluster.Touch();
        return BackendChange.Done;
    }

    /// <summary>Overrides a backend's weight until the file changes it.</summary>
    public BackendChange SetWeight(string clusterId, string destinationId, int weight)
    {
        if (Locate(clusterId, destinationId, out var cluster, out var backend) is { } missing)
        {
            return missing;
        }

        if (!backend.TryOverrideWeight(weight))
        {
            return BackendChange.InvalidWeight;
        }

        cluster.Touch();
        return BackendChange.Done;
    }

    private BackendChange? Locate(string clusterId, string destinationId, out ClusterRuntime cluster, out BackendRuntime backend)
    {
        backend = null!;
        if (!_clusters.TryGetValue(clusterId, out cluster!))
        {
            return BackendChange.UnknownCluster;
        }

        var found = cluster.Find(destinationId);
        if (found is null)
        {
            return BackendChange.UnknownBackend;
        }

        backend = found;
        return null;
    }
}

/// <summary>Outcome of a runtime change, for the admin API to turn into an answer.</summary>
internal enum BackendChange
{
    Done,
    UnknownCluster,
    UnknownBackend,
    InvalidWeight,
}
