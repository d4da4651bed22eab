using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Appliance.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Appliance.Tests.Http;

/// <summary>
/// The direct HTTP/1.1 forwarder end to end, with well-behaved backends: which forwarder takes a
/// request, bodies both ways byte for byte, body-less answers, kept-alive backend connections,
/// and the request head a backend receives (compared with what YARP's forwarder sends).
/// Misbehaving backends are in <see cref="DirectForwarderFailureTests"/>.
/// </summary>
public sealed class DirectForwarderTests
{
    private static readonly byte[] OneMiB = RandomNumberGenerator.GetBytes(1 << 20);

    /// <summary>A raw backend answering every request with its own target as the body, kept alive.</summary>
    private static RawHttpBackend EchoTarget() =>
        RawHttpBackend.Start((request, connection) => connection.SendAsync(RawHttpBackend.Ok(request.Target)));

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    [Fact]
    public async Task PlainGet_GoesDirect_AndForwarderYarpSendsItThroughYarp_SameAnswer()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var config = ForwarderTestKit.OneDestination(backends[0].Url).WithCluster("viayarp", backends[0].Url, forwarder: "Yarp");
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();
        var stats = node.Stats();

        using var direct = await client.GetAsync(new Uri("/hello", UriKind.Relative));
        Assert.Equal((1, 0), (stats.Direct, stats.Yarp));
        using var yarp = await client.GetAsync(new Uri("/viayarp/hello", UriKind.Relative));
        Assert.Equal((1, 1), (stats.Direct, stats.Yarp));

