using System.Net;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Metrics;

/// <summary>/metrics scraped and parsed as Prometheus would; the counters move with traffic.</summary>
public sealed class MetricsTests(AdminNodeFixture fixture) : IClassFixture<AdminNodeFixture>
{
    private AdminNode Node => fixture.Node;

    private async Task<PrometheusText.Scrape> ScrapeAsync()
    {
        using var admin = Node.Local();
        using var response = await admin.GetAsync(AdminPaths.Metrics);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Scrape_ParsesAsTheExpositionFormat_WithConventionalFamilies()
    {
        var scrape = await ScrapeAsync();

        Assert.Equal("counter", scrape.Types["appliance_http_requests_total"]);
        Assert.Equal("histogram", scrape.Types["appliance_http_request_duration_seconds"]);
        foreach (var gauge in new[]
        {
            "appliance_backend_active_requests", "appliance_backend_active_requests_cluster", "appliance_backend_up",
            "appliance_backend_health", "appliance_backend_admin_state", "appliance_backend_weight", "appliance_queue_waiting",
            "appliance_node_ready", "appliance_node_info", "appliance_config_revision", "appliance_sticky_sessions",
        })
        {
            Assert.Equal("gauge", scrape.Types[gauge]);
        }

        foreach (var counter in new[]
        {
            "appliance_config_reloads_total", "appliance_config_reload_failures_total", "appliance_rate_limit_rejections_total",
            "appliance_queue_rejections_total", "appliance_queue_timeouts_total", "appliance_admin_unauthorized_total",
            "appliance_backend_transport_errors_total", "appliance_backend_retries_total",
        })
        {
            Assert.Equal("counter", scrape.Types[counter]);
        }

        Assert.Equal(1, scrape.Value("appliance_node_ready"));
        Assert.Equal(1, scrape.Value("appliance_node_info", ("node", "test")));
        Assert.Equal(1, scrape.Value("appliance_backend_admin_state", ("cluster", "web"), ("backend", "backend-1"), ("state", "ready")));
        Assert.Equal(0, scrape.Value("appliance_backend_admin_state", ("cluster", "web"), ("backend", "backend-1"), ("state", "drain")));
        Assert.Equal(1, scrape.Value("appliance_backend_up", ("cluster", "web"), ("backend", "backend-1")));
        Assert.Equal(1, scrape.Value("appliance_backend_health", ("cluster", "web"), ("backend", "backend-1"), ("check", "active"), ("state", "unknown")));
    }

    [Fact]
    public async Task ProcessAndRuntime_AreReported_WithPlausibleValues()
    {
        var scrape = await ScrapeAsync();

        Assert.Equal("gauge", scrape.Types["process_resident_memory_bytes"]);
        Assert.Equal("counter", scrape.Types["process_cpu_seconds_total"]);
        Assert.Equal("counter", scrape.Types["dotnet_gc_collections_total"]);
        Assert.InRange(scrape.Value("process_resident_memory_bytes"), 10e6, 4e9);
        Assert.True(scrape.Value("process_cpu_seconds_total") > 0);
        Assert.InRange(scrape.Value("process_open_fds"), 10, 100_000); // sockets, the runtime's files, pipes
        Assert.True(scrape.Value("dotnet_gc_allocated_bytes_total") > scrape.Value("dotnet_gc_heap_size_bytes") / 2);
        Assert.True(scrape.Value("dotnet_threadpool_threads") >= 1);
    }

    [Fact]
    public async Task Counters_MoveWithTraffic_RequestsDurationsAndRateLimits()
    {
        var before = await ScrapeAsync();
        var served = await Node.TrafficAsync(9, "/metrics-test");
        var after = await ScrapeAsync();
        using (var data = Node.Data())
        {
            for (var i = 0; i < 4; i++)
            {
                using var _ = await data.GetAsync(new Uri("/limited/", UriKind.Relative));
            }
        }

        var limited = await ScrapeAsync();

        foreach (var (backend, count) in served)
        {
            (string, string)[] labels = [("cluster", "web"), ("backend", backend)];
            Assert.Equal(count, Delta("appliance_http_requests_total", [.. labels, ("code", "2xx")]));
            Assert.Equal(count, Delta("appliance_http_request_duration_seconds_count", labels));
            Assert.True(Delta("appliance_http_request_duration_seconds_sum", labels) > 0);
        }

        Assert.Equal(0, Delta("appliance_http_requests_total", ("cluster", "web"), ("backend", "backend-1"), ("code", "5xx")));
        Assert.True(limited.Value("appliance_rate_limit_rejections_total", ("route", "limited")) >= 2);

        double Delta(string name, params (string, string)[] labels) =>
            after.Value(name, labels) - before.Value(name, labels);
    }

    [Fact]
    public async Task AdminState_Gauges_FollowActions()
    {
        using var admin = Node.Local();
        await admin.PostAsync(AdminPaths.BackendState("sticky", "backend-1", "drain"), null);
        var drained = await ScrapeAsync();
        await admin.PostAsync(AdminPaths.BackendState("sticky", "backend-1", "ready"), null);

        Assert.Equal(1, drained.Value("appliance_backend_admin_state", ("cluster", "sticky"), ("backend", "backend-1"), ("state", "drain")));
        Assert.Equal(0, drained.Value("appliance_backend_admin_state", ("cluster", "sticky"), ("backend", "backend-1"), ("state", "ready")));
        Assert.True(drained.Value("appliance_admin_actions_total", ("action", "backend_drain")) >= 1);
    }
}
