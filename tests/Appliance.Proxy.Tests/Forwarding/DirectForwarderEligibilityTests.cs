using Appliance.Proxy.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Appliance.Proxy.Tests.Forwarding;

/// <summary>Which client requests the direct forwarder takes, and which it leaves to YARP's.</summary>
public sealed class DirectForwarderEligibilityTests
{
    private static bool Plain(string protocol, string method = "GET", Action<HttpRequest>? shape = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = protocol;
        context.Request.Method = method;
        shape?.Invoke(context.Request);
        return DirectForwarderMiddleware.IsPlainRequest(context.Request, context.Features);
    }

    [Theory]
    [InlineData("HTTP/1.0")]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/2")]
    public void OrdinaryRequestsOfEachProtocol_GoDirect(string protocol) => Assert.True(Plain(protocol));

    [Fact]
    public void Http3_StaysOnYarp() => Assert.False(Plain("HTTP/3"));

    [Fact]
    public void Connect_IncludingHttp2ExtendedConnect_StaysOnYarp() => Assert.False(Plain("HTTP/2", "CONNECT"));

    [Fact]
    public void Expect_StaysOnYarp() => Assert.False(Plain("HTTP/1.1", "POST", r => r.Headers.Expect = "100-continue"));

    [Theory]
    [InlineData("application/grpc")]
    [InlineData("application/grpc+proto")]
    [InlineData("APPLICATION/GRPC-WEB")]
    public void GrpcContent_StaysOnYarp(string contentType) =>
        Assert.False(Plain("HTTP/2", "POST", r => r.ContentType = contentType));

    [Theory]
    [InlineData("trailers")]
    [InlineData("gzip, Trailers")]
    [InlineData("deflate;q=0.5 , trailers")]
    public void TeAskingForTrailers_StaysOnYarp(string te) => Assert.False(Plain("HTTP/1.1", shape: r => r.Headers.TE = te));

    [Theory]
    [InlineData("gzip")]
    [InlineData("trailersx")]
    public void TeWithoutTrailers_GoesDirect(string te) => Assert.True(Plain("HTTP/1.1", shape: r => r.Headers.TE = te));

    [Fact]
    public void JsonContent_GoesDirect() => Assert.True(Plain("HTTP/2", "POST", r => r.ContentType = "application/json"));
}
