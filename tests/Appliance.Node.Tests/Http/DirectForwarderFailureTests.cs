using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// The direct HTTP/1.1 forwarder against misbehaving backends (raw sockets scripted byte for byte):
/// kept-alive connections the backend closes, answers followed by stray bytes, malformed heads,
/// silence past the activity timeout, bodies cut short. A bad connection is never used again, the
/// failure is reported as YARP's forwarder reports it, and the next request is unaffected.
/// </summary>
public sealed class DirectForwarderFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static async Task<(int Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task KeptAliveConnectionClosedByBackendWhileIdle_NextRequestStillServed()
    {
        // The backend closes a kept-alive connection after 200 ms of quiet (its idle timeout). The
        // next request finds the close when it takes the connection (or, in a race, as it sends and
        // is retried once): either way the client gets its answer and the backend is not blamed.
        await using var backend = RawHttpBackend.Start((_, c) => c.SendAsync(RawHttpBackend.Ok("fine")), idleTimeout: TimeSpan.FromMilliseconds(200));
        var config = ForwarderTestKit.OneDestination(backend.Url);
        config.Balancing()["Retries"] = 0;
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        Assert.Equal((200, "fine"), await GetAsync(client, "/first"));
        for (var round = 0; round < 4; round++)
        {
            await Task.Delay(400);
            Assert.Equal((200, "fine"), await GetAsync(client, $"/again{round}"));
        }

        Assert.Equal(5, backend.Requests.Count); // each reached the backend once
        Assert.Equal(0, node.Counters("b1").TransportErrors);
    }

    /// <summary>
    /// A backend that answers a connection's first request and closes it on the second, without a
    /// byte of answer (its idle timer fired as the request came): the race a poll before reuse cannot see.
    /// </summary>
    private static RawHttpBackend ClosesOnSecondRequest() => RawHttpBackend.Start(async (_, c) =>
    {
        if (c.Requests == 2)
        {
            c.CloseAfterResponse = true;
            return;
        }

        await c.SendAsync(RawHttpBackend.Ok("fine"));
    });

    [Fact]
    public async Task KeptAliveConnectionClosedAsRequestArrives_RetriedOnceOnFreshConnection_CountedAsStaleRetry()
    {
        await using var backend = ClosesOnSecondRequest();
        var config = ForwarderTestKit.OneDestination(backend.Url);
        config.Balancing()["Retries"] = 0;
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        Assert.Equal((200, "fine"), await GetAsync(client, "/first"));
        Assert.Equal((200, "fine"), await GetAsync(client, "/second"));

        Assert.Equal(1, node.Stats().StaleRetries);
        Assert.Equal(1, await node.MetricAsync("appliance_http_stale_connection_retries_total"));
        Assert.Equal(["1:/first", "1:/second", "2:/second"], backend.Requests.Select(r => $"{r.Connection}:{r.Target}"));
        Assert.Equal(0, node.Counters("b1").TransportErrors);
    }

    [Fact]
    public async Task KeptAliveConnectionClosedAsPostArrives_NotRetried_502()
    {
        // A request with a body is never sent twice: the client gets the failure.
        await using var backend = ClosesOnSecondRequest();
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        Assert.Equal((200, "fine"), await GetAsync(client, "/first"));
        using var body = new StringContent("once only");
        using var response = await client.PostAsync(new Uri("/post", UriKind.Relative), body);

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(0, node.Stats().StaleRetries);
        Assert.Single(backend.Requests, r => r.Target == "/post");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task ResponseFollowedByAnotherResponse_ConnectionNotReused_NoClientSeesTheExtra(int extraAfterMs)
    {
        // The first connection's first answer is "ok" with the bytes of a second, unasked-for
        // answer behind it (in the same write, or a moment later): the classic desync. Every later
        // request must get its own answer.
        await using var backend = RawHttpBackend.Start(async (request, connection) =>
        {
            if (request.Target != "/first")
            {
                await connection.SendAsync(RawHttpBackend.Ok("good"));
                return;
            }

            const string Evil = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil";
            if (extraAfterMs == 0)
            {
                await connection.SendAsync(RawHttpBackend.Ok("ok") + Evil);
                return;
            }

            await connection.SendAsync(RawHttpBackend.Ok("ok"));
            await Task.Delay(extraAfterMs);
            await connection.SendAsync(Evil);
        });
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        Assert.Equal((200, "ok"), await GetAsync(client, "/first"));
        await Task.Delay(extraAfterMs * 3);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, "good"), await GetAsync(client, $"/next{i}"));
        }

        var first = backend.Requests.Single(r => r.Target == "/first");
        Assert.DoesNotContain(backend.Requests, r => r.Target != "/first" && r.Connection == first.Connection);
    }

    public static TheoryData<string, string> MalformedHeads => new()
    {
        { "two Content-Length values", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!" },
        { "Content-Length list that disagrees", "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!" },
        { "obs-fold", "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok" },
        { "bare LF", "HTTP/1.1 200 OK\r\nContent-Length: 2\nX-After: 1\r\n\r\nok" },
        { "space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok" },
        { "head over 64 KiB", "HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 70_000) + "\r\nContent-Length: 2\r\n\r\nok" },
        { "HTTP/1.0 with Transfer-Encoding", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public async Task MalformedResponseHead_502_CountedAgainstBackend_ConnectionDropped(string what, string response)
    {
        // The bad answer leaves its connection open: the proxy itself must not use it again.
        await using var bad = RawHttpBackend.Start((request, c) => c.SendAsync(request.Target.StartsWith("/bad", StringComparison.Ordinal) ? response : RawHttpBackend.Ok("good")));
        await using var good = await BackendSet.StartAsync(1);
        var config = ForwarderTestKit.OneDestination(bad.Url).WithCluster("other", good[0].Url);
        config.Balancing()["PassiveHealthCheck"] = new JsonObject
        {
            ["Enabled"] = true,
            ["ConsecutiveFailures"] = 2,
            ["ReactivationPeriod"] = "00:05:00",
        };
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        Assert.True((await GetAsync(client, "/bad1")).Status == 502, what);
        await HttpTestHelpers.WaitUntilAsync(() => node.Counters("b1").TransportErrors == 1, Deadline, "the bad answer is counted as a transport error");
        Assert.Equal((200, "good"), await GetAsync(client, "/after"));
        var requests = bad.Requests.ToArray();
        Assert.NotEqual(requests[0].Connection, requests[1].Connection);

        // Two in a row trip the passive check; other clusters are unaffected.
        Assert.Equal(502, (await GetAsync(client, "/bad2")).Status);
        Assert.Equal(502, (await GetAsync(client, "/bad3")).Status);
        await HttpTestHelpers.WaitUntilAsync(() => node.Counters("b1").TransportErrors == 3, Deadline, "three transport errors are counted");
        Assert.Equal(3, await node.MetricAsync("appliance_backend_transport_errors_total{cluster=\"web\",backend=\"b1\"}"));
        Assert.Equal(1, await node.MetricAsync("appliance_backend_health{cluster=\"web\",backend=\"b1\",check=\"passive\",state=\"unhealthy\"}"));
        Assert.Equal(200, (await GetAsync(client, "/other/x")).Status);
        Assert.Equal(0, node.Stats().Yarp);
    }

    public static TheoryData<string, string, bool, bool> OddButValidHeads => new()
    {
        // what, response, backend closes after it, connection may be reused
        { "100 Continue before the answer", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, true },
        { "HTTP/1.0 with keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false, true },
        { "HTTP/1.0 without keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false },
        { "Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, false },
        { "chunked and Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, false },
        { "no length, ends at the close", "HTTP/1.1 200 OK\r\n\r\nok", true, false },
    };

    [Theory]
    [MemberData(nameof(OddButValidHeads))]
    public async Task OddButValidResponse_Passed_ConnectionReusedOnlyWhenFramingAllows(string what, string response, bool closeAfter, bool reusable)
    {
        await using var backend = RawHttpBackend.Start(async (request, c) =>
        {
            if (request.Target == "/odd")
            {
                await c.SendAsync(response);
                c.CloseAfterResponse = closeAfter;
                return;
            }

            await c.SendAsync(RawHttpBackend.Ok("good"));
        });
        await using var node = await TestNode.StartAsync(ForwarderTestKit.OneDestination(backend.Url));
        using var client = node.NewClient();

        Assert.True((200, "ok") == await GetAsync(client, "/odd"), what);
        Assert.Equal((200, "good"), await GetAsync(client, "/next"));

        var requests = backend.Requests.ToArray();
        Assert.True(reusable == (requests[0].Connection == requests[1].Connection), $"{what}: reused {requests[0].Connection == requests[1].Connection}, expected {reusable}");
        Assert.Equal(0, node.Counters("b1").TransportErrors);
    }

    [Fact]
    public async Task NoAnswerWithinActivityTimeout_504_CountedAgainstBackend()
    {
        await using var backend = RawHttpBackend.Start((_, c) => Task.Delay(Timeout.Infinite, c.Stopping));
        var config = ForwarderTestKit.OneDestination(backend.Url);
        config.Cluster()["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = "00:00:01" };
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        var timer = Stopwatch.StartNew();
        var (status, _) = await GetAsync(client, "/silent");

        Assert.Equal(504, status);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(15), $"the 504 came after {timer.Elapsed.TotalSeconds:0.0} s; the activity timeout is 1 s");
        Assert.Equal(1, node.Counters("b1").TransportErrors);
        Assert.Equal(1, node.Stats().Direct);
    }

    public static TheoryData<string, string, bool> CutShortBodies => new()
    {
        // what, what the backend sends, then whether it closes (else it goes silent past the 1 s activity timeout)
        { "Content-Length, then close", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789", true },
        { "chunked, then close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true },
        { "Content-Length, then silence", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789", false },
        { "chunked, then silence", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", false },
    };

    [Theory]
    [MemberData(nameof(CutShortBodies))]
    public async Task BodyCutShortByBackend_ClientConnectionAborted_NotACleanShortAnswer(string what, string partial, bool close)
    {
        await using var backend = RawHttpBackend.Start(async (request, c) =>
        {
            if (request.Target != "/cut")
            {
                await c.SendAsync(RawHttpBackend.Ok("good"));
                return;
            }

            await c.SendAsync(partial);
            if (close)
            {
                c.CloseAfterResponse = true;
            }
            else
            {
                await Task.Delay(Timeout.Infinite, c.Stopping);
            }
        });
        var config = ForwarderTestKit.OneDestination(backend.Url);
        config.Cluster()["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = "00:00:01" };
        await using var node = await TestNode.StartAsync(config);
        using var client = await RawHttpClient.ConnectAsync(node.Port, timeout: Deadline);

        await client.SendAsync("GET /cut HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttpMessage? response = null;
        var ended = await Record.ExceptionAsync(async () => response = await client.ReadResponseAsync());

        // A 502 if the answer had not started; once it has, the only honest end is a cut
        // connection (a FIN or a reset, which may come before the client has read the head),
        // never a complete message.
        if (response is not { Status: 502 })
        {
            Assert.True(ended is IOException or SocketException,
                $"{what}: expected the client connection cut, got {ended?.GetType().Name ?? $"a complete {response?.Status} answer: '{response?.BodyText}'"}");
        }

        await HttpTestHelpers.WaitUntilAsync(() => node.Counters("b1").TransportErrors == 1, Deadline, "the cut body is counted against the backend");
        using var next = node.NewClient();
        Assert.Equal((200, "good"), await GetAsync(next, "/next"));
    }
}
