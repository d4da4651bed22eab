using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

public sealed class EndpointParserTests
{
    [Theory]
    [InlineData("0.0.0.0:443", "0.0.0.0", 443)]
    [InlineData("10.0.0.5:1", "10.0.0.5", 1)]
    [InlineData("[::]:80", "::", 80)]
    [InlineData("[::1]:9900", "::1", 9900)]
    [InlineData("[2001:DB8::1]:65535", "2001:db8::1", 65535)]
    [InlineData("*:8080", "*", 8080)]
    [InlineData("LocalHost:8080", "localhost", 8080)]
    [InlineData(" 127.0.0.1:9900 ", "127.0.0.1", 9900)]
    public void TryParseEndpoint_Valid_SplitsHostAndPort(string text, string host, int port)
    {
        Assert.True(EndpointParser.TryParseEndpoint(text, out var parsedHost, out var parsedPort));
        Assert.Equal((host, port), (parsedHost, parsedPort));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0.0.0.0")]
    [InlineData("0.0.0.0:")]
    [InlineData("0.0.0.0:0")]
    [InlineData("0.0.0.0:65536")]
    [InlineData("0.0.0.0:+80")]
    [InlineData(":80")]
    [InlineData("::1:80")]
    [InlineData("[::1]")]
    [InlineData("[10.0.0.1]:80")]
    [InlineData("10.0.0:80")]
    [InlineData("010.0.0.1:80")]
    [InlineData("256.0.0.1:80")]
    [InlineData("www.example.com:80")]
    public void TryParseEndpoint_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(EndpointParser.TryParseEndpoint(text, out var host, out var port));
        Assert.Equal(("", 0), (host, port));
    }

    [Fact]
    public void TryParseEndpoint_IPv6WithoutBrackets_SuggestsBrackets()
    {
        Assert.False(EndpointParser.TryParseEndpoint("::1:80", out _, out _, out var error));
        Assert.Contains("\"[::1]:80\"", error, StringComparison.Ordinal);
    }
}
