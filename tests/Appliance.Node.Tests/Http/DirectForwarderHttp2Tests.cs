using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Appliance.Tests.Http;

/// <summary>
/// HTTP/2 clients on the direct forwarder: Kestrel ends the client's HTTP/2 (here cleartext with
/// prior knowledge, the listener speaking only HTTP/2), and the backend gets HTTP/1.1 from our own
/// connection pool, with bodies byte for byte both ways. Requests that need trailers (gRPC,
/// <c>TE: trailers</c>) stay on YARP's forwarder, which carries them.
/// </summary>
public sealed class DirectForwarderHttp2Tests
{
    private static readonly byte[] OneMiB = RandomNumberGenerator.GetBytes(1 << 20);

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    private static Task<KestrelTestBackend> BackendAsync() => KestrelTestBackend.StartAsync(app =>
    {
        app.MapGet("/big", async (HttpContext context) =>
        {
            context.Response.Headers["X-Seen-Protocol"] = context.Request.Protocol;
            context.Response.ContentLength = OneMiB.Length;
            await context.Response.Body.WriteAsync(OneMiB);
        });
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received);
            context.Response.Headers["X-Seen-Protocol"] = context.Request.Protocol;
            context.Response.Headers["X-Seen-Transfer-Encoding"] = context.Request.Headers.TransferEncoding.ToString();
            context.Response.Headers["X-Seen-Host"] = context.Request.Host.ToString();
            await context.Response.Body.WriteAsync(received.ToArray());
        });
    });

    /// <summary>The one listener speaks HTTP/2 only, so a cleartext client may use it with prior knowledge.</summary>
    private static JsonObject Http2Only(Uri backend)
    {
        var config = ForwarderTestKit.OneDestination(backend);
        config["Listeners"]![0]!["Protocols"] = "Http2";
        return config;
    }

    private static HttpClient Http2Client(TestNode node) => new(new SocketsHttpHandler())
    {
        BaseAddress = node.BaseUrl,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A hand-made request message does not take the client's default version or policy.</summary>
    private static HttpRequestMessage Http2Request(HttpMethod method, string path) => new(method, new Uri(path, UriKind.Relative))
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    [Fact]
    public async Task Http2Get_GoesDirect_BackendSeesHttp11_LargeAnswerByteExact()
    {
        await using var backend = await BackendAsync();
        await using var node = await TestNode.StartAsync(Http2Only(backend.Url));
        using var client = Http2Client(node);
        var stats = node.Stats();

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri("/big", UriKind.Relative));
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("HTTP/1.1", response.Headers.GetValues("X-Seen-Protocol").Single());
            Assert.Equal(Hash(OneMiB), Hash(await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal((3, 0), (stats.Direct, stats.Yarp));
    }

    [Fact]
    public async Task Http2UploadWithoutLength_GoesDirectChunked_ArrivesByteExact()
    {
        await using var backend = await BackendAsync();
        await using var node = await TestNode.StartAsync(Http2Only(backend.Url));
        using var client = Http2Client(node);
        var stats = node.Stats();

        // A body of unknown length: HTTP/2 sends no Content-Length, so the backend gets it chunked.
        using var content = new UnknownLengthContent(OneMiB);
        using var response = await client.PostAsync(new Uri("/echo", UriKind.Relative), content);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("chunked", response.Headers.GetValues("X-Seen-Transfer-Encoding").Single());
        Assert.Equal($"127.0.0.1:{backend.Url.Port}", response.Headers.GetValues("X-Seen-Host").Single());
        Assert.Equal(Hash(OneMiB), Hash(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal((1, 0), (stats.Direct, stats.Yarp));
    }

    [Fact]
    public async Task Http2RequestsThatNeedTrailers_StayOnYarp()
    {
        await using var backend = await BackendAsync();
        await using var node = await TestNode.StartAsync(Http2Only(backend.Url));
        using var client = Http2Client(node);
        var stats = node.Stats();

        using (var grpcLike = Http2Request(HttpMethod.Post, "/echo"))
        {
            grpcLike.Content = new ByteArrayContent([0, 0, 0, 0, 0]);
            grpcLike.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using var response = await client.SendAsync(grpcLike);
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal((0, 1), (stats.Direct, stats.Yarp));

        using (var teTrailers = Http2Request(HttpMethod.Get, "/big"))
        {
            teTrailers.Headers.TryAddWithoutValidation("TE", "trailers");
            using var response = await client.SendAsync(teTrailers);
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal((0, 2), (stats.Direct, stats.Yarp));

        using var plain = await client.GetAsync(new Uri("/big", UriKind.Relative));
        Assert.Equal((1, 2), (stats.Direct, stats.Yarp));
    }
}

/// <summary>A body whose length the client does not know beforehand, so it goes without Content-Length.</summary>
internal sealed class UnknownLengthContent(byte[] body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
