using System.Buffers;
using System.Net;
using Appliance.Core.Configuration;
using Appliance.Core.State;
using Appliance.Proxy.LoadBalancing;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Chooses the backend for a new TCP connection, with no I/O: a live sticky pin by client IP first
/// (honoured even on a draining or weight-0 backend, as HAProxy honours persistence), otherwise the
/// pool's algorithm over backends that are up, ready and weighted, with cluster-wide connection
/// counts for least-connections and the client address as the consistent-hash key. The chosen
/// backend's slot is taken before returning.
/// </summary>
internal sealed class TcpBackendSelector(ISessionStore sessions, IConnectionCounts counts)
{
    /// <summary>The session-table key of a client's pin: <c>tcp/{pool}/{ip}</c>.</summary>
    public static string PinKey(string poolId, IPAddress client) =>
        $"tcp/{poolId}/{(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client)}";

    /// <param name="pool">The pool to choose from.</param>
    /// <param name="client">The client's address (from a trusted PROXY header when there was one).</param>
    /// <param name="tried">Backends whose connect already failed for this connection.</param>
    /// <param name="now">The current time, for pins, passive rests and slow start.</param>
    public TcpSelection Select(TcpPoolRuntime pool, IPAddress client, IReadOnlyList<TcpBackendRuntime>? tried, DateTimeOffset now)
    {
        var options = pool.Options;
        if (options.Sticky.Enabled && sessions.TryGet(PinKey(pool.Id, client), now, out var pin)
            && pool.Find(pin.Backend) is { } pinned && !Contains(tried, pinned)
            && pinned.Core.AdminState != BackendAdminState.Maint && pinned.IsUp(now))
        {
            // A full pinned backend keeps its client waiting rather than breaking the pin.
            return pinned.Core.TryAcquire() ? new(TcpSelectionOutcome.Picked, pinned, true) : TcpSelection.Full;
        }

        var backends = pool.Backends;
        var candidates = ArrayPool<BalancingCandidate>.Shared.Rent(backends.Count);
        var owners = ArrayPool<TcpBackendRuntime>.Shared.Rent(backends.Count);
        try
        {
            var n = 0;
            var anyEligible = false;
            foreach (var backend in backends)
            {
                var core = backend.Core;
                if (core.AdminState != BackendAdminState.Ready || core.Weight == 0 || Contains(tried, backend) || !backend.IsUp(now))
                {
                    continue;
                }

                anyEligible = true;
                if (!core.HasFreeSlot)
                {
                    continue;
                }

                var weight = Math.Max(core.EffectiveWeight(now, options.SlowStart), 1e-6);
                candidates[n] = new BalancingCandidate(backend.Id, weight, counts.Get(backend.Key), Math.Max(1, core.Weight));
                owners[n] = backend;
                n++;
            }

            if (n == 0)
            {
                return anyEligible ? TcpSelection.Full : TcpSelection.None;
            }

            var context = pool.Algorithm is ConsistentHashRing ? HashKeyReader.OfAddress(client) : PickContext.None;
            var chosen = owners[n == 1 ? 0 : pool.Algorithm.Pick(candidates.AsSpan(0, n), context)];
            return chosen.Core.TryAcquire() ? new(TcpSelectionOutcome.Picked, chosen, false) : TcpSelection.Full;
        }
        finally
        {
            ArrayPool<BalancingCandidate>.Shared.Return(candidates, clearArray: true);
            ArrayPool<TcpBackendRuntime>.Shared.Return(owners, clearArray: true);
        }
    }

    /// <summary>Pins the client to the backend it was just connected to (or refreshes the pin).</summary>
    public void Pin(TcpPoolRuntime pool, IPAddress client, TcpBackendRuntime backend, DateTimeOffset now)
    {
        var sticky = pool.Options.Sticky;
        if (sticky.Enabled)
        {
            sessions.Put(PinKey(pool.Id, client), backend.Id, sticky.IdleTimeout, now);
        }
    }

    private static bool Contains(IReadOnlyList<TcpBackendRuntime>? tried, TcpBackendRuntime backend)
    {
        if (tried is null)
        {
            return false;
        }

        for (var i = 0; i < tried.Count; i++)
        {
            if (ReferenceEquals(tried[i], backend))
            {
                return true;
            }
        }

        return false;
    }
}
