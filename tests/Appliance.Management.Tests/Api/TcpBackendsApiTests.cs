using System.Net.Sockets;
using System.Text;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Api;

/// <summary>TCP pools through the admin API: listed, drained, weighted and counted like HTTP clusters, in their own id space.</summary>
public sealed class TcpBackendsApiTests(AdminNodeFixture fixture) : IClassFixture<AdminNodeFixture>
{
    private AdminNode Node => fixture.Node;

    [Fact]
    public async Task List_ShowsPoolBackendsWithHealthStateAndConnectionCounts()
    {
        using var admin = Node.Local();
        var before = Total(await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.TcpBackends), AdminJson.Context.BackendsResponse));

        var seen = await ConnectionsAsync(6);
        var after = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.TcpBackends), AdminJson.Context.BackendsResponse);

        var pool = Assert.Single(after.Clusters);
        Assert.Equal("db", pool.Id);
        Assert.Equal("RoundRobin", pool.Policy);
        Assert.Equal(["backend-1", "backend-2", "backend-3"], pool.Backends.Select(b => b.Id));
        Assert.All(pool.Backends, b => Assert.Equal("ready", b.AdminState));
        Assert.All(pool.Backends, b => Assert.True(b.Health.Available));
        Assert.Equal(Node.Backends.All.Select(b => $"{b.Url.Host}:{b.Url.Port}"), pool.Backends.Select(b => b.Address));
        Assert.Equal(6, Total(after) - before);
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public async Task Drain_StopsNewConnections_Weight_Overrides_ReadyBringsItBack()
    {
        using var admin = Node.Local();

        var drained = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.BackendState("db", "backend-2", "drain", AdminPaths.TcpBackends), null),
            AdminJson.Context.BackendActionResult);
        var during = await ConnectionsAsync(9);
        using var weightBody = new StringContent("{\"weight\": 7}", Encoding.UTF8, "application/json");
        var weighted = await ApiAssert.OkAsync(await admin.PutAsync(AdminPaths.BackendWeight("db", "backend-1", AdminPaths.TcpBackends), weightBody),
            AdminJson.Context.BackendActionResult);
        using var resetBody = new StringContent("{\"weight\": 1}", Encoding.UTF8, "application/json");
        await ApiAssert.OkAsync(await admin.PutAsync(AdminPaths.BackendWeight("db", "backend-1", AdminPaths.TcpBackends), resetBody),
            AdminJson.Context.BackendActionResult);
        var ready = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.BackendState("db", "backend-2", "ready", AdminPaths.TcpBackends), null),
            AdminJson.Context.BackendActionResult);
        var http = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backend("web", "backend-2")), AdminJson.Context.BackendInfo);

        Assert.Equal("drain", drained.Backend.AdminState);
        Assert.Equal("db", drained.Backend.Cluster);
        Assert.Contains("applied on this node only", drained.Message, StringComparison.Ordinal);
        Assert.False(during.ContainsKey("backend-2"), $"a drained TCP backend got new connections: {string.Join(", ", during)}");
        Assert.Equal(9, during.Values.Sum());
        Assert.Equal(7, weighted.Backend.Weight);
        Assert.Equal(1, weighted.Backend.ConfiguredWeight);
        Assert.Equal("ready", ready.Backend.AdminState);
        Assert.Equal("ready", http.AdminState); // the HTTP cluster's backend of the same name is another backend
    }

    [Fact]
    public async Task UnknownPoolOrBackend_Is404WithTheNamesThereAre()
    {
        using var admin = Node.Local();

        var noPool = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.BackendState("web", "backend-1", "drain", AdminPaths.TcpBackends), null), 404);
        var noBackend = await ApiAssert.ProblemAsync(await admin.GetAsync(AdminPaths.Backend("db", "nope", AdminPaths.TcpBackends)), 404);
        var filtered = await ApiAssert.ProblemAsync(await admin.GetAsync(AdminPaths.TcpBackends + "?cluster=web"), 404);

        Assert.Equal("no pool 'web' on this node; pools: 'db'.", noPool.Detail);
        Assert.Equal("pool 'db' has no backend 'nope'; its backends: 'backend-1', 'backend-2', 'backend-3'.", noBackend.Detail);
        Assert.Contains("no pool 'web'", filtered.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountListenerAndBackendConnections()
    {
        using var admin = Node.Local();
        await ConnectionsAsync(3);

        var text = await admin.GetStringAsync(new Uri(AdminPaths.Metrics, UriKind.Relative));
        var metrics = PrometheusText.Parse(text);

        Assert.True(metrics.Value("appliance_tcp_listener_accepted_total", ("listener", "db")) >= 3);
        Assert.True(metrics.Value("appliance_tcp_backend_connections_total", ("pool", "db"), ("backend", "backend-1")) >= 1);
        Assert.Equal(1, metrics.Value("appliance_tcp_backend_up", ("pool", "db"), ("backend", "backend-3")));
        Assert.Equal(0, metrics.Value("appliance_tcp_backend_active_connections", ("pool", "db"), ("backend", "backend-3")));
        Assert.Contains("# TYPE appliance_tcp_backend_connect_failures_total counter", text, StringComparison.Ordinal);
    }

    private static int Total(BackendsResponse response) => (int)response.Clusters.Sum(c => c.Backends.Sum(b => b.RequestsTotal));

    /// <summary>Opens <paramref name="count"/> connections through the TCP listener, one HTTP request each; which backend answered each.</summary>
    private async Task<Dictionary<string, int>> ConnectionsAsync(int count)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync("127.0.0.1", Node.TcpPort, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("GET / HTTP/1.1\r\nHost: db\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var response = await reader.ReadToEndAsync(timeout.Token);
            var backend = response.Split("\r\n").Single(l => l.StartsWith("X-Backend:", StringComparison.OrdinalIgnoreCase))["X-Backend:".Length..].Trim();
            seen[backend] = seen.GetValueOrDefault(backend) + 1;
        }

        return seen;
    }
}
