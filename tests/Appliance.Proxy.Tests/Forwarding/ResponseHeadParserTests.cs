using System.Text;
using Appliance.Proxy.Forwarding;

namespace Appliance.Tests.Forwarding;

public sealed class ResponseHeadParserTests
{
    private static HeadParseStatus Parse(string text, out ResponseHead head, out string? error, bool head_ = false, HeaderRange[]? ranges = null) =>
        ResponseHeadParser.TryParse(Encoding.Latin1.GetBytes(text), head_, ranges ?? new HeaderRange[64], out head, out error);

    [Fact]
    public void TryParse_ContentLength_FramesByLengthAndKeepsAlive()
    {
        var status = Parse("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Backend: b1\r\n\r\nhello\n", out var head, out _);

        Assert.Equal(HeadParseStatus.Complete, status);
        Assert.Equal(200, head.Status);
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(6, head.ContentLength);
        Assert.True(head.KeepAlive);
        Assert.Equal(2, head.HeaderCount);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Backend: b1\r\n\r\n".Length, head.Length);
    }

    [Fact]
    public void TryParse_HeaderRanges_PointAtTrimmedNameAndValue()
    {
        var text = "HTTP/1.1 200 OK\r\nX-Name:   spaced value \t\r\n\r\n";
        var ranges = new HeaderRange[4];
        Assert.Equal(HeadParseStatus.Complete, Parse(text, out _, out _, ranges: ranges));

        var bytes = Encoding.Latin1.GetBytes(text);
        Assert.Equal("X-Name", Encoding.Latin1.GetString(bytes, ranges[0].NameStart, ranges[0].NameLength));
        Assert.Equal("spaced value", Encoding.Latin1.GetString(bytes, ranges[0].ValueStart, ranges[0].ValueLength));
    }

    [Fact]
    public void TryParse_PartialHead_IsIncomplete()
    {
        Assert.Equal(HeadParseStatus.Incomplete, Parse("HTTP/1.1 200 OK\r\nContent-Le", out _, out _));
        Assert.Equal(HeadParseStatus.Incomplete, Parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r", out _, out _));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "Chunked", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "Chunked", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "UntilClose", false)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "UntilClose", false)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", "None", true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "None", true)]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n", "None", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n", "ContentLength", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", "ContentLength", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n", "ContentLength", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", "ContentLength", true)]
    public void TryParse_Framing_FollowsRfc9112(string text, string framing, bool keepAlive)
    {
        Assert.Equal(HeadParseStatus.Complete, Parse(text, out var head, out var error));
        Assert.Null(error);
        Assert.Equal(framing, head.Framing.ToString());
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Fact]
    public void TryParse_TransferEncodingAndContentLength_ChunkedWinsAndConnectionIsNotReused()
    {
        // A response carrying both may be a smuggling attempt (RFC 9112 6.3): decode by chunks, then close.
        Assert.Equal(HeadParseStatus.Complete, Parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", out var head, out _));
        Assert.Equal(BodyFraming.Chunked, head.Framing);
        Assert.False(head.KeepAlive);
    }

    [Fact]
    public void TryParse_AnswerToHead_HasNoBodyWhateverItsLength()
    {
        Assert.Equal(HeadParseStatus.Complete, Parse("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", out var head, out _, head_: true));
        Assert.Equal(BodyFraming.None, head.Framing);
        Assert.Equal(1234, head.ContentLength);
        Assert.True(head.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "two different Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "two different Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "non-negative")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "non-negative")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "non-negative")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "empty")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "obs-fold")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", "white space before the colon")]
    [InlineData("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "no colon")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\n\r\n", "control character")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 5\r\n\r\n", "bare LF")]
    [InlineData("HTTP/2 200 OK\r\n\r\n", "status line")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n", "status line")]
    [InlineData("HTTP/1.1 200OK\r\n\r\n", "status line")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", "below 100")]
    [InlineData("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.0")]
    [InlineData("ICY 200 OK\r\n\r\n", "status line")]
    public void TryParse_AmbiguousOrMalformed_IsRefusedWithAReason(string text, string reason)
    {
        Assert.Equal(HeadParseStatus.Invalid, Parse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_HeadOver64KiB_IsRefusedEvenBeforeItEnds()
    {
        var big = "HTTP/1.1 200 OK\r\nX-Big: " + new string('a', ResponseHeadParser.MaxHeadLength);
        Assert.Equal(HeadParseStatus.Invalid, Parse(big, out _, out var error));
        Assert.Contains("64 KiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_MoreHeaderLinesThanRoom_IsRefused()
    {
        var text = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Assert.Equal(HeadParseStatus.Invalid, Parse(text, out _, out var error, ranges: new HeaderRange[4]));
        Assert.Contains("more than 4 header lines", error, StringComparison.Ordinal);
    }
}
