using System.Text;
using Appliance.Proxy.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Appliance.Tests.Forwarding;

public sealed class RequestHeadWriterTests
{
    private static string Write(OutgoingRequest request, HeaderDictionary headers)
    {
        using var buffer = new HeadBuffer(16);
        RequestHeadWriter.Write(buffer, request, headers);
        return Encoding.Latin1.GetString(buffer.Written.Span);
    }

    private static OutgoingRequest Get(string target = "/a?b=1") =>
        new("GET", target, "10.0.0.1:8080", "192.0.2.7", "https", "site.example", null, RequestBodyFraming.None, 0);

    [Fact]
    public void Write_PlainGet_HasRequestLineHostForwardedFieldsAndBlankLine()
    {
        var head = Write(Get(), new HeaderDictionary { ["Accept"] = "*/*" });

        Assert.Equal(
            "GET /a?b=1 HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nAccept: */*\r\n"
            + "X-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: site.example\r\n\r\n",
            head);
    }

    [Fact]
    public void Write_HopByHopAndClientForwardedFields_AreDroppedAndReplaced()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = "site.example",
            ["Connection"] = "keep-alive, X-Secret",
            ["Keep-Alive"] = "timeout=5",
            ["Proxy-Connection"] = "keep-alive",
            ["Proxy-Authorization"] = "Basic eA==",
            ["Transfer-Encoding"] = "chunked",
            ["Content-Length"] = "99",
            ["Upgrade"] = "websocket",
            ["TE"] = "gzip",
            ["X-Forwarded-For"] = "6.6.6.6",
            ["X-Forwarded-Host"] = "evil.example",
            ["X-Forwarded-Proto"] = "gopher",
            ["X-Forwarded-Prefix"] = "/evil",
            ["Expect"] = "100-continue",
            ["X-Kept"] = "yes",
        };

        var head = Write(Get(), headers);

        Assert.DoesNotContain("6.6.6.6", head, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", head, StringComparison.Ordinal);
        Assert.DoesNotContain("gopher", head, StringComparison.Ordinal);
        foreach (var dropped in new[] { "Connection:", "Keep-Alive:", "Proxy-", "Transfer-Encoding:", "Content-Length:", "Upgrade:", "TE:", "Expect:" })
        {
            Assert.DoesNotContain(dropped, head, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("X-Kept: yes\r\n", head, StringComparison.Ordinal);
        Assert.Single(head.Split("Host: "), s => s.StartsWith("10.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_TeTrailers_PassesForGrpc()
    {
        Assert.Contains("TE: trailers\r\n", Write(Get(), new HeaderDictionary { ["TE"] = "trailers" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ValueWithLineBreak_IsDroppedNotSplitIntoTwoFields()
    {
        var head = Write(Get(), new HeaderDictionary { ["X-Evil"] = "a\r\nX-Injected: 1", ["X-Ok"] = "fine" });

        Assert.DoesNotContain("X-Injected", head, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Evil", head, StringComparison.Ordinal);
        Assert.Contains("X-Ok: fine\r\n", head, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RepeatedValues_JoinOnOneLineCookiesWithSemicolons()
    {
        var head = Write(Get(), new HeaderDictionary
        {
            ["Accept"] = new StringValues(["text/html", "application/json"]),
            ["Cookie"] = new StringValues(["a=1", "b=2"]),
        });

        Assert.Contains("Accept: text/html, application/json\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Cookie: a=1; b=2\r\n", head, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, 1234, "Content-Length: 1234\r\n")]
    [InlineData(false, 0, "Transfer-Encoding: chunked\r\n")]
    public void Write_BodyFraming_IsTheProxysOwn(bool lengthKnown, long length, string expected)
    {
        var framing = lengthKnown ? RequestBodyFraming.ContentLength : RequestBodyFraming.Chunked;
        var request = Get() with { Method = "POST", BodyFraming = framing, ContentLength = length };
        var head = Write(request, new HeaderDictionary { ["Content-Length"] = "5", ["Transfer-Encoding"] = "chunked" });

        Assert.EndsWith(expected + "\r\n", head, StringComparison.Ordinal);
        Assert.Single(head.Split("\r\n"), l => l.StartsWith("Content-Length", StringComparison.Ordinal) || l.StartsWith("Transfer-Encoding", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_PathBase_BecomesForwardedPrefix()
    {
        Assert.Contains("X-Forwarded-Prefix: /app\r\n", Write(Get() with { ForwardedPrefix = "/app" }, []), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_LongHead_GrowsTheBuffer()
    {
        var big = new string('v', 20_000);
        Assert.Contains(big, Write(Get(), new HeaderDictionary { ["X-Big"] = big }), StringComparison.Ordinal);
    }
}
