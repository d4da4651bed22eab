using Appliance.Proxy.Model;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.Pipeline;

/// <summary>
/// The waiting part of a pick: try at once; if every eligible backend is full, wait in the
/// cluster's bounded queue until a slot frees or the queue timeout passes (then 503, as HAProxy
/// answers when <c>timeout queue</c> expires).
/// </summary>
internal static class SelectionQueue
{
    private const int RaceRetries = 3;

    public static async ValueTask<(DestinationState, BackendRuntime)?> AcquireAsync(
        BalancerMiddleware balancer, HttpContext context, ClusterRuntime cluster,
        IReadOnlyList<DestinationState> available, bool sticky, List<string>? tried)
    {
        var options = cluster.Options.Queue;
        var deadline = DateTime.UtcNow + options.Timeout;
        while (true)
        {
            var anyEligible = false;
            for (var i = 0; i < RaceRetries; i++)
            {
                if (balancer.TryPick(context, cluster, available, sticky, tried, out anyEligible) is { } picked)
                {
                    return picked;
                }

                if (!anyEligible)
                {
                    return Refuse(context, "no backend is available");
                }
            }

            var waiter = cluster.Queue.TryEnter(options.MaxLength);
            if (waiter is null)
            {
                return Refuse(context, "every backend is at its request limit and the queue is full");
            }

            try
            {
                // A slot may have freed between the last try and joining the queue.
                if (balancer.TryPick(context, cluster, available, sticky, tried, out _) is { } late)
                {
                    return late;
                }

                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero
                    || !await cluster.Queue.WaitAsync(waiter, remaining, TimeProvider.System, context.RequestAborted).ConfigureAwait(false))
                {
                    return Refuse(context, "no backend slot freed within the queue timeout");
                }
            }
            finally
            {
                cluster.Queue.Leave();
            }
        }
    }

    private static (DestinationState, BackendRuntime)? Refuse(HttpContext context, string reason)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        context.Features.Set(new RefusalFeature(reason));
        return null;
    }
}

/// <summary>Why the balancer answered 503 itself, for the access log.</summary>
internal sealed record RefusalFeature(string Reason);
