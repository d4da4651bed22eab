using System.Collections.Concurrent;
using Appliance.Core.Configuration;
using Appliance.Proxy.Model;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.Health;

/// <summary>
/// Passive health policy "AppliancePassive", fed by YARP after every proxied attempt (retries
/// included). Failures are transport errors, plus 5xx answers when CountServerErrors is set.
/// A tripped backend is marked unhealthy until the reactivation period passes (YARP restores it).
/// </summary>
internal sealed class AppliancePassiveHealthPolicy(
    IDestinationHealthUpdater healthUpdater,
    ConfigStore configStore,
    TimeProvider time) : IPassiveHealthCheckPolicy
{
    private readonly ConcurrentDictionary<string, PassiveFailureTracker> _trackers = new(StringComparer.Ordinal);

    public string Name => PolicyNames.AppliancePassive;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var options = configStore.Current.Balancing.For(cluster.ClusterId).PassiveHealthCheck;
        if (!options.Enabled)
        {
            return;
        }

        var failed = context.Features.Get<IForwarderErrorFeature>() is not null
            || (options.CountServerErrors && context.Response.StatusCode >= 500);
        var key = $"{cluster.ClusterId}/{destination.DestinationId}";
        var tracker = _trackers.AddOrUpdate(key,
            static (_, o) => new PassiveFailureTracker(o),
            static (_, existing, o) => ReferenceEquals(existing.Options, o) ? existing : new PassiveFailureTracker(o),
            options);

        if (tracker.Record(failed, time.GetUtcNow()))
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, options.ReactivationPeriod);
        }
    }
}
