using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Appliance.Core.State;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Gauges;

/// <summary>
/// Cluster-wide in-flight counts. The hot path (<see cref="Add"/>) touches only this node's
/// lock-free gauge and raises a dirty flag; the gauge actor publishes this node's gauges to
/// Akka.DistributedData at most every 100 ms and hands back the other live members' sums.
/// Lives outside the actors: this node's gauges outlive every incarnation.
/// </summary>
internal sealed class ReplicatedConnectionCounts : IConnectionCounts
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _local = new(StringComparer.Ordinal);
    private FrozenDictionary<string, long> _remoteSums = FrozenDictionary<string, long>.Empty;
    private int _dirty;

    public long Get(string backendKey) => GetLocal(backendKey) + _remoteSums.GetValueOrDefault(backendKey);

    public long GetLocal(string backendKey) =>
        _local.TryGetValue(backendKey, out var box) ? Volatile.Read(ref box.Value) : 0;

    public void Add(string backendKey, long delta)
    {
        var box = _local.GetOrAdd(backendKey, static _ => new StrongBox<long>());
        Interlocked.Add(ref box.Value, delta);
        Volatile.Write(ref _dirty, 1);
    }

    /// <summary>The other members' sums per backend (what least-connections adds to this node's own).</summary>
    public FrozenDictionary<string, long> RemoteSums => _remoteSums;

    /// <summary>Whether a gauge moved since the last call (and clears the flag).</summary>
    internal bool TakeDirty() => Interlocked.Exchange(ref _dirty, 0) == 1;

    /// <summary>This node's gauges, zeros left out (a backend with nothing in flight costs nothing on the wire).</summary>
    internal NodeGauges Snapshot()
    {
        var gauges = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (backend, box) in _local)
        {
            var value = Volatile.Read(ref box.Value);
            if (value != 0)
            {
                gauges[backend] = value;
            }
        }

        return new NodeGauges(gauges);
    }

    /// <summary>Replaces the other members' sums (the gauge actor, after a change of data or membership).</summary>
    internal void SetRemote(IEnumerable<NodeGauges> others)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in others)
        {
            foreach (var (backend, value) in node.Gauges)
            {
                sums[backend] = sums.GetValueOrDefault(backend) + value;
            }
        }

        _remoteSums = sums.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