        Assert.Equal(200, (int)direct.StatusCode);
        Assert.Equal(yarp.StatusCode, direct.StatusCode);
        Assert.Equal("Hello from backend-1\n", await direct.Content.ReadAsStringAsync());
        Assert.Equal(await yarp.Content.ReadAsStringAsync(), await direct.Content.ReadAsStringAsync());
        Assert.Equal(HeadersOf(yarp), HeadersOf(direct));
        Assert.Equal(1, await node.MetricAsync("appliance_http_forwarded_total{forwarder=\"direct\"}"));
        Assert.Equal(1, await node.MetricAsync("appliance_http_forwarded_total{forwarder=\"yarp\"}"));
    }

    /// <summary>Response and content header fields as "name: value" lines, Date left out (it changes).</summary>
    private static string HeadersOf(HttpResponseMessage response) =>
        string.Join('\n', response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key != "Date")
            .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal));

    private static Task<KestrelTestBackend> BodyBackendAsync() => KestrelTestBackend.StartAsync(app =>
    {
        app.MapGet("/big", async (HttpContext context) =>
        {
            context.Response.ContentLength = OneMiB.Length;
            await context.Response.Body.WriteAsync(OneMiB);
        });
        app.MapGet("/chunked", async (HttpContext context) =>
        {
            // No length: Kestrel chunks. Uneven pieces, each flushed, so chunks and reads do not line up.
            var offset = 0;
            foreach (var size in new[] { 1, 7, 4096, 100, 65_536, 300_000, 3, 200_000 })
            {
                await context.Response.Body.WriteAsync(OneMiB.AsMemory(offset, size));
                await context.Response.Body.FlushAsync();
                offset += size;
            }

            await context.Response.Body.WriteAsync(OneMiB.AsMemory(offset));
        });
        app.MapPost("/echo", async (HttpContext context) =>
        {
            // Reads all before answering: the echo says what arrived, not how the two directions interleave.
            using var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received);
            context.Response.Headers["X-Seen-Content-Length"] = context.Request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
            context.Response.Headers["X-Seen-Transfer-Encoding"] = context.Request.Headers.TransferEncoding.ToString();
            context.Response.ContentLength = received.Length;
            await context.Response.Body.WriteAsync(received.ToArray());
        });
    });

    [Theory]
    [InlineData("/big")]
    [InlineData("/chunked")]
    public async Task LargeResponse_ArrivesByteExact(string path)
    {
        await using var backend = await BodyBackendAsync();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        // Three times on one client connection: each answer must end where it says, or the next one waits.
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(path == "/big" ? OneMiB.Length : null, response.Content.Headers.ContentLength);
            Assert.Equal(Hash(OneMiB), Hash(await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal((3, 0), (node.Stats().Direct, node.Stats().Yarp));
    }

    [Theory]
    [InlineData("/big")]
    [InlineData("/chunked")]
    public async Task LargeResponse_ToHttp10Client_ArrivesByteExact(string path)
    {
        // Kestrel cannot chunk for HTTP/1.0: a chunked answer goes out unframed, ended by the close.
        await using var backend = await BodyBackendAsync();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = await RawHttpClient.ConnectAsync(node.Port);

        var response = await client.ExchangeAsync($"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal(Hash(OneMiB), Hash(response.Body));
        Assert.Equal(1, node.Stats().Direct);
    }

    [Fact]
    public async Task Post_ContentLengthBody_ReachesBackendByteExact()
    {
        await using var backend = await BodyBackendAsync();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        using var content = new ByteArrayContent(OneMiB);
        using var response = await client.PostAsync(new Uri("/echo", UriKind.Relative), content);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(OneMiB.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Seen-Content-Length").Single());
        Assert.Equal(string.Empty, response.Headers.GetValues("X-Seen-Transfer-Encoding").Single());
        Assert.Equal(Hash(OneMiB), Hash(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal((1, 0), (node.Stats().Direct, node.Stats().Yarp));
    }

    [Fact]
    public async Task Post_ChunkedUploadOfUnknownLength_ReachesBackendByteExact()
    {
        await using var backend = await BodyBackendAsync();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        // A stream with no length: HttpClient sends it chunked, in pieces as they are flushed.
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            var offset = 0;
            foreach (var size in new[] { 1, 5000, 70_000, 13, 400_000 })
            {
                await pipe.Writer.WriteAsync(OneMiB.AsMemory(offset, size));
                offset += size;
                await Task.Delay(10);
            }

            await pipe.Writer.WriteAsync(OneMiB.AsMemory(offset));
            await pipe.Writer.CompleteAsync();
        });
        using var content = new StreamContent(pipe.Reader.AsStream());
        using var response = await client.PostAsync(new Uri("/echo", UriKind.Relative), content);
        await writing;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("none", response.Headers.GetValues("X-Seen-Content-Length").Single());
        Assert.Equal("chunked", response.Headers.GetValues("X-Seen-Transfer-Encoding").Single());
        Assert.Equal(Hash(OneMiB), Hash(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal((1, 0), (node.Stats().Direct, node.Stats().Yarp));
    }

    [Fact]
    public async Task HeadNoContentNotModified_NoBodyPassedOn_BothConnectionsStayUsable()
    {
        // A HEAD answer and a 304 that carry Content-Length (describing the GET's body) but no body,
        // and a 204: a proxy that waited for those bytes would hang; one that sent any would corrupt
        // the client's next response on the same connection.
        await using var backend = RawHttpBackend.Start((request, connection) => connection.SendAsync(request.RequestLine switch
        {
            "HEAD /file HTTP/1.1" => "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
            "GET /file HTTP/1.1" => RawHttpBackend.Ok("hello"),
            "GET /nocontent HTTP/1.1" => "HTTP/1.1 204 No Content\r\nX-Tag: a\r\n\r\n",
            "GET /notmodified HTTP/1.1" => "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 5\r\n\r\n",
            _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        }));
        var config = ForwarderTestKit.OneDestination(backend.Url);
        config.Cluster()["HttpRequest"] = new System.Text.Json.Nodes.JsonObject { ["ActivityTimeout"] = "00:00:10" };
        await using var node = await TestNode.StartAsync(config);
        using var client = await RawHttpClient.ConnectAsync(node.Port);

        var head = await client.ExchangeAsync("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, head.Status);
        Assert.Equal("5", head.Field("Content-Length"));
        Assert.Empty(head.Body);

        var noContent = await client.ExchangeAsync("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(204, noContent.Status);
        Assert.Equal("a", noContent.Field("X-Tag"));
        Assert.Null(noContent.Field("Transfer-Encoding"));

        var notModified = await client.ExchangeAsync("GET /notmodified HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"v1\"\r\n\r\n");
        Assert.Equal(304, notModified.Status);
        Assert.Equal("\"v1\"", notModified.Field("ETag"));
        Assert.Null(notModified.Field("Transfer-Encoding"));

        var file = await client.ExchangeAsync("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, file.Status);
        Assert.Equal("hello", file.BodyText);

        await Task.Delay(200);
        Assert.Equal(0, client.Unread);
        Assert.Equal(1, backend.Connections);
        Assert.Equal(4, backend.Requests.Count(r => r.Connection == 1));
        Assert.Equal(4, node.Stats().Direct);
    }

    [Fact]
    public async Task SequentialRequests_ShareOneKeptAliveBackendConnection()
    {
        await using var backend = EchoTarget();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"/r{i}", await client.GetStringAsync(new Uri($"/r{i}", UriKind.Relative)));
        }

        Assert.Equal(50, backend.Requests.Count);
        Assert.True(backend.Connections <= 2, $"50 sequential requests took {backend.Connections} backend connections");
        Assert.Equal(backend.Connections, await node.MetricAsync("appliance_http_idle_backend_connections"));
    }

    [Fact]
    public async Task ConcurrentRequests_EachConnectionCarriesOneAtATime_EveryClientGetsItsOwnAnswer()
    {
        const int Workers = 8;
        const int PerWorker = 15;
        await using var backend = EchoTarget();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));

        var answers = await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            using var client = node.NewClient();
            var wrong = new List<string>();
            for (var i = 0; i < PerWorker; i++)
            {
                var path = $"/w{w}/r{i}";
                var body = await client.GetStringAsync(new Uri(path, UriKind.Relative));
                if (body != path)
                {
                    wrong.Add($"{path} got {body}");
                }
            }

            return wrong;
        })));

        Assert.Empty(answers.SelectMany(a => a));
        Assert.Equal(Workers * PerWorker, backend.Requests.Count);
        // Never more connections than requests in flight at once; pooled ones are reused.
        Assert.True(backend.Connections <= Workers, $"{Workers} concurrent clients took {backend.Connections} backend connections");
    }

    [Fact]
    public async Task WebSocketUpgrade_GoesThroughYarp_EchoWorks()
    {
        await using var backend = await KestrelTestBackend.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/ws", async (HttpContext context) =>
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    context.Response.StatusCode = 400;
                    return;
                }

                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[4096];
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                        return;
                    }

                    await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
                }
            });
            app.MapGet("/plain", () => "plain");
        });
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{node.Port}/ws"), cancel.Token);
            foreach (var text in new[] { "hello", "through yarp" })
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel.Token);
                var buffer = new byte[4096];
                var received = await socket.ReceiveAsync(buffer, cancel.Token);
                Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, received.Count));
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancel.Token);
        }

        Assert.Equal((0, 1), (node.Stats().Direct, node.Stats().Yarp));
        using var client = node.NewClient();
        Assert.Equal("plain", await client.GetStringAsync(new Uri("/plain", UriKind.Relative)));
        Assert.Equal((1, 1), (node.Stats().Direct, node.Stats().Yarp));
    }

    [Fact]
    public async Task DestinationWithPathPrefix_BackendSeesPrefixedTargetDestinationHostAndFreshForwardedFields()
    {
        await using var backend = EchoTarget();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(new Uri(backend.Url, "base/")));
        using var client = await RawHttpClient.ConnectAsync(node.Port);

        var response = await client.ExchangeAsync(
            "GET /x?q=1 HTTP/1.1\r\nHost: front.example\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Prefix: /evil\r\n\r\n");

        Assert.Equal("/base/x?q=1", response.BodyText);
        var seen = Assert.Single(backend.Requests).Message;
        Assert.Equal("GET /base/x?q=1 HTTP/1.1", seen.StartLine);
        Assert.Equal($"127.0.0.1:{backend.Port}", seen.Field("Host"));
        Assert.Equal("127.0.0.1", seen.Field("X-Forwarded-For"));
        Assert.Equal("http", seen.Field("X-Forwarded-Proto"));
        Assert.Equal("front.example", seen.Field("X-Forwarded-Host"));
        Assert.Null(seen.Field("X-Forwarded-Prefix"));
        Assert.Equal(1, node.Stats().Direct);
    }

    [Theory]
    [InlineData("/x?q=1", "/base/x?q=1")]
    [InlineData("/", "/base/")]
    [InlineData("/caf%C3%A9/~user/./..;x", "/base/caf%C3%A9/~user/..;x")]
    [InlineData("/a%20b/c%2Fd?x=%41&y=", "/base/a%20b/c%2Fd?x=%41&y=")] // YARP sends c%252Fd?x=A: the direct path keeps the client's escapes
    public async Task RequestHead_SameFieldsAsYarpSends(string target, string expected)
    {
        // The same request through a node on the direct forwarder and one on YARP's: the backend must
        // see the same fields (order and line-splitting aside).
        await using var backend = EchoTarget();
        var address = new Uri(backend.Url, "base/");
        await using var direct = await TestNode.StartAsync(ForwarderTestKit.OneDestination(address));
        var yarpConfig = ForwarderTestKit.OneDestination(address);
        yarpConfig.Balancing()["Forwarder"] = "Yarp";
        await using var yarp = await TestNode.StartAsync(yarpConfig);
        var request = $"GET {target} HTTP/1.1\r\nHost: front.example\r\nUser-Agent: t/1\r\nAccept: */*\r\n"
            + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n"
            + "X-Multi: a\r\nX-Multi: b\r\nCookie: a=1\r\nCookie: b=2\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil\r\n\r\n";

        foreach (var node in new[] { direct, yarp })
        {
            using var client = await RawHttpClient.ConnectAsync(node.Port);
            Assert.Equal(200, (await client.ExchangeAsync(request)).Status);
        }

        var seen = backend.Requests.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.Equal((1, 0), (direct.Stats().Direct, direct.Stats().Yarp));
        Assert.Equal((0, 1), (yarp.Stats().Direct, yarp.Stats().Yarp));
        Assert.Equal($"GET {expected} HTTP/1.1", seen[0].RequestLine);
        Assert.Equal(Normalized(seen[1].Message), Normalized(seen[0].Message));
    }

    /// <summary>Fields as sorted "name: value" lines, repeated fields joined as one (", ", or "; " for Cookie).</summary>
    private static string Normalized(RawHttpMessage message) =>
        string.Join('\n', message.Fields
            .GroupBy(f => f.Name.ToLowerInvariant())
            .Select(g => $"{g.Key}: {string.Join(g.Key == "cookie" ? "; " : ", ", g.Select(f => f.Value))}")
            .Order(StringComparer.Ordinal));
}
