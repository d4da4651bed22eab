using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Grpc;

/// <summary>
/// A real Grpc.AspNetCore backend on a free loopback port, speaking cleartext HTTP/2 only (h2c
/// with prior knowledge, as gRPC clients do on http://).
/// </summary>
internal sealed class GreeterBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GreeterBackend(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<GreeterBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<GreeterService>();
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GreeterBackend(app, new Uri(bound.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Answers that the client can check end to end: headers, messages, trailers, status.</summary>
internal sealed class GreeterService : Greeter.GreeterBase
{
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
    {
        context.ResponseTrailers.Add("x-served-protocol", context.GetHttpContext().Request.Protocol);
        context.ResponseTrailers.Add("x-payload-length", request.Payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.FromResult(new HelloReply { Message = $"hello {request.Name}", Payload = request.Payload });
    }

    public override async Task CountTo(HelloRequest request, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        for (var i = 1; i <= request.Count; i++)
        {
            await responseStream.WriteAsync(new HelloReply { Message = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        context.ResponseTrailers.Add("x-sent", request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override async Task<HelloReply> JoinNames(IAsyncStreamReader<HelloRequest> requestStream, ServerCallContext context)
    {
        var names = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            names.Add(request.Name);
        }

        return new HelloReply { Message = string.Join(",", names) };
    }

    public override Task<HelloReply> FailWith(HelloRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, $"no {request.Name} here"), new Metadata { { "x-reason", "test" } });
}
