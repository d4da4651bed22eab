using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Proxy.Tcp;

namespace Appliance.Node.Management;

/// <summary>
/// The TCP data plane's metrics: per listener, connections accepted, refused and open; per pool
/// backend, connections made, failed connects, open connections (this node and cluster-wide),
/// health, admin state and weight; per pool, the queue.
/// </summary>
internal sealed class TcpMetricsSource(TcpBackendAdmin backends, TcpListenerManager? listeners = null) : IMetricsSource
{
    private static readonly string[] AdminStates = ["ready", "drain", "maint"];

    public void Write(PrometheusWriter w)
    {
        var running = listeners?.Listeners() ?? [];
        w.Counter("appliance_tcp_listener_accepted_total", "Client connections a TCP listener accepted.");
        w.Samples("appliance_tcp_listener_accepted_total", running, "listener", l => l.Name, l => l.Accepted);

        w.Counter("appliance_tcp_listener_refused_total", "Client connections a TCP listener closed at once: over its limit, queue full or timed out, or no backend.");
        w.Samples("appliance_tcp_listener_refused_total", running, "listener", l => l.Name, l => l.Refused);

        w.Gauge("appliance_tcp_listener_active_connections", "Client connections a TCP listener holds now.");
        w.Samples("appliance_tcp_listener_active_connections", running, "listener", l => l.Name, l => l.Active);

        var pools = backends.Snapshot();
        var all = pools.SelectMany(p => p.Backends).ToList();
        w.Counter("appliance_tcp_backend_connections_total", "Connections made to the TCP backend.");
        Each(w, all, "appliance_tcp_backend_connections_total", b => b.Requests);
        w.Counter("appliance_tcp_backend_connect_failures_total", "Connects to the TCP backend that failed or timed out.");
        Each(w, all, "appliance_tcp_backend_connect_failures_total", b => b.TransportErrors);
        w.Gauge("appliance_tcp_backend_active_connections", "Connections this node has open to the TCP backend.");
        Each(w, all, "appliance_tcp_backend_active_connections", b => b.InFlightLocal);
        w.Gauge("appliance_tcp_backend_active_connections_cluster", "Connections every node of the cluster has open to the TCP backend.");
        Each(w, all, "appliance_tcp_backend_active_connections_cluster", b => b.InFlightCluster);
        w.Gauge("appliance_tcp_backend_up", "1 when health checks let the TCP backend take connections, else 0 (admin state aside).");
        Each(w, all, "appliance_tcp_backend_up", b => b.Available ? 1 : 0);
        w.Gauge("appliance_tcp_backend_weight", "Weight in force (a runtime override or the file's).");
        Each(w, all, "appliance_tcp_backend_weight", b => b.Weight);
        w.Gauge("appliance_tcp_backend_admin_state", "Admin state: 1 for the current state (ready, drain, maint), 0 for the others.");
        foreach (var b in all)
        {
            foreach (var state in AdminStates)
            {
                w.Sample("appliance_tcp_backend_admin_state", state == b.AdminState ? 1 : 0, ("pool", b.Cluster), ("backend", b.Id), ("state", state));
            }
        }

        w.Gauge("appliance_tcp_queue_waiting", "Connections waiting for a TCP backend slot now.");
        w.Samples("appliance_tcp_queue_waiting", pools, "pool", p => p.Id, p => p.QueueWaiting);
    }

    private static void Each(PrometheusWriter w, IEnumerable<BackendSnapshot> all, string name, Func<BackendSnapshot, double> value)
    {
        foreach (var b in all)
        {
            w.Sample(name, value(b), ("pool", b.Cluster), ("backend", b.Id));
        }
    }
}
