using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Node.Hosting;
using Appliance.Proxy;

namespace Appliance.Node.Management;

/// <summary>The node's own metrics: identity, readiness, start time, configuration revision and reloads.</summary>
internal sealed class NodeMetricsSource(NodeStatusSource status, ConfigStore store, ConfigReloader? reloader = null) : IMetricsSource
{
    public void Write(PrometheusWriter w)
    {
        var current = status.Current();
        w.Gauge("appliance_node_info", "Always 1; the labels say which node and version answer.");
        w.Sample("appliance_node_info", 1, ("node", current.Name), ("version", current.Version));
        w.Gauge("appliance_node_ready", "1 when the node serves traffic (configuration applied, listeners bound, not shutting down).");
        w.Sample("appliance_node_ready", current.Ready ? 1 : 0);
        w.Gauge("appliance_node_start_time_seconds", "When the node started, in seconds since the Unix epoch.");
        w.Sample("appliance_node_start_time_seconds", status.StartedAt.ToUnixTimeMilliseconds() / 1000.0);

        w.Gauge("appliance_config_revision", "Revision of the configuration in force (1 at start, +1 per applied reload).");
        w.Sample("appliance_config_revision", store.Revision);
        w.Gauge("appliance_config_last_applied_timestamp_seconds", "When the configuration in force was applied, in seconds since the Unix epoch.");
        w.Sample("appliance_config_last_applied_timestamp_seconds", store.Revision > 0 ? store.AppliedAt.ToUnixTimeMilliseconds() / 1000.0 : 0);
        w.Counter("appliance_config_reloads_total", "Reloads attempted (file change, SIGHUP, admin API), applied or not.");
        w.Sample("appliance_config_reloads_total", reloader?.Attempts ?? 0);
        w.Counter("appliance_config_reload_failures_total", "Reloads refused (invalid file; the last good configuration kept running) or failed.");
        w.Sample("appliance_config_reload_failures_total", reloader?.Failures ?? 0);
    }
}
