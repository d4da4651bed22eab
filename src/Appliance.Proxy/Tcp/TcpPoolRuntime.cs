using System.Collections.Frozen;
using Appliance.Core.Configuration;
using Appliance.Proxy.LoadBalancing;
using Appliance.Proxy.Model;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Live state of one TCP pool on this node: options, the shared balancing algorithm (with its
/// rotation state), the backends, and the queue for connections waiting for a backend slot.
/// Options and backends are swapped whole on reload.
/// </summary>
internal sealed class TcpPoolRuntime(string id)
{
    private volatile Snapshot _current = new(new TcpPoolOptions(), new SmoothWeightedRoundRobin(), [],
        FrozenDictionary<string, TcpBackendRuntime>.Empty);

    public string Id { get; } = id;

    public SlotQueue Queue { get; } = new();

    public TcpPoolOptions Options => _current.Options;

    public IBalancingAlgorithm Algorithm => _current.Algorithm;

    /// <summary>The backends in file order (the order round robin and hashing see them in).</summary>
    public IReadOnlyList<TcpBackendRuntime> Backends => _current.List;

    public TcpBackendRuntime? Find(string backendId) =>
        _current.ById.TryGetValue(backendId, out var backend) ? backend : null;

    public void Apply(TcpPoolOptions options, TcpBackendRuntime[] backends)
    {
        var current = _current;
        var algorithm = string.Equals(current.Options.Policy, options.Policy, StringComparison.OrdinalIgnoreCase) && current.List.Length > 0
            ? current.Algorithm
            : BalancingAlgorithms.Create(PolicyNames.Find(PolicyNames.LoadBalancingPolicies, options.Policy));
        _current = new Snapshot(options, algorithm, backends, backends.ToFrozenDictionary(b => b.Id, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>A connection slot was freed in this pool: let a waiting connection try again.</summary>
    public void SignalSlotFreed()
    {
        if (Queue.Waiting > 0)
        {
            Queue.Signal();
        }
    }

    private sealed record Snapshot(
        TcpPoolOptions Options,
        IBalancingAlgorithm Algorithm,
        TcpBackendRuntime[] List,
        FrozenDictionary<string, TcpBackendRuntime> ById);
}
