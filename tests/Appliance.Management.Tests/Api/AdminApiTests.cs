using System.Net;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Api;

/// <summary>Every read endpoint and the backend actions, against a real node with real backends.</summary>
public sealed class AdminApiTests(AdminNodeFixture fixture) : IClassFixture<AdminNodeFixture>
{
    private AdminNode Node => fixture.Node;

    [Fact]
    public async Task Status_ReportsNameVersionUptimeRevisionAndReadiness()
    {
        using var admin = Node.Local();

        var status = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Status), AdminJson.Context.NodeStatus);

        Assert.Equal("test", status.Name);
        Assert.Matches(@"^\d+\.\d+\.\d+", status.Version);
        Assert.True(status.UptimeSeconds >= 0);
        Assert.True(status.Ready, string.Join("; ", status.NotReadyReasons));
        Assert.Empty(status.NotReadyReasons);
        Assert.Equal(1, status.Config.Revision);
        Assert.NotNull(status.Config.AppliedAt);
        Assert.Null(status.Config.Path);
        Assert.Equal("not configured", status.Cluster);
    }

    [Fact]
    public async Task MembersAndVips_WithoutCluster_AreEmptyAndSaySo()
    {
        using var admin = Node.Local();

        var members = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.ClusterMembers), AdminJson.Context.MembersResponse);
        var vips = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Vips), AdminJson.Context.VipsResponse);
        var replication = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.ClusterReplication), AdminJson.Context.ReplicationResponse);

        Assert.False(replication.Configured);
        Assert.Equal("none", replication.Sync);
        Assert.Contains("replication not configured", replication.Message, StringComparison.Ordinal);
        Assert.False(members.Configured);
        Assert.Empty(members.Members);
        Assert.Contains("cluster not configured", members.Message, StringComparison.Ordinal);
        Assert.False(vips.Configured);
        Assert.Empty(vips.Vips);
        Assert.Contains("VIPs not configured", vips.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backends_ListEveryClusterWithHealthStateWeightCountsAndRates()
    {
        using var admin = Node.Local();
        await Node.TrafficAsync(30);

        // Rates are sampled once a second: wait until the traffic shows.
        BackendsResponse response = null!;
        await HttpTestHelpers.WaitUntilAsync(async () =>
        {
            response = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backends), AdminJson.Context.BackendsResponse);
            return response.Clusters.Single(c => c.Id == "web").Backends.Sum(b => b.RequestsPerSecond) > 0;
        }, TimeSpan.FromSeconds(5), "request rates appear", pollMilliseconds: 200);

        Assert.Equal(["sticky", "web"], response.Clusters.Select(c => c.Id));
        var web = response.Clusters.Single(c => c.Id == "web");
        Assert.Equal("RoundRobin", web.Policy);
        Assert.Equal(100, web.Queue.MaxLength);
        Assert.Equal(["backend-1", "backend-2", "backend-3"], web.Backends.Select(b => b.Id));
        Assert.All(web.Backends, b =>
        {
            Assert.Equal("web", b.Cluster);
            Assert.StartsWith("http://127.0.0.1:", b.Address, StringComparison.Ordinal);
            Assert.True(b.Health.Available);
            Assert.Equal("unknown", b.Health.Active); // no active checks configured
            Assert.True(b.RequestsTotal >= 10, $"{b.Id} served {b.RequestsTotal}");
            Assert.Equal(0, b.ErrorsTotal);
            Assert.Equal(b.InFlight.Local, b.InFlight.Cluster);
        });
    }

    [Fact]
    public async Task Backends_FilteredByCluster_OnlyThatCluster_UnknownIs404()
    {
        using var admin = Node.Local();

        var sticky = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backends + "?cluster=sticky"), AdminJson.Context.BackendsResponse);
        var problem = await ApiAssert.ProblemAsync(await admin.GetAsync(AdminPaths.Backends + "?cluster=nope"), 404);

        Assert.Equal("sticky", Assert.Single(sticky.Clusters).Id);
        Assert.Contains("no cluster 'nope'", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("'web'", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backend_GetOne_AndUnknownBackendOrCluster_Are404WithNames()
    {
        using var admin = Node.Local();

        var one = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backend("web", "backend-2")), AdminJson.Context.BackendInfo);
        var noBackend = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.BackendState("web", "nope", "drain"), null), 404);
        var noCluster = await ApiAssert.ProblemAsync(await admin.GetAsync(AdminPaths.Backend("nope", "backend-1")), 404);

        Assert.Equal("backend-2", one.Id);
        Assert.Equal("cluster 'web' has no backend 'nope'; its backends: 'backend-1', 'backend-2', 'backend-3'.", noBackend.Detail);
        Assert.Contains("no cluster 'nope'", noCluster.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_StopsNewTraffic_Ready_BringsItBack()
    {
        using var admin = Node.Local();

        var drained = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.BackendState("web", "backend-1", "drain"), null), AdminJson.Context.BackendActionResult);
        var during = await Node.TrafficAsync(12);
        var ready = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.BackendState("web", "backend-1", "ready"), null), AdminJson.Context.BackendActionResult);
        var after = await Node.TrafficAsync(12);

        Assert.Equal("drain", drained.Backend.AdminState);
        Assert.Equal("node", drained.Scope);
        Assert.Contains("applied on this node only", drained.Message, StringComparison.Ordinal);
        Assert.False(during.ContainsKey("backend-1"));
        Assert.Equal("ready", ready.Backend.AdminState);
        Assert.InRange(after.GetValueOrDefault("backend-1"), 3, 5);
    }

    [Fact]
    public async Task Maint_SetsState_VisibleInList()
    {
        using var admin = Node.Local();

        await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.BackendState("sticky", "backend-3", "maint"), null), AdminJson.Context.BackendActionResult);
        var listed = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backend("sticky", "backend-3")), AdminJson.Context.BackendInfo);
        await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.BackendState("sticky", "backend-3", "ready"), null), AdminJson.Context.BackendActionResult);

        Assert.Equal("maint", listed.AdminState);
    }

    [Fact]
    public async Task Weight_SetsOverride_BadBodiesAre400()
    {
        using var admin = Node.Local();
        var path = AdminPaths.BackendWeight("sticky", "backend-2");

        var set = await ApiAssert.OkAsync(await admin.PutAsync(path, ApiAssert.Json("{\"weight\": 7}")), AdminJson.Context.BackendActionResult);
        var malformed = await ApiAssert.ProblemAsync(await admin.PutAsync(path, ApiAssert.Json("{\"weight\": ")), 400);
        var empty = await ApiAssert.ProblemAsync(await admin.PutAsync(path, ApiAssert.Json("")), 400);
        var outOfRange = await ApiAssert.ProblemAsync(await admin.PutAsync(path, ApiAssert.Json("{\"weight\": 300}")), 400);
        var wrongType = await ApiAssert.ProblemAsync(await admin.PutAsync(path, ApiAssert.Json("{\"weight\": \"heavy\"}")), 400);
        await admin.PutAsync(path, ApiAssert.Json("{\"weight\": 1}"));

        Assert.Equal((7, 1), (set.Backend.Weight, set.Backend.ConfiguredWeight));
        Assert.Contains("not valid JSON", malformed.Detail, StringComparison.Ordinal);
        Assert.Contains("the body is empty", empty.Detail, StringComparison.Ordinal);
        Assert.Contains("from 0 (no new traffic) to 256", outOfRange.Detail, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", wrongType.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongVerb_Is405WithAllow_UnknownPathIs404()
    {
        using var admin = Node.Local();

        using var getAction = await admin.GetAsync(AdminPaths.BackendState("web", "backend-1", "drain"));
        var wrongVerb = await ApiAssert.ProblemAsync(getAction, 405);
        var deleteStatus = await ApiAssert.ProblemAsync(await admin.DeleteAsync(AdminPaths.Status), 405);
        var unknown = await ApiAssert.ProblemAsync(await admin.GetAsync("/api/v1/nothing-here"), 404);

        Assert.Equal("POST", getAction.Content.Headers.Allow.Single());
        Assert.Contains("GET is not allowed", wrongVerb.Detail, StringComparison.Ordinal);
        Assert.Contains("DELETE is not allowed", deleteStatus.Detail, StringComparison.Ordinal);
        Assert.Contains("/api/v1", unknown.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_LookupByKey_FindsTheBackendWithoutRefreshing_UnknownIs404()
    {
        using var data = Node.Data();
        using var admin = Node.Local();
        using var first = await data.GetAsync(new Uri("/sticky/", UriKind.Relative));
        var backend = first.Headers.GetValues("X-Backend").Single();
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sticky=", StringComparison.Ordinal));
        var key = "http/sticky/" + cookie["sticky=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];

        var session = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Session(key)), AdminJson.Context.SessionInfo);
        var again = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Session(key)), AdminJson.Context.SessionInfo);
        var missing = await ApiAssert.ProblemAsync(await admin.GetAsync(AdminPaths.Session("http/sticky/AAAAAAAAAAAAAAAAAAAAAA")), 404);

        Assert.Equal(key[..key.IndexOf('.', StringComparison.Ordinal)], session.Key); // the whole cookie value works; the table key has no hint
        Assert.Equal(backend, session.Backend);
        Assert.Equal(session.LastSeen, again.LastSeen);
        Assert.True(session.ExpiresAt > DateTimeOffset.UtcNow);
        Assert.Contains("http/{cluster}/{cookie value}", missing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_ReportsEveryErrorWithItsPath_GoodFileIsValid_EmptyIs400()
    {
        using var admin = Node.Local();

        var good = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.ConfigValidate, ApiAssert.Json(Node.Config.ToJsonString())), AdminJson.Context.ValidationResult);
        var bad = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.ConfigValidate, ApiAssert.Json("""
            { "Listeners": [ { "Name": "web", "Address": "127.0.0.1:99999" } ],
              "ReverseProxy": { "Routes": { "r": { "ClusterId": "missing", "Match": { "Path": "/{**x}" } } } } }
            """)), AdminJson.Context.ValidationResult);
        var syntax = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.ConfigValidate, ApiAssert.Json("{ \"Node\": ")), AdminJson.Context.ValidationResult);
        var empty = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.ConfigValidate, ApiAssert.Json(" ")), 400);
        var tuned = Node.Config.DeepClone().AsObject();
        tuned["Kestrel"] = new System.Text.Json.Nodes.JsonObject { ["AddServerHeader"] = false };
        var warned = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.ConfigValidate, ApiAssert.Json(tuned.ToJsonString())), AdminJson.Context.ValidationResult);

        Assert.True(good.Valid, string.Join("; ", good.Errors));
        Assert.StartsWith("valid: 3 route(s), 2 cluster(s), 1 listener(s)", good.Summary, StringComparison.Ordinal);
        Assert.False(bad.Valid);
        Assert.Contains(bad.Errors, e => e.Path == "$.Listeners[0].Address");
        Assert.Contains(bad.Errors, e => e.Path == "$.ReverseProxy.Routes.r.ClusterId");
        Assert.False(syntax.Valid);
        Assert.Contains("line", Assert.Single(syntax.Errors).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("POST the whole configuration file", empty.Detail, StringComparison.Ordinal);
        Assert.Empty(good.Warnings ?? []);
        Assert.True(warned.Valid, string.Join("; ", warned.Errors)); // a key that only tunes Kestrel warns, it does not refuse
        Assert.Equal("$.Kestrel.AddServerHeader", Assert.Single(warned.Warnings ?? []).Path);
    }

    [Fact]
    public async Task ConfigReload_WithoutFile_Is409SayingSo()
    {
        using var admin = Node.Local();

        var problem = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.ConfigReload, null), 409);

        Assert.Contains("started without a configuration file", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeLeaveOnALoneNode_Is409_VipMoveWithoutVipsIs404_BadBodyIs400()
    {
        using var admin = Node.Local();

        var leave = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.NodeLeave, null), 409);
        var move = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.VipMove("198.18.0.10/24"), ApiAssert.Json("{\"node\": \"lb2\"}")), 404);
        var noBody = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.VipMove("198.18.0.10"), null), 404);
        var badBody = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.VipMove("198.18.0.10"), ApiAssert.Json("{\"node\": 5}")), 400);

        Assert.Contains("no cluster to leave", leave.Detail, StringComparison.Ordinal);
        Assert.Contains("VIPs not configured", move.Detail, StringComparison.Ordinal);
        Assert.Contains("VIPs not configured", noBody.Detail, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", badBody.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Traffic_ReturnsOnePointPerSecondPerBackend_BadRangeIs400()
    {
        using var admin = Node.Local();

        var traffic = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Traffic + "?seconds=60"), AdminJson.Context.TrafficResponse);
        var bad = await ApiAssert.ProblemAsync(await admin.GetAsync(AdminPaths.Traffic + "?seconds=0"), 400);

        Assert.Equal(1, traffic.IntervalSeconds);
        Assert.Equal(6, traffic.Series.Count); // 2 clusters x 3 backends
        Assert.All(traffic.Series, s => Assert.Equal(60, s.RequestsPerSecond.Count));
        Assert.Contains("'seconds' must be from 1 to 300", bad.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_IsServedFromTheAssembly_WithAStrictContentSecurityPolicy()
    {
        using var admin = Node.Local();

        using var page = await admin.GetAsync(new Uri("/", UriKind.Relative));
        using var script = await admin.GetAsync(new Uri("/assets/app.js", UriKind.Relative));
        using var style = await admin.GetAsync(new Uri("/assets/app.css", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("/assets/app.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
    }
}
