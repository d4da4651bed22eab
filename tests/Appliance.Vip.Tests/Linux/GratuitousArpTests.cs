using System.Net;
using Appliance.Vip.Linux;

namespace Appliance.Tests.Linux;

public sealed class GratuitousArpTests
{
    private static readonly byte[] Mac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];

    [Fact]
    public void Build_RequestForm_MatchesGoldenBytes()
    {
        var frame = GratuitousArp.Build(Mac, IPAddress.Parse("198.18.0.10"), reply: false);

        Assert.Equal(
            "ffffffffffff" + "02005e100001" + "0806" + "0001" + "0800" + "06" + "04" + "0001"
            + "02005e100001" + "c612000a" + "000000000000" + "c612000a",
            Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Build_ReplyForm_HasOpcode2AndBroadcastTarget()
    {
        var frame = GratuitousArp.Build(Mac, IPAddress.Parse("198.18.0.10"), reply: true);

        Assert.Equal(
            "ffffffffffff" + "02005e100001" + "0806" + "0001" + "0800" + "06" + "04" + "0002"
            + "02005e100001" + "c612000a" + "ffffffffffff" + "c612000a",
            Convert.ToHexStringLower(frame));
        Assert.Equal(GratuitousArp.Length, frame.Length);
    }

    [Fact]
    public void Build_Ipv6Address_Throws() =>
        Assert.Throws<ArgumentException>(() => GratuitousArp.Build(Mac, IPAddress.Parse("2001:db8::1"), false));
}
