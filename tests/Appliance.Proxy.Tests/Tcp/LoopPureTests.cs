using System.Net;
using System.Net.Sockets;
using Appliance.Proxy.Tcp;
using Appliance.Proxy.Tcp.Loop;
using Appliance.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Appliance.Tests.Tcp;

/// <summary>The event loop's pure parts: socket addresses as the kernel lays them out, and event tokens.</summary>
public sealed class LoopPureTests
{
    private static readonly Gen<IPEndPoint> EndPoints =
        from v6 in Gen.Elements(false, true)
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), v6 ? 16 : 4)
        from port in Gen.Choose(0, 65535)
        select new IPEndPoint(new IPAddress(bytes), port);

    [Fact]
    public void SockAddr_Ipv4_KernelLayout()
    {
        var buffer = new byte[SockAddr.MaxLength];

        var length = SockAddr.Write(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 443), buffer);

        Assert.Equal(16, length);
        Assert.Equal(new byte[] { 2, 0, 0x01, 0xBB, 192, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0 }, buffer[..16]); // AF_INET (little-endian), port big-endian
    }

    [Fact]
    public void SockAddr_Ipv6_KernelLayout()
    {
        var buffer = new byte[SockAddr.MaxLength];

        var length = SockAddr.Write(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 8080), buffer);

        Assert.Equal(28, length);
        Assert.Equal(new byte[] { 10, 0, 0x1F, 0x90, 0, 0, 0, 0, 0x20, 0x01, 0x0D, 0xB8 }, buffer[..12]);
        Assert.Equal(1, buffer[23]);
    }

    [Fact]
    public void SockAddr_RoundTrip_AnyEndPoint() =>
        PropertyCheck.Run(Prop.ForAll(EndPoints.ToArbitrary(), endpoint =>
        {
            var buffer = new byte[SockAddr.MaxLength];
            var length = SockAddr.Write(endpoint, buffer);
            return endpoint.Equals(SockAddr.Read(buffer.AsSpan(0, length)));
        }));

    [Fact]
    public void SockAddr_UnknownFamilyOrShortBuffer_IsNull()
    {
        var unix = new byte[SockAddr.MaxLength];
        unix[0] = 1; // AF_UNIX

        Assert.Null(SockAddr.Read(unix));
        Assert.Null(SockAddr.Read(new byte[8]));
        Assert.Null(SockAddr.Read(new byte[] { 10, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })); // IPv6 family, IPv4 length
    }

    [Fact]
    public void LoopToken_RoundTrip_NeverTheWakeToken() =>
        PropertyCheck.Run(Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(0, 1).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(),
            (slot, side, generation) =>
            {
                var token = LoopToken.Pack(slot, side, (uint)generation);
                return token != LoopToken.Wake && LoopToken.Unpack(token) == (slot, side, (uint)generation);
            }));

    [Fact]
    public void LoopToken_SameSlotNextGeneration_Differs()
    {
        // A descriptor closed and its slot reused: events still queued for the old one must not match.
        Assert.NotEqual(LoopToken.Pack(7, 0, 1), LoopToken.Pack(7, 0, 2));
        Assert.NotEqual(LoopToken.Pack(7, 0, 1), LoopToken.Pack(7, 1, 1));
    }

    [Theory]
    [InlineData("V1", "PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\n")]
    [InlineData("v2", null)]
    [InlineData("None", "")]
    [InlineData("", "")]
    public void ProxyHeaderWriter_WriteFor_FollowsThePoolSetting(string version, string? expectedText)
    {
        var buffer = new byte[ProxyHeaderWriter.MaxLength];
        var source = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 51234);
        var target = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443);

        var length = ProxyHeaderWriter.WriteFor(version, buffer, source, target);

        Assert.Equal(length > 0, ProxyHeaderWriter.Wanted(version));
        if (expectedText is null)
        {
            Assert.Equal(28, length); // v2 with IPv4 addresses
            Assert.Equal(0x21, buffer[12]);
        }
        else
        {
            Assert.Equal(expectedText, System.Text.Encoding.ASCII.GetString(buffer, 0, length));
        }
    }
}
