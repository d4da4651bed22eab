using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// The connection pools of the direct forwarder, one per backend address, and the sweep that
/// closes connections left idle too long (before most backends time them out themselves) and
/// drops pools no destination has used for a while (a reload removed the backend).
/// </summary>
internal sealed class BackendConnectionPools : IDisposable
{
    /// <summary>Idle connections older than this are closed. nginx keeps them 75 s, Apache httpd 5 s; a race with the backend's own close is retried.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(50);

    private const int MaxIdlePerBackend = 1024;
    private readonly ConcurrentDictionary<string, BackendConnectionPool> _pools = new(StringComparer.OrdinalIgnoreCase);
    private readonly ITimer _sweep;

    public BackendConnectionPools(TimeProvider time) =>
        _sweep = time.CreateTimer(static s => ((BackendConnectionPools)s!).Sweep(), this, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

    /// <summary>The pool for a destination's authority ("host:port").</summary>
    public BackendConnectionPool For(string authority, string host, int port) =>
        _pools.TryGetValue(authority, out var pool)
            ? pool
            : _pools.GetOrAdd(authority, static (_, a) => new BackendConnectionPool(EndpointOf(a.host, a.port), MaxIdlePerBackend), (host, port));

    public int IdleConnections => _pools.Values.Sum(p => p.IdleCount);

    internal void Sweep()
    {
        foreach (var (key, pool) in _pools)
        {
            if (pool.CloseIdle(IdleTimeout) == 0 && Stopwatch.GetElapsedTime(pool.LastUsed) > IdleTimeout * 2)
            {
                _pools.TryRemove(key, out _);
                pool.CloseAll(); // a request may have returned one since the sweep looked
            }
        }
    }

    private static EndPoint EndpointOf(string host, int port) =>
        IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool.CloseAll();
        }
    }
}
