using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Appliance.Tests.BadInput;
using Appliance.Tests.Support;

namespace Appliance.Tests.Security;

/// <summary>
/// The admin API of a real node, called from another address (127.0.0.3, a remote caller): without
/// the token or with a wrong one every endpoint answers 401 and nothing changes; with it, it is
/// served. Then every log the node wrote, at its most verbose (Trace, the access log on), is searched
/// for the token and the wrong one: neither may appear. Extends
/// tests/Appliance.Management.Tests/Api/AuthTests.cs (in process, no log search).
/// </summary>
[Trait("Category", "Faults")]
public sealed class AdminTokenTests
{
    private const string Token = "faults-admin-token-6f1d2c9b8a7e4f30";
    private const string WrongToken = "faults-wrong-token-0a1b2c3d4e5f6789";

    [Fact]
    public async Task RemoteCaller_WithoutOrWithWrongToken_401Everywhere_TokenInNoLog()
    {
        await using var backend = await FaultBackend.StartAsync("backend");
        var config = EdgeNodeFixture.Config(FreePort.Next(), backend);
        string? accessLog = null;
        await using var node = await NodeProcess.StartAsync(config, prepare: directory =>
        {
            var tokenFile = Path.Combine(directory, "admin.token");
            File.WriteAllText(tokenFile, Token + "\n");
            accessLog = Path.Combine(directory, "access.log");
            config["Admin"] = new JsonObject { ["Address"] = $"127.0.0.2:{FreePort.Next()}", ["TokenFile"] = tokenFile };
            config["AccessLog"] = new JsonObject { ["Enabled"] = true, ["Path"] = accessLog };
            config["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject { ["Default"] = "Trace", ["Microsoft.AspNetCore"] = "Trace", ["Yarp"] = "Trace", ["Appliance"] = "Trace" },
            };
        });

        using var anonymous = Remote(node.AdminUrl, null);
        using var wrong = Remote(node.AdminUrl, WrongToken);
        using var right = Remote(node.AdminUrl, Token);
        string[] reads = ["api/v1/status", "api/v1/backends", "api/v1/cluster/members", "api/v1/sessions/x", "api/v1/traffic", "metrics"];
        foreach (var client in new[] { anonymous, wrong })
        {
            foreach (var path in reads)
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"GET {path}: {(int)response.StatusCode}");
            }

            using var drain = await client.PostAsync(new Uri("api/v1/backends/web/backend/drain", UriKind.Relative), null);
            using var reload = await client.PostAsync(new Uri("api/v1/config/reload", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Unauthorized, drain.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, reload.StatusCode);
        }

        Assert.Equal("ready", (await node.BackendAsync("web", "backend")).GetProperty("adminState").GetString()); // the refused drain changed nothing

        // The token in the query string is not a credential (and must not be logged either).
        using (var query = await anonymous.GetAsync(new Uri("api/v1/status?access_token=" + Token, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        }

        using (var served = await right.GetAsync(new Uri("api/v1/status", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using (var action = await right.PostAsync(new Uri("api/v1/backends/web/backend/ready", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, action.StatusCode);
        }

        // Client requests carrying the token as credentials, through the data plane.
        var data = await HttpTestHelpers.SendRawAsync(node.HttpPort,
            $"GET /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {Token}\r\nCookie: session={Token}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, HttpTestHelpers.StatusOf(data));

        var metrics = await node.MetricsAsync();
        Assert.True(metrics.Value("appliance_admin_unauthorized_total", ("reason", "missing_token")) >= reads.Length + 3);
        Assert.True(metrics.Value("appliance_admin_unauthorized_total", ("reason", "wrong_token")) >= reads.Length + 2);

        await Task.Delay(1500); // the access log is written off the request path
        var logs = node.Output + "\n" + (File.Exists(accessLog) ? await File.ReadAllTextAsync(accessLog) : "");
        Assert.Contains("refused (401", logs, StringComparison.Ordinal);       // the refusals are logged...
        Assert.Contains("/echo", logs, StringComparison.Ordinal);              // ...and so is the client request
        Assert.DoesNotContain(Token, logs, StringComparison.Ordinal);          // but never a token
        Assert.DoesNotContain(WrongToken, logs, StringComparison.Ordinal);
    }

    /// <summary>An admin client bound to 127.0.0.3: not 127.0.0.1 or ::1, so a remote caller.</summary>
    private static HttpClient Remote(Uri admin, string? token)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectCallback = SourceAddress.Connect(IPAddress.Parse("127.0.0.3")) };
        var client = new HttpClient(handler) { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
