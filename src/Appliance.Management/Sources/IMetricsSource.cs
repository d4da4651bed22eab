using Appliance.Management.Metrics;

namespace Appliance.Management.Sources;

/// <summary>
/// Writes some metric families into a scrape. Several may be registered (proxy, cluster, VIPs);
/// each family must come from one source only.
/// </summary>
public interface IMetricsSource
{
    /// <summary>Writes this source's families.</summary>
    void Write(PrometheusWriter writer);
}
