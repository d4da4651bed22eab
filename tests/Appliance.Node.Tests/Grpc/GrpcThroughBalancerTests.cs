using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Appliance.Tests.Grpc;

/// <summary>
/// gRPC end to end through a node: a Grpc.Net.Client over cleartext HTTP/2 to the balancer, a
/// Grpc.AspNetCore backend reached over HTTP/2. Every call needs trailers (grpc-status rides in
/// them), so the direct forwarder must leave these to YARP's, and trailers, status codes and
/// messages must arrive intact in both directions.
/// </summary>
public sealed class GrpcThroughBalancerTests
{
    private static JsonObject GrpcConfig(Uri backend)
    {
        var config = ForwarderTestKit.OneDestination(backend);
        config["Listeners"]![0]!["Protocols"] = "Http2";
        // gRPC needs HTTP/2 to the backend too; cleartext HTTP/2 is only spoken when asked exactly.
        config.Cluster()["HttpRequest"] = new JsonObject { ["Version"] = "2", ["VersionPolicy"] = "RequestVersionExact" };
        return config;
    }

    private static async Task<(GreeterBackend Backend, TestNode Node, GrpcChannel Channel)> StartAsync()
    {
        var backend = await GreeterBackend.StartAsync();
        var node = await TestNode.StartAsync(GrpcConfig(backend.Url));
        var channel = GrpcChannel.ForAddress(node.BaseUrl, new GrpcChannelOptions { MaxReceiveMessageSize = 4 << 20 });
        return (backend, node, channel);
    }

    private static CallOptions Deadline() => new(deadline: DateTime.UtcNow.AddSeconds(30));

    [Fact]
    public async Task Unary_MessageAndTrailersArriveIntact_BackendSpokeHttp2_ViaYarp()
    {
        var (backend, node, channel) = await StartAsync();
        await using var _ = backend;
        await using var __ = node;
        using var ___ = channel;
        var client = new Greeter.GreeterClient(channel);
        var payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(256 * 1024));

        using var call = client.SayHelloAsync(new HelloRequest { Name = "ada", Payload = payload }, Deadline());
        var reply = await call.ResponseAsync;

        Assert.Equal("hello ada", reply.Message);
        Assert.Equal(payload, reply.Payload);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        var trailers = call.GetTrailers();
        Assert.Equal("HTTP/2", trailers.GetValue("x-served-protocol"));
        Assert.Equal("262144", trailers.GetValue("x-payload-length"));
        Assert.Equal((0, 1), (node.Stats().Direct, node.Stats().Yarp));
    }

    [Fact]
    public async Task ServerStreaming_AllMessagesThenTrailer()
    {
        var (backend, node, channel) = await StartAsync();
        await using var _ = backend;
        await using var __ = node;
        using var ___ = channel;
        var client = new Greeter.GreeterClient(channel);

        using var call = client.CountTo(new HelloRequest { Count = 200 }, Deadline());
        var seen = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            seen.Add(reply.Message);
        }

        Assert.Equal(Enumerable.Range(1, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), seen);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("200", call.GetTrailers().GetValue("x-sent"));
    }

    [Fact]
    public async Task ClientStreaming_EveryRequestMessageReachesTheBackend()
    {
        var (backend, node, channel) = await StartAsync();
        await using var _ = backend;
        await using var __ = node;
        using var ___ = channel;
        var client = new Greeter.GreeterClient(channel);

        using var call = client.JoinNames(Deadline());
        var names = Enumerable.Range(0, 50).Select(i => $"n{i}").ToList();
        foreach (var name in names)
        {
            await call.RequestStream.WriteAsync(new HelloRequest { Name = name });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;

        Assert.Equal(string.Join(",", names), reply.Message);
    }

    [Fact]
    public async Task ErrorStatus_DetailAndTrailersReachTheClient()
    {
        var (backend, node, channel) = await StartAsync();
        await using var _ = backend;
        await using var __ = node;
        using var ___ = channel;
        var client = new Greeter.GreeterClient(channel);

        var failure = await Assert.ThrowsAsync<RpcException>(async () => await client.FailWithAsync(new HelloRequest { Name = "bob" }, Deadline()));

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Equal("no bob here", failure.Status.Detail);
        Assert.Equal("test", failure.Trailers.GetValue("x-reason"));
    }
}
