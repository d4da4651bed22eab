using System.Net;
using Appliance.Vip.Linux;
using PacketDotNet;

namespace Appliance.Tests.Linux;

public sealed class UnsolicitedNeighborAdvertTests
{
    private static readonly byte[] Mac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];

    [Fact]
    public void Build_UnsolicitedOverride_MatchesGoldenBytes()
    {
        var frame = UnsolicitedNeighborAdvert.Build(Mac, IPAddress.Parse("2001:db8::10"));

        // 86 bytes, the ICMPv6 header once (PacketDotNet 1.4.8's object graph writes it twice:
        // 90 bytes and a wrong checksum). Checksum 0x9afc computed independently (Python, RFC
        // 4443 pseudo-header).
        Assert.Equal(
            "333300000001" + "02005e100001" + "86dd"
            + "60000000" + "0020" + "3a" + "ff" + "20010db8000000000000000000000010" + "ff020000000000000000000000000001"
            + "88" + "00" + "9afc" + "20000000" + "20010db8000000000000000000000010" + "0201" + "02005e100001",
            Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Build_AnyAddress_ChecksumVerifiesAndPacketDotNetReadsAnNa()
    {
        var frame = UnsolicitedNeighborAdvert.Build(Mac, IPAddress.Parse("2001:db8::abcd"));

        var stored = (ushort)((frame[56] << 8) | frame[57]);
        Assert.Equal(stored, UnsolicitedNeighborAdvert.Checksum(frame));
        var parsed = Packet.ParsePacket(LinkLayers.Ethernet, frame);
        var icmp = parsed.Extract<IcmpV6Packet>();
        Assert.Equal(IcmpV6Type.NeighborAdvertisement, icmp.Type);
        Assert.Equal(IPAddress.Parse("2001:db8::abcd"), parsed.Extract<NdpNeighborAdvertisementPacket>().TargetAddress);
        Assert.Equal(UnsolicitedNeighborAdvert.Length, frame.Length);
    }

    [Fact]
    public void Build_Ipv4Address_Throws() =>
        Assert.Throws<ArgumentException>(() => UnsolicitedNeighborAdvert.Build(Mac, IPAddress.Parse("198.18.0.10")));
}
