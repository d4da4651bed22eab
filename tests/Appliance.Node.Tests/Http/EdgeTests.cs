using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// What the edge refuses before anything reaches a backend (request smuggling shapes, malformed
/// request lines and headers, sent over raw sockets), and how X-Forwarded-* headers are trusted.
/// </summary>
public sealed class EdgeTests
{
    private static async Task<(BackendSet Backends, TestNode Node)> StartAsync(Action<JsonObject>? adjust = null)
    {
        var backends = await BackendSet.StartAsync(1);
        var config = TestConfig.Create(FreePort.Next(), backends.All);
        adjust?.Invoke(config);
        return (backends, await TestNode.StartAsync(config));
    }

    /// <summary>Sends a raw request; asserts a 400 and that the backend saw nothing.</summary>
    private static async Task AssertRefusedAsync(string request)
    {
        var (backends, node) = await StartAsync();
        await using (backends)
        await using (node)
        {
            // The node and the backend work: a well-formed request on a raw socket goes through.
            var ok = await HttpTestHelpers.SendRawAsync(node.Port, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, HttpTestHelpers.StatusOf(ok));
            var before = backends[0].Requests;

            var response = await HttpTestHelpers.SendRawAsync(node.Port, request);

            Assert.True(HttpTestHelpers.StatusOf(response) == 400, "expected a 400, got:\n" + response);
            Assert.Equal(before, backends[0].Requests);
        }
    }

    [Fact]
    public Task SmugglingGuard_ContentLengthThenTransferEncoding_400AndBackendNeverSeesIt() =>
        AssertRefusedAsync(
            "POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");

    [Fact]
    public Task SmugglingGuard_TransferEncodingThenContentLength_400AndBackendNeverSeesIt() =>
        AssertRefusedAsync(
            "POST /smuggle HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
            + "0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");

    [Fact]
    public Task Kestrel_ConflictingDuplicateContentLength_400AndBackendNeverSeesIt() =>
        AssertRefusedAsync("POST /dup HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");

    [Fact]
    public Task Kestrel_ObsoleteLineFolding_400AndBackendNeverSeesIt() =>
        AssertRefusedAsync("GET /fold HTTP/1.1\r\nHost: x\r\nX-Folded: first\r\n second\r\nConnection: close\r\n\r\n");

    [Theory]
    [InlineData("G(T / HTTP/1.1")]
    [InlineData("GET /a\u0000b HTTP/1.1")]
    [InlineData("GET  / HTTP/1.1")]
    [InlineData("GET /a b HTTP/1.1")]
    [InlineData("GET /a\u0001b HTTP/1.1")]
    [InlineData("GET /a\u007Fb HTTP/1.1")]
    public Task Kestrel_InvalidRequestLine_400AndBackendNeverSeesIt(string requestLine) =>
        AssertRefusedAsync(requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n");

    private static async Task<Dictionary<string, string>> EchoHeadersAsync(TestNode node)
    {
        using var client = node.NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/echo", UriKind.Relative));
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        request.Headers.Add("X-Forwarded-Host", "evil");
        request.Headers.Add("X-Forwarded-Proto", "gopher");
        using var response = await client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("headers").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ForwardedHeaders_UntrustedClient_HeadersReplacedNotAppended()
    {
        var (backends, node) = await StartAsync();
        await using (backends)
        await using (node)
        {
            var headers = await EchoHeadersAsync(node);

            Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]);
            Assert.Equal($"127.0.0.1:{node.Port}", headers["X-Forwarded-Host"]);
            Assert.Equal("http", headers["X-Forwarded-Proto"]);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", "6.6.6.6")]
    [InlineData("127.0.0.0/8", "6.6.6.6")]
    [InlineData("10.0.0.1", "127.0.0.1")]
    [InlineData("10.0.0.0/8", "127.0.0.1")]
    public async Task ForwardedHeaders_TrustedProxies_ClientAddressFromHeaderOnlyWhenPeerTrusted(string trusted, string expectedClient)
    {
        var (backends, node) = await StartAsync(c =>
            c["ForwardedHeaders"] = new JsonObject { ["TrustedProxies"] = new JsonArray(trusted) });
        await using (backends)
        await using (node)
        {
            var headers = await EchoHeadersAsync(node);

            Assert.Equal(expectedClient, headers["X-Forwarded-For"]);
        }
    }
}
