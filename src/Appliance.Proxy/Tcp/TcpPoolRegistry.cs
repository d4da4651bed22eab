using System.Collections.Concurrent;
using Appliance.Core.Configuration;
using Appliance.Proxy.Model;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// All TCP pools' live state, keyed by pool id and kept across reloads, and the internal API through
/// which an operator changes a TCP backend's admin state or weight at run time. It has the shape of
/// <see cref="BackendRegistry"/> (same results, same rules) but its own id space, so an HTTP cluster
/// and a TCP pool may share a name.
/// </summary>
internal sealed class TcpPoolRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TcpPoolRuntime> _pools = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<TcpPoolRuntime> Pools => _pools.Values;

    public TcpPoolRuntime? Find(string poolId) => _pools.TryGetValue(poolId, out var pool) ? pool : null;

    /// <summary>Brings the live state in line with a newly loaded (and validated) configuration.</summary>
    public void Apply(ApplianceConfig config)
    {
        foreach (var (poolId, options) in config.Tcp.Pools)
        {
            var pool = _pools.GetOrAdd(poolId, static id => new TcpPoolRuntime(id));
            var backends = new List<TcpBackendRuntime>(options.Backends.Count);
            foreach (var (backendId, backendOptions) in options.Backends)
            {
                if (!EndpointParser.TryParseDestination(backendOptions.Address, out var endpoint, out var error))
                {
                    throw new ArgumentException($"{poolId}/{backendId}: {error} Validation should have refused it.", nameof(config));
                }

                var backend = pool.Find(backendId);
                if (backend is null)
                {
                    backend = new TcpBackendRuntime(pool.Id, backendId, backendOptions, endpoint);
                }
                else
                {
                    backend.Reconfigure(backendOptions, endpoint);
                }

                if (!options.HealthCheck.Enabled)
                {
                    backend.ResetProbes();
                }

                backends.Add(backend);
            }

            pool.Apply(options, [.. backends]);
        }

        foreach (var id in _pools.Keys)
        {
            if (!config.Tcp.Pools.ContainsKey(id))
            {
                _pools.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Sets a backend's admin state; leaving maint starts slow start.</summary>
    public BackendChange SetAdminState(string poolId, string backendId, BackendAdminState state)
    {
        if (Locate(poolId, backendId, out var backend) is { } missing)
        {
            return missing;
        }

        backend.Core.ChangeAdminState(state, time.GetUtcNow());
        return BackendChange.Done;
    }

    /// <summary>Overrides a backend's weight until the file changes it.</summary>
    public BackendChange SetWeight(string poolId, string backendId, int weight)
    {
        if (Locate(poolId, backendId, out var backend) is { } missing)
        {
            return missing;
        }

        return backend.Core.TryOverrideWeight(weight) ? BackendChange.Done : BackendChange.InvalidWeight;
    }

    private BackendChange? Locate(string poolId, string backendId, out TcpBackendRuntime backend)
    {
        backend = null!;
        if (!_pools.TryGetValue(poolId, out var pool))
        {
            return BackendChange.UnknownCluster;
        }

        var found = pool.Find(backendId);
        if (found is null)
        {
            return BackendChange.UnknownBackend;
        }

        backend = found;
        return null;
    }
}
