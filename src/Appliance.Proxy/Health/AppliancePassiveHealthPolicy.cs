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
/// included). Failures are the backend's transport errors (<see cref="BackendFault"/>: not those a
/// client causes), plus 5xx answers when CountServerErrors is set. A tripped backend is marked
/// unhealthy until the reactivation period passes (YARP restores it); its slow-start ramp is set to
/// begin at that moment.
/// </summary>
internal sealed class AppliancePassiveHealthPolicy(
    IDestinationHealthUpdater healthUpdater,
    ConfigStore configStore,
    BackendRegistry registry,
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

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is not null && !BackendFault.Is(error.Error))
        {
            return; // the client's fault: says nothing about the backend either way
        }

        var failed = error is not null || (options.CountServerErrors && context.Response.StatusCode >= 500);
        var key = $"{cluster.ClusterId}/{destination.DestinationId}";
        var tracker = _trackers.AddOrUpdate(key,
            static (_, o) => new PassiveFailureTracker(o),
            static (_, existing, o) => ReferenceEquals(existing.Options, o) ? existing : new PassiveFailureTracker(o),
            options);

        var now = time.GetUtcNow();
        if (tracker.Record(failed, now))
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, options.ReactivationPeriod);
            registry.Find(cluster.ClusterId)?.Find(destination.DestinationId)?.MarkRecovered(now + options.ReactivationPeriod);
        }
    }
}
