using System.Net;
using System.Net.Http.Headers;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Api;

/// <summary>
/// Who may call: the admin listener is on 127.0.0.2; a client bound to 127.0.0.3 is remote and
/// needs the token; a client from this host (source 127.0.0.1) is local and does not.
/// </summary>
public sealed class AuthTests(AdminNodeFixture fixture) : IClassFixture<AdminNodeFixture>
{
    private AdminNode Node => fixture.Node;

    [Fact]
    public async Task Remote_WithoutToken_Is401WithChallenge_AndCounted()
    {
        using var remote = Node.Remote();
        using var local = Node.Local();
        var before = await UnauthorizedAsync(local, "missing_token");

        using var response = await remote.GetAsync(AdminPaths.Status);
        var problem = await ApiAssert.ProblemAsync(response, 401);

        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("127.0.0.3", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("--token-file", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(before + 1, await UnauthorizedAsync(local, "missing_token"));
    }

    [Fact]
    public async Task Remote_WithWrongToken_Is401AndCounted_TokenNeverEchoed()
    {
        using var remote = Node.Remote("not-the-token");
        using var local = Node.Local();
        var before = await UnauthorizedAsync(local, "wrong_token");

        using var response = await remote.PostAsync(AdminPaths.BackendState("web", "backend-1", "drain"), null);
        var body = await response.Content.ReadAsStringAsync();

        await ApiAssert.ProblemAsync(response, 401);
        Assert.DoesNotContain("not-the-token", body, StringComparison.Ordinal);
        Assert.Equal(before + 1, await UnauthorizedAsync(local, "wrong_token"));
        var backend = await ApiAssert.OkAsync(await local.GetAsync(AdminPaths.Backend("web", "backend-1")), AdminJson.Context.BackendInfo);
        Assert.Equal("ready", backend.AdminState);
    }

    [Fact]
    public async Task Remote_WithToken_IsServed_EveryEndpointKind()
    {
        using var remote = Node.Remote(AdminNode.Token);

        await ApiAssert.OkAsync(await remote.GetAsync(AdminPaths.Status), AdminJson.Context.NodeStatus);
        await ApiAssert.OkAsync(await remote.GetAsync(AdminPaths.Backends), AdminJson.Context.BackendsResponse);
        var action = await ApiAssert.OkAsync(await remote.PostAsync(AdminPaths.BackendState("web", "backend-2", "ready"), null), AdminJson.Context.BackendActionResult);
        using var metrics = await remote.GetAsync(AdminPaths.Metrics);

        Assert.Equal("ready", action.Backend.AdminState);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task Remote_MetricsWithoutToken_Is401_ButTheDashboardPageIsPublic()
    {
        using var remote = Node.Remote();

        using var metrics = await remote.GetAsync(AdminPaths.Metrics);
        using var page = await remote.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // holds no data; it asks for the token
    }

    [Fact]
    public async Task Local_WithoutToken_IsServed_ButAWrongTokenIsStillRefused()
    {
        using var local = Node.Local();
        using var wrong = Node.Local("wrong");

        await ApiAssert.OkAsync(await local.GetAsync(AdminPaths.Status), AdminJson.Context.NodeStatus);
        await ApiAssert.ProblemAsync(await wrong.GetAsync(AdminPaths.Status), 401);
    }

    [Fact]
    public async Task Local_WithForeignHostHeader_Is403_DnsRebindingGuard()
    {
        using var local = Node.Local();
        using var request = new HttpRequestMessage(HttpMethod.Get, AdminPaths.Status);
        request.Headers.Host = "attacker.example";

        var problem = await ApiAssert.ProblemAsync(await local.SendAsync(request), 403);

        Assert.Contains("localhost or by a loopback IP", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_CrossOriginAction_Is403_SameOriginIsServed()
    {
        using var local = Node.Local();
        using var foreign = new HttpRequestMessage(HttpMethod.Post, AdminPaths.BackendState("web", "backend-3", "ready"));
        foreign.Headers.Add("Origin", "http://attacker.example");
        using var same = new HttpRequestMessage(HttpMethod.Post, AdminPaths.BackendState("web", "backend-3", "ready"));
        same.Headers.Add("Origin", Node.AdminUrl.GetLeftPart(UriPartial.Authority));

        await ApiAssert.ProblemAsync(await local.SendAsync(foreign), 403);
        await ApiAssert.OkAsync(await local.SendAsync(same), AdminJson.Context.BackendActionResult);
    }

    [Fact]
    public async Task NodeWithoutTokenFile_ServesLocalCallersOnly_RemoteIs403()
    {
        await using var node = await AdminNode.StartAsync(withToken: false);
        using var remote = node.Remote("anything");
        using var local = node.Local();

        var problem = await ApiAssert.ProblemAsync(await remote.GetAsync(AdminPaths.Status), 403);
        await ApiAssert.OkAsync(await local.GetAsync(AdminPaths.Status), AdminJson.Context.NodeStatus);

        Assert.Contains("Admin.TokenFile is not set", problem.Detail, StringComparison.Ordinal);
    }

    private static async Task<double> UnauthorizedAsync(HttpClient local, string reason)
    {
        var text = await local.GetStringAsync(AdminPaths.Metrics);
        return PrometheusText.Parse(text).Value("appliance_admin_unauthorized_total", ("reason", reason));
    }
}
