using System.Net;
using Appliance.Vip.Linux;

namespace Appliance.Tests.Linux;

public sealed class NeighborAdvertFrameTests
{
    private static readonly byte[] Mac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];

    [Fact]
    public void Build_UnsolicitedOverride_MatchesGoldenBytes()
    {
        var frame = NeighborAdvertFrame.Build(Mac, IPAddress.Parse("2001:db8::10"));

        // Checksum 0x9afc computed independently (Python, RFC 4443 pseudo-header).
        Assert.Equal(
            "333300000001" + "02005e100001" + "86dd"
            + "60000000" + "0020" + "3a" + "ff" + "20010db8000000000000000000000010" + "ff020000000000000000000000000001"
            + "88" + "00" + "9afc" + "20000000" + "20010db8000000000000000000000010" + "0201" + "02005e100001",
            Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Checksum_OverMessageIncludingItsChecksum_IsZero()
    {
        var frame = NeighborAdvertFrame.Build(Mac, IPAddress.Parse("2001:db8::abcd"));

        Assert.Equal(0, NeighborAdvertFrame.Checksum(frame.AsSpan(22, 16), frame.AsSpan(38, 16), frame.AsSpan(54, 32)));
    }
}
