using System.Net;
using System.Text;
using Appliance.Proxy.Tcp;

namespace Appliance.Tests.Tcp;

/// <summary>PROXY v1/v2 parsing: valid headers, partial input, and malformed headers refused cleanly.</summary>
public sealed class ProxyHeaderParserTests
{
    private static readonly byte[] V2Ipv4 =
    [
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
        0x21, 0x11, 0x00, 0x0C, 192, 0, 2, 10, 198, 51, 100, 1, 0xC8, 0x22, 0x01, 0xBB,
    ];

    private static (ProxyParseStatus Status, ProxyHeader Header, int Length) Parse(byte[] data)
    {
        var status = ProxyHeaderParser.TryParse(data, out var header, out var length);
        return (status, header, length);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void TryParse_V1Tcp4WithPayload_ReturnsAddressesAndHeaderLength()
    {
        var (status, header, length) = Parse(Ascii("PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\nHELO"));

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 51234), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443), header.Destination);
        Assert.Equal(46, length);
    }

    [Fact]
    public void TryParse_V1Tcp6_ReturnsAddresses()
    {
        var (status, header, _) = Parse(Ascii("PROXY TCP6 2001:db8::1 2001:db8::ff 1024 25\r\n"));

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1024), header.Source);
    }

    [Fact]
    public void TryParse_V1Unknown_DoneWithoutAddresses()
    {
        const string Line = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n";
        var (status, header, length) = Parse(Ascii(Line + "x"));

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.False(header.HasAddresses);
        Assert.Equal(Line.Length, length);
    }

    [Fact]
    public void TryParse_V2Ipv4WithPayload_ReturnsAddresses()
    {
        var (status, header, length) = Parse([.. V2Ipv4, 0x42]);

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 51234), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443), header.Destination);
        Assert.Equal(28, length);
    }

    [Fact]
    public void TryParse_V2WithTlvs_SkipsThem()
    {
        var withTlv = V2Ipv4.ToArray();
        withTlv[15] = 0x0C + 7; // 12 address bytes + one 7-byte TLV (type, length 4, value)
        var (status, header, length) = Parse([.. withTlv, 0x04, 0x00, 0x04, 1, 2, 3, 4]);

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.True(header.HasAddresses);
        Assert.Equal(35, length);
    }

    [Fact]
    public void TryParse_V2Local_DoneWithoutAddresses()
    {
        var local = V2Ipv4.ToArray();
        local[12] = 0x20;

        var (status, header, length) = Parse(local);

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.False(header.HasAddresses);
        Assert.Equal(28, length);
    }

    [Fact]
    public void TryParse_WrittenHeadersRoundTrip()
    {
        var buffer = new byte[ProxyHeaderWriter.MaxLength];
        foreach (var (source, target) in new[]
        {
            (new IPEndPoint(IPAddress.Parse("10.1.2.3"), 1), new IPEndPoint(IPAddress.Parse("10.9.8.7"), 65535)),
            (new IPEndPoint(IPAddress.Parse("2001:db8::5"), 40000), new IPEndPoint(IPAddress.Parse("::1"), 0)),
        })
        {
            foreach (var write in new Func<IPEndPoint, IPEndPoint, int>[] { (s, t) => ProxyHeaderWriter.WriteV1(buffer, s, t), (s, t) => ProxyHeaderWriter.WriteV2(buffer, s, t) })
            {
                var written = write(source, target);
                Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(buffer.AsSpan(0, written), out var header, out var length));
                Assert.Equal((source, target, written), (header.Source, header.Destination, length));
            }
        }
    }

    [Fact]
    public void TryParse_EveryProperPrefix_IsIncomplete()
    {
        var v1 = Ascii("PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\n");
        foreach (var header in new[] { v1, V2Ipv4 })
        {
            for (var n = 0; n < header.Length; n++)
            {
                Assert.Equal(ProxyParseStatus.Incomplete, Parse(header[..n]).Status);
            }
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")] // not a PROXY header at all
    [InlineData("PROXZ TCP4 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")] // LF without CR
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n")] // double space
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n")] // a field missing
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n")] // short address
    [InlineData("PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n")] // family mismatch
    [InlineData("PROXY TCP6 1.2.3.4 2001:db8::1 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n")] // port too large
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n")] // leading zero
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n")] // trailing space
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\t\r\n")] // control character
    public void TryParse_MalformedV1_IsInvalid(string text) =>
        Assert.Equal(ProxyParseStatus.Invalid, Parse(Ascii(text)).Status);

    [Fact]
    public void TryParse_V1WithoutEndWithin107Bytes_IsInvalid() =>
        Assert.Equal(ProxyParseStatus.Invalid, Parse(Ascii("PROXY TCP4 " + new string('1', 120))).Status);

    [Fact]
    public void TryParse_V2BadSignature_IsInvalid()
    {
        var bad = V2Ipv4.ToArray();
        bad[7] = 0x52;

        Assert.Equal(ProxyParseStatus.Invalid, Parse(bad).Status);
        Assert.Equal(ProxyParseStatus.Invalid, Parse(bad[..9]).Status); // refused as soon as the prefix is wrong
    }

    [Theory]
    [InlineData(12, 0x11)] // version 1 in the binary format
    [InlineData(12, 0x22)] // command 2
    [InlineData(15, 0x08)] // IPv4 with only 8 address bytes
    public void TryParse_V2BadField_IsInvalid(int index, byte value)
    {
        var bad = V2Ipv4.ToArray();
        bad[index] = value;

        Assert.Equal(ProxyParseStatus.Invalid, Parse(bad).Status);
    }

    [Fact]
    public void TryParse_V2LongerThanLimit_IsInvalid()
    {
        var big = V2Ipv4[..16].ToArray();
        big[14] = 0x10; // 4096 + 12 bytes announced

        Assert.Equal(ProxyParseStatus.Invalid, Parse(big).Status);
    }
}
