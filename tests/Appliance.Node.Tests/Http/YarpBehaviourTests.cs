using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// Behaviour changes between YARP 2.1 and 2.3 that reach what this product serves: the
/// X-Forwarded-For of an IPv4 client on a dual-stack listener (yarp#2400, #2509) and the query
/// string of an active health probe (yarp#2421).
/// </summary>
public sealed class YarpBehaviourTests
{
    [Theory]
    [InlineData("Auto")]
    [InlineData("Yarp")]
    public async Task DualStackListener_IPv4Client_BackendSeesPlainIPv4InForwardedFor(string forwarder)
    {
        await using var backend = RawHttpBackend.Start((request, connection) => connection.SendAsync(RawHttpBackend.Ok("ok")));
        var config = ForwarderTestKit.OneDestination(backend.Url);
        var port = FreePort.Next();
        config["Listeners"]![0]!["Address"] = $"[::]:{port}"; // dual-stack: IPv4 clients arrive as ::ffff:a.b.c.d
        config.Balancing()["Forwarder"] = forwarder;
        await using var node = await TestNode.StartAsync(config);
        using var client = await RawHttpClient.ConnectAsync(port);

        Assert.Equal(200, (await client.ExchangeAsync("GET / HTTP/1.1\r\nHost: front.example\r\n\r\n")).Status);

        // YARP 2.1 wrote "::ffff:127.0.0.1" here.
        Assert.Equal("127.0.0.1", Assert.Single(backend.Requests).Message.Field("X-Forwarded-For"));
        Assert.Equal(forwarder == "Yarp" ? (0, 1) : (1, 0), (node.Stats().Direct, node.Stats().Yarp));
    }

    [Fact]
    public async Task ActiveHealthProbe_WithQuery_BackendSeesPathAndQuery()
    {
        await using var backend = RawHttpBackend.Start((request, connection) => connection.SendAsync(RawHttpBackend.Ok("ok")));
        var config = ForwarderTestKit.OneDestination(backend.Url);
        config.Cluster()["HealthCheck"] = new JsonObject
        {
            ["Active"] = new JsonObject
            {
                ["Enabled"] = true, ["Interval"] = "00:00:00.200", ["Timeout"] = "00:00:01", ["Path"] = "/health", ["Query"] = "?probe=1",
            },
        };
        await using var node = await TestNode.StartAsync(config);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (backend.Requests.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(backend.Requests.TryPeek(out var probe), "no health probe reached the backend within 10 s");
        Assert.Equal("/health?probe=1", probe.Target);
    }
}
