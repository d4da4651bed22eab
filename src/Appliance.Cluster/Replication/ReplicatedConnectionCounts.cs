using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Core.State;

namespace Appliance.Cluster.Replication;

/// <summary>
/// Cluster-wide in-flight counts. The hot path (<see cref="Add"/>) touches only this node's
/// lock-free gauge and marks the backend dirty; the replicator drains dirty gauges into a
/// <see cref="GaugeMap"/> delta, so a burst of +1/-1 costs one entry on the wire. <see cref="Get"/>
/// is this node's fresh gauge plus a snapshot of the other live nodes' sums.
/// </summary>
internal sealed class ReplicatedConnectionCounts : IConnectionCounts
{
    private ulong _node;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private GaugeMap _state = GaugeMap.Empty;
    private GaugeMap? _pending;
    private FrozenDictionary<string, long> _remoteSums = FrozenDictionary<string, long>.Empty;

    public ReplicatedConnectionCounts(ulong node) => _node = node;

    public long Get(string backendKey) => GetLocal(backendKey) + _remoteSums.GetValueOrDefault(backendKey);

    public long GetLocal(string backendKey) =>
        _local.TryGetValue(backendKey, out var box) ? Volatile.Read(ref box.Value) : 0;

    public void Add(string backendKey, long delta)
    {
        var box = _local.GetOrAdd(backendKey, static _ => new StrongBox<long>());
        Interlocked.Add(ref box.Value, delta);
        _dirty.TryAdd(backendKey, 0);
    }

    /// <summary>The delta of every gauge changed (and node dropped) since the last call; null when none.</summary>
    public GaugeMap? DrainDelta()
    {
        lock (_lock)
        {
            Flush();
            var pending = _pending;
            _pending = null;
            return pending;
        }
    }

    /// <summary>The whole map with this node's gauges current, for anti-entropy and full-state transfer.</summary>
    public GaugeMap FullState()
    {
        lock (_lock)
        {
            Flush();
            return _state;
        }
    }

    /// <summary>Joins what a peer sent.</summary>
    public void MergeRemote(GaugeMap remote)
    {
        lock (_lock)
        {
            _state = _state.Merge(remote);
            Recount();
        }
    }

    /// <summary>
    /// This node became a new incarnation (membership re-joined under a new uid, after it was
    /// downed or lost a partition merge): a new replica, which starts from its own gauges alone,
    /// republished under the new uid; the peers' come back with their deltas and anti-entropy, and
    /// the old uid is dropped once membership declares it gone. What the old incarnation learned is
    /// forgotten, its drops above all: while apart it downed the members of the cluster it now
    /// rejoins, and those keep their incarnations, so its drops (a grow-only set, joined by union)
    /// would erase their gauges on every node for good, their own included (found by the partition
    /// fault test: after a heal the cluster-wide counts left out the winners' connections).
    /// </summary>
    public void ChangeNode(ulong node)
    {
        lock (_lock)
        {
            if (node == _node)
            {
                return;
            }

            _node = node;
            _state = GaugeMap.Empty;
            _pending = null;
            foreach (var backend in _local.Keys)
            {
                _dirty.TryAdd(backend, 0);
            }

            Recount();
        }
    }

    /// <summary>Forgets a Down or Removed incarnation's gauges, and tells peers to as well.</summary>
    public void DropNode(ulong node)
    {
        if (node == _node)
        {
            return;
        }

        lock (_lock)
        {
            var (state, delta) = _state.DropNode(node);
            _state = state;
            _pending = _pending is null ? delta : _pending.Merge(delta);
            Recount();
        }
    }

    private void Flush()
    {
        foreach (var backend in _dirty.Keys)
        {
            _dirty.TryRemove(backend, out _);
            var (state, delta) = _state.Set(_node, backend, GetLocal(backend));
            _state = state;
            _pending = _pending is null ? delta : _pending.Merge(delta);
        }
    }

    private void Recount()
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (node, gauges) in _state.Nodes)
        {
            if (node == _node)
            {
                continue;
            }

            foreach (var (backend, gauge) in gauges)
            {
                sums[backend] = sums.GetValueOrDefault(backend) + gauge.Value;
            }
        }

        _remoteSums = sums.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
