using System.Collections.Concurrent;
using Appliance.Core.Configuration;
using Appliance.Proxy.Model;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.Health;

/// <summary>
/// Active health policy "RiseFall": YARP sends the probes (path, interval, timeout from the
/// cluster's HealthCheck.Active); this policy judges each answer against the expected status
/// ranges and applies rise/fall counts from the Balancing section. A down backend coming back up
/// starts its slow-start ramp.
/// </summary>
internal sealed class RiseFallHealthPolicy(
    IDestinationHealthUpdater healthUpdater,
    BackendRegistry registry,
    ConfigStore configStore,
    TimeProvider time) : IActiveHealthCheckPolicy
{
    private readonly ConcurrentDictionary<string, RiseFallCounter> _counters = new(StringComparer.Ordinal);

    public string Name => PolicyNames.RiseFall;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        var options = configStore.Current.Balancing.For(cluster.ClusterId).HealthCheck;
        var expected = StatusRanges.Parse(options.ExpectedStatus);
        var runtime = registry.Find(cluster.ClusterId);
        var updates = new List<NewActiveDestinationHealth>(probingResults.Count);
        foreach (var result in probingResults)
        {
            var good = result.Response is { } response && expected.Contains((int)response.StatusCode);
            var key = $"{cluster.ClusterId}/{result.Destination.DestinationId}";
            var before = _counters.GetValueOrDefault(key, RiseFallCounter.Initial);
            var after = before.Next(good, options.Rise, options.Fall);
            _counters[key] = after;

            if (before.Verdict == ProbeVerdict.Unhealthy && after.Verdict == ProbeVerdict.Healthy)
            {
                runtime?.Find(result.Destination.DestinationId)?.MarkRecovered(time.GetUtcNow());
            }

            updates.Add(new NewActiveDestinationHealth(result.Destination, after.Verdict switch
            {
                ProbeVerdict.Healthy => DestinationHealth.Healthy,
                ProbeVerdict.Unhealthy => DestinationHealth.Unhealthy,
                _ => DestinationHealth.Unknown,
            }));
        }

        healthUpdater.SetActive(cluster, updates);
    }
}
