using System.Net;
using System.Text;
using Appliance.Proxy.Tcp;

namespace Appliance.Tests.Tcp;

/// <summary>PROXY protocol headers sent to backends, byte for byte (golden values from the specification's layout).</summary>
public sealed class ProxyHeaderWriterTests
{
    private static readonly IPEndPoint Client4 = new(IPAddress.Parse("192.0.2.10"), 51234);
    private static readonly IPEndPoint Vip4 = new(IPAddress.Parse("198.51.100.1"), 443);

    private static byte[] V2(IPEndPoint? source, IPEndPoint? target)
    {
        var buffer = new byte[ProxyHeaderWriter.MaxLength];
        return buffer[..ProxyHeaderWriter.WriteV2(buffer, source, target)];
    }

    private static string V1(IPEndPoint? source, IPEndPoint? target)
    {
        var buffer = new byte[ProxyHeaderWriter.MaxLength];
        return Encoding.ASCII.GetString(buffer, 0, ProxyHeaderWriter.WriteV1(buffer, source, target));
    }

    [Fact]
    public void WriteV2_Ipv4_GoldenBytes()
    {
        byte[] expected =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21, // version 2, PROXY
            0x11, // TCP over IPv4
            0x00, 0x0C, // 12 bytes of addresses
            192, 0, 2, 10, // source address
            198, 51, 100, 1, // destination address
            0xC8, 0x22, // source port 51234
            0x01, 0xBB, // destination port 443
        ];

        Assert.Equal(expected, V2(Client4, Vip4));
    }

    [Fact]
    public void WriteV2_Ipv6_GoldenBytes()
    {
        var source = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1024);
        var target = new IPEndPoint(IPAddress.Parse("2001:db8::ff"), 25);

        var bytes = V2(source, target);

        Assert.Equal(16 + 36, bytes.Length);
        Assert.Equal([0x21, 0x21, 0x00, 0x24], bytes[12..16]);
        Assert.Equal(source.Address.GetAddressBytes(), bytes[16..32]);
        Assert.Equal(target.Address.GetAddressBytes(), bytes[32..48]);
        Assert.Equal([0x04, 0x00, 0x00, 0x19], bytes[48..52]);
    }

    [Fact]
    public void WriteV2_UnknownAddresses_IsLocalWithNoAddresses() =>
        Assert.Equal([0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00], V2(null, Vip4));

    [Fact]
    public void WriteV2_MappedIpv4Client_WrittenAsIpv4()
    {
        var mapped = new IPEndPoint(Client4.Address.MapToIPv6(), Client4.Port);

        Assert.Equal(V2(Client4, Vip4), V2(mapped, new IPEndPoint(Vip4.Address.MapToIPv6(), Vip4.Port)));
    }

    [Fact]
    public void WriteV2_MixedFamilies_WrittenAsIpv6()
    {
        var bytes = V2(Client4, new IPEndPoint(IPAddress.Parse("2001:db8::ff"), 25));

        Assert.Equal(0x21, bytes[13]);
        Assert.Equal(Client4.Address.MapToIPv6().GetAddressBytes(), bytes[16..32]);
    }

    [Fact]
    public void WriteV1_Ipv4_GoldenText() =>
        Assert.Equal("PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\n", V1(Client4, Vip4));

    [Fact]
    public void WriteV1_Ipv6_GoldenText() =>
        Assert.Equal("PROXY TCP6 2001:db8::1 2001:db8::ff 1024 25\r\n",
            V1(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1024), new IPEndPoint(IPAddress.Parse("2001:db8::ff"), 25)));

    [Fact]
    public void WriteV1_UnknownAddresses_IsUnknown() =>
        Assert.Equal("PROXY UNKNOWN\r\n", V1(Client4, null));

    [Fact]
    public void WriteV1_LongestIpv6_FitsMaxLength()
    {
        var longest = new IPEndPoint(IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 65535);

        Assert.True(V1(longest, longest).Length <= 107);
    }
}
