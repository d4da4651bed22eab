using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Appliance.Proxy.RateLimiting;

/// <summary>Requests answered 429 by each route's rate limit, since start (kept across reloads, for metrics).</summary>
internal sealed class RateLimitRejections
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _byRoute = new(StringComparer.Ordinal);

    public void Record(string routeId) =>
        Interlocked.Increment(ref _byRoute.GetOrAdd(routeId, static _ => new StrongBox<long>()).Value);

    /// <summary>Every route that has refused at least once, with its count.</summary>
    public IEnumerable<(string Route, long Rejected)> Snapshot() =>
        _byRoute.Select(p => (p.Key, Volatile.Read(ref p.Value.Value))).OrderBy(p => p.Key, StringComparer.Ordinal);
}
