using Appliance.Core.State;
using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Proxy.Edge;
using Appliance.Proxy.Forwarding;
using Appliance.Proxy.Model;
using Appliance.Proxy.RateLimiting;

namespace Appliance.Node.Management;

/// <summary>
/// The data plane's metrics: requests by cluster, backend and status class; request durations;
/// requests in flight (this node and cluster-wide); health, admin state and weight; queue and
/// rate-limit refusals; sticky sessions held; client connections per listener.
/// </summary>
internal sealed class ProxyMetricsSource(
    ProxyBackendAdmin backends,
    BackendRegistry registry,
    RateLimitRejections rateLimits,
    ISessionStore sessions,
    ListenerConnections listeners,
    ForwarderStats forwarders,
    BackendConnectionPools pools) : IMetricsSource
{
    private static readonly string[] Classes = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"];
    private static readonly string[] HealthStates = ["healthy", "unhealthy", "unknown"];
    private static readonly string[] AdminStates = ["ready", "drain", "maint"];

    public void Write(PrometheusWriter w)
    {
        var clusters = backends.Snapshot();
        var all = clusters.SelectMany(c => c.Backends).ToList();

        w.Counter("appliance_http_requests_total", "Requests answered by a backend, by cluster, backend and status class (code=1xx..5xx).");
        foreach (var b in all)
        {
            for (var i = 1; i < Classes.Length; i++)
            {
                w.Sample("appliance_http_requests_total", b.Responses[i], ("cluster", b.Cluster), ("backend", b.Id), ("code", Classes[i]));
            }

            if (b.Responses[0] > 0)
            {
                w.Sample("appliance_http_requests_total", b.Responses[0], ("cluster", b.Cluster), ("backend", b.Id), ("code", Classes[0]));
            }
        }

        w.Histogram("appliance_http_request_duration_seconds", "Time from sending a request to a backend to the end of its answer.");
        foreach (var b in all)
        {
            w.Histogram("appliance_http_request_duration_seconds", b.Duration, ("cluster", b.Cluster), ("backend", b.Id));
        }

        w.Counter("appliance_http_forwarded_total", "Proxied requests by forwarder: direct (the proxy's own HTTP/1.1 forwarder) or yarp (YARP's, for what the direct one does not handle).");
        w.Sample("appliance_http_forwarded_total", forwarders.Direct, ("forwarder", "direct"));
        w.Sample("appliance_http_forwarded_total", forwarders.Yarp, ("forwarder", "yarp"));
        w.Counter("appliance_http_stale_connection_retries_total", "Requests sent again on a new connection because the backend closed the kept-alive one as the request went out.");
        w.Sample("appliance_http_stale_connection_retries_total", forwarders.StaleRetries);
        w.Gauge("appliance_http_idle_backend_connections", "Kept-alive connections to backends the direct forwarder holds for reuse.");
        w.Sample("appliance_http_idle_backend_connections", pools.IdleConnections);

        w.Counter("appliance_backend_transport_errors_total", "Attempts that got no answer from the backend (connect or send failures).");
        Each(w, all, "appliance_backend_transport_errors_total", b => b.TransportErrors);
        w.Counter("appliance_backend_retries_total", "Requests sent again to another backend after this one could not be reached.");
        Each(w, all, "appliance_backend_retries_total", b => registry.Find(b.Cluster)?.Find(b.Id)?.Counters.Retries ?? 0);
        w.Gauge("appliance_backend_active_requests", "Requests this node has in flight to the backend.");
        Each(w, all, "appliance_backend_active_requests", b => b.InFlightLocal);
        w.Gauge("appliance_backend_active_requests_cluster", "Requests every node of the cluster has in flight to the backend (this node's alone while it runs alone).");
        Each(w, all, "appliance_backend_active_requests_cluster", b => b.InFlightCluster);
        w.Gauge("appliance_backend_up", "1 when health checks let the backend take traffic, else 0 (admin state aside).");
        Each(w, all, "appliance_backend_up", b => b.Available ? 1 : 0);

        w.Gauge("appliance_backend_health", "Health by check (active, passive): 1 for the current state, 0 for the others.");
        foreach (var b in all)
        {
            foreach (var (check, current) in new[] { ("active", b.ActiveHealth), ("passive", b.PassiveHealth) })
            {
                foreach (var state in HealthStates)
                {
                    w.Sample("appliance_backend_health", state == current ? 1 : 0, ("cluster", b.Cluster), ("backend", b.Id), ("check", check), ("state", state));
                }
            }
        }

        w.Gauge("appliance_backend_admin_state", "Admin state: 1 for the current state (ready, drain, maint), 0 for the others.");
        foreach (var b in all)
        {
            foreach (var state in AdminStates)
            {
                w.Sample("appliance_backend_admin_state", state == b.AdminState ? 1 : 0, ("cluster", b.Cluster), ("backend", b.Id), ("state", state));
            }
        }

        w.Gauge("appliance_backend_weight", "Weight in force (a runtime override or the file's).");
        Each(w, all, "appliance_backend_weight", b => b.Weight);

        w.Gauge("appliance_queue_waiting", "Requests waiting for a backend slot now.");
        w.Samples("appliance_queue_waiting", clusters, "cluster", c => c.Id, c => c.QueueWaiting);

        w.Counter("appliance_queue_rejections_total", "Requests answered 503 because the cluster's queue was full.");
        w.Samples("appliance_queue_rejections_total", clusters, "cluster", c => c.Id, c => c.QueueRejected);

        w.Counter("appliance_queue_timeouts_total", "Requests answered 503 because no backend slot freed within the queue timeout.");
        w.Samples("appliance_queue_timeouts_total", clusters, "cluster", c => c.Id, c => c.QueueTimedOut);

        w.Counter("appliance_rate_limit_rejections_total", "Requests answered 429 by a route's per-client rate limit.");
        foreach (var (route, rejected) in rateLimits.Snapshot())
        {
            w.Sample("appliance_rate_limit_rejections_total", rejected, ("route", route));
        }

        w.Gauge("appliance_sticky_sessions", "Sticky sessions held in the session table.");
        w.Sample("appliance_sticky_sessions", sessions.Count);

        var connections = listeners.All;
        w.Gauge("appliance_listener_connections", "Client connections open now on each HTTP listener.");
        w.Samples("appliance_listener_connections", connections, "listener", l => l.Listener, l => l.Open);

        w.Counter("appliance_listener_connections_refused_total", "Client connections closed at once because the listener held its MaxConnections.");
        w.Samples("appliance_listener_connections_refused_total", connections, "listener", l => l.Listener, l => l.Refused);
    }

    private static void Each(PrometheusWriter w, IEnumerable<BackendSnapshot> all, string name, Func<BackendSnapshot, double> value)
    {
        foreach (var b in all)
        {
            w.Sample(name, value(b), ("cluster", b.Cluster), ("backend", b.Id));
        }
    }
}
