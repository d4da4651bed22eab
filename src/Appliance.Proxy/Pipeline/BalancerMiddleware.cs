using System.Buffers;
using System.Diagnostics;
using Appliance.Core.Configuration;
using Appliance.Core.State;
using Appliance.Proxy.LoadBalancing;
using Appliance.Proxy.Model;
using Appliance.Proxy.SessionAffinity;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.Pipeline;

/// <summary>
/// Picks the backend for a request and accounts for it: sticky pin or balancing algorithm, the
/// per-backend request limit with a bounded queue, connection counts around the forward, status
/// counters, and a retry on another backend when an idempotent request could not be sent.
/// YARP is then left with exactly one destination.
/// </summary>
internal sealed class BalancerMiddleware(
    RequestDelegate next,
    BackendRegistry registry,
    IConnectionCounts counts,
    TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Route.Cluster is { } state ? registry.Find(state.ClusterId) : null;
        if (cluster is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var candidates = proxy.AvailableDestinations;
        var sticky = context.Features.Get<StickySessionFeature>()?.Affinitized == true;
        List<string>? tried = null;
        for (var attempt = 0; ; attempt++)
        {
            var picked = await SelectionQueue.AcquireAsync(this, context, cluster, candidates, sticky, tried).ConfigureAwait(false);
            if (picked is not var (destination, backend))
            {
                return; // a 503 has been set
            }

            proxy.AvailableDestinations = destination; // DestinationState is itself a one-item list
            counts.Add(backend.Key, 1);
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                counts.Add(backend.Key, -1);
                backend.Release();
                if (cluster.Queue.Waiting > 0)
                {
                    cluster.Queue.Signal();
                }
            }

            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null)
            {
                backend.Counters.Record(context.Response.StatusCode, Stopwatch.GetTimestamp() - started);
                return;
            }

            if (!Health.BackendFault.Is(error.Error))
            {
                return; // the client's doing (a broken body, a method YARP cannot forward): nothing to count against the backend
            }

            backend.Counters.RecordTransportError();
            if (attempt >= cluster.Options.Retries || !IsRetryable(context, error))
            {
                return;
            }

            (tried ??= []).Add(destination.DestinationId);
            candidates = proxy.Route.Cluster!.DestinationsState.AvailableDestinations;
            if (!HasUntried(cluster, candidates, tried))
            {
                tried.RemoveAt(tried.Count - 1);
                return; // nowhere else to go: the client gets YARP's 502, not a misleading 503
            }

            backend.Counters.RecordRetry();
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            sticky = false;
        }
    }

    private static bool HasUntried(ClusterRuntime cluster, IReadOnlyList<DestinationState> candidates, List<string> tried)
    {
        foreach (var destination in candidates)
        {
            if (!tried.Contains(destination.DestinationId)
                && cluster.Find(destination.DestinationId) is { AdminState: BackendAdminState.Ready, Weight: > 0 })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The backend never saw a request it could act on, the client has seen nothing, the method
    /// is idempotent and there is no body to replay: safe to send elsewhere.
    /// </summary>
    private static bool IsRetryable(HttpContext context, IForwarderErrorFeature error)
    {
        var request = context.Request;
        return error.Error is ForwarderError.Request
            && !context.Response.HasStarted
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
                || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method)
                || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method))
            && request.ContentLength is null or 0
            && !request.Headers.ContainsKey("Transfer-Encoding");
    }

    /// <summary>Builds the candidate list and runs the algorithm; null when nothing is eligible or free.</summary>
    internal (DestinationState, BackendRuntime)? TryPick(
        HttpContext context, ClusterRuntime cluster, IReadOnlyList<DestinationState> available,
        bool sticky, List<string>? tried, out bool anyEligible)
    {
        anyEligible = false;
        var now = time.GetUtcNow();
        var slowStart = cluster.Options.SlowStart;
        var pool = ArrayPool<BalancingCandidate>.Shared;
        var buffer = pool.Rent(available.Count);
        var owners = ArrayPool<(DestinationState, BackendRuntime)>.Shared.Rent(available.Count);
        try
        {
            var n = 0;
            foreach (var destination in available)
            {
                var backend = cluster.Find(destination.DestinationId);
                if (backend is null || (tried is not null && tried.Contains(destination.DestinationId)))
                {
                    continue;
                }

                // A pinned request may use a draining or weight-0 backend; new sessions may not.
                if (!sticky && (backend.AdminState != BackendAdminState.Ready || backend.Weight == 0))
                {
                    continue;
                }

                anyEligible = true;
                if (!backend.HasFreeSlot)
                {
                    continue;
                }

                var weight = Math.Max(backend.EffectiveWeight(now, slowStart), 1e-6);
                buffer[n] = new BalancingCandidate(destination.DestinationId, weight, counts.Get(backend.Key), Math.Max(1, backend.Weight));
                owners[n] = (destination, backend);
                n++;
            }

            if (n == 0)
            {
                return null;
            }

            var pick = cluster.Algorithm is ConsistentHashRing
                ? HashKeyReader.Read(context, cluster.Options.HashKey)
                : PickContext.None;
            var index = n == 1 ? 0 : cluster.Algorithm.Pick(buffer.AsSpan(0, n), pick);
            var chosen = owners[index];
            return chosen.Item2.TryAcquire() ? chosen : null;
        }
        finally
        {
            pool.Return(buffer, clearArray: true);
            ArrayPool<(DestinationState, BackendRuntime)>.Shared.Return(owners, clearArray: true);
        }
    }
}
