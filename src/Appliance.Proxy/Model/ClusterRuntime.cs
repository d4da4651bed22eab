using System.Collections.Frozen;
using Appliance.Core.Configuration;
using Appliance.Proxy.LoadBalancing;

namespace Appliance.Proxy.Model;

/// <summary>
/// Live state of one cluster on this node: its options, its algorithm (which carries rotation
/// state) and its backends. Options and the backend map are swapped whole on reload.
/// </summary>
internal sealed class ClusterRuntime(string clusterId)
{
    private volatile Snapshot _current = new(ClusterBalancingOptions.Default, null, new LeastConnections(),
        FrozenDictionary<string, BackendRuntime>.Empty);

    private int _version;

    public string ClusterId { get; } = clusterId;

    public SlotQueue Queue { get; } = new();

    public ClusterBalancingOptions Options => _current.Options;

    public string? PolicyName => _current.PolicyName;

    public IBalancingAlgorithm Algorithm => _current.Algorithm;

    public FrozenDictionary<string, BackendRuntime> Backends => _current.Backends;

    /// <summary>Bumped whenever an admin state or weight changes, so cached filtered lists are rebuilt.</summary>
    public int Version => Volatile.Read(ref _version);

    public void Apply(ClusterBalancingOptions options, string? policyName, FrozenDictionary<string, BackendRuntime> backends)
    {
        var current = _current;
        var algorithm = current.PolicyName == policyName && current.Backends.Count > 0
            ? current.Algorithm
            : BalancingAlgorithms.Create(policyName);
        _current = new Snapshot(options, policyName, algorithm, backends);
        Touch();
    }

    public void Touch() => Interlocked.Increment(ref _version);

    public BackendRuntime? Find(string destinationId) =>
        _current.Backends.TryGetValue(destinationId, out var backend) ? backend : null;

    private sealed record Snapshot(
        ClusterBalancingOptions Options,
        string? PolicyName,
        IBalancingAlgorithm Algorithm,
        FrozenDictionary<string, BackendRuntime> Backends);
}
