using Appliance.Core.Configuration;
using Appliance.Proxy.Model;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.Pipeline;

/// <summary>
/// First step after routing: removes backends in maint from the candidates, before affinity
/// looks at them, so a sticky session to a backend in maint is re-pinned. Drained backends stay:
/// affinity may still use them; the balancer skips them for new sessions. The filtered list is
/// cached per (health snapshot, admin version), so the common case allocates nothing.
/// </summary>
internal sealed class AdminStateFilterMiddleware(RequestDelegate next, BackendRegistry registry)
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<DestinationState>, CachedList> _cache = new();

    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Route.Cluster is { } state ? registry.Find(state.ClusterId) : null;
        if (cluster is not null)
        {
            proxy.AvailableDestinations = Filter(proxy.AvailableDestinations, cluster);
        }

        return next(context);
    }

    private IReadOnlyList<DestinationState> Filter(IReadOnlyList<DestinationState> available, ClusterRuntime cluster)
    {
        var version = cluster.Version;
        if (_cache.TryGetValue(available, out var cached) && cached.Version == version)
        {
            return cached.List;
        }

        var list = new List<DestinationState>(available.Count);
        foreach (var destination in available)
        {
            if (cluster.Find(destination.DestinationId)?.AdminState != BackendAdminState.Maint)
            {
                list.Add(destination);
            }
        }

        _cache.AddOrUpdate(available, new CachedList(version, list));
        return list;
    }

    private sealed record CachedList(int Version, IReadOnlyList<DestinationState> List);
}
