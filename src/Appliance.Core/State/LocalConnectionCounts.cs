using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Appliance.Core.State;

/// <summary>Single-node counts: lock-free per-backend gauges.</summary>
public sealed class LocalConnectionCounts : IConnectionCounts
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _gauges = new(StringComparer.Ordinal);

    public long Get(string backendKey) => GetLocal(backendKey);

    public long GetLocal(string backendKey) =>
        _gauges.TryGetValue(backendKey, out var box) ? Volatile.Read(ref box.Value) : 0;

    public void Add(string backendKey, long delta)
    {
        var box = _gauges.GetOrAdd(backendKey, static _ => new StrongBox<long>());
        Interlocked.Add(ref box.Value, delta);
    }
}
