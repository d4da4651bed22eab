using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PacketDotNet;
using PacketDotNet.Ndp;
using PacketDotNet.Utils;

namespace Appliance.Vip.Linux;

/// <summary>Unsolicited IPv6 neighbour advertisements (RFC 4861 7.2.6) as whole Ethernet frames, laid out with PacketDotNet.</summary>
internal static class UnsolicitedNeighborAdvert
{
    /// <summary>Ethernet 14 + IPv6 40 + ICMPv6 header 4 + NA body 20 + target link-layer option 8.</summary>
    public const int Length = 86;

    private const int IpAt = 14;
    private const int IcmpAt = 54;
    private const int IcmpLength = Length - IcmpAt;

    private static readonly PhysicalAddress AllNodesMac = new([0x33, 0x33, 0, 0, 0, 1]);
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    /// <summary>An NA for <paramref name="address"/> with the override flag, to all nodes, from <paramref name="mac"/>.</summary>
    /// <remarks>
    /// PacketDotNet 1.4.8 writes the ICMPv6 header twice when an NA is built as an object graph
    /// (ICMPv6 packet with an NDP payload: a 90-byte frame and a wrong checksum): its NDP
    /// packets count the ICMPv6 header as their own. So each layer is a view over one 86-byte
    /// buffer, and the checksum is computed over that buffer's ICMPv6
    /// bytes with the IPv6 pseudo-header (RFC 4443 2.3). The golden-byte test guards both.
    /// </remarks>
    public static byte[] Build(ReadOnlySpan<byte> mac, IPAddress address)
    {
        if (mac.Length != 6 || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("an NA needs a 6-byte MAC and an IPv6 address");
        }

        var bytes = new byte[Length];
        var sender = new PhysicalAddress(mac.ToArray());
        _ = new EthernetPacket(new ByteArraySegment(bytes, 0, Length))
        {
            DestinationHardwareAddress = AllNodesMac,
            SourceHardwareAddress = sender,
            Type = EthernetType.IPv6,
        };

        bytes[IpAt] = 0x60; // version 6 before the IPv6 view reads its header
        var ip = new IPv6Packet(new ByteArraySegment(bytes, IpAt, Length - IpAt))
        {
            PayloadLength = IcmpLength,
            NextHeader = PacketDotNet.ProtocolType.IcmpV6,
            HopLimit = 255, // receivers drop NAs with any other hop limit
            SourceAddress = address,
            DestinationAddress = AllNodes,
        };

        var icmp = new IcmpV6Packet(new ByteArraySegment(bytes, IcmpAt, IcmpLength), ip) { Type = IcmpV6Type.NeighborAdvertisement, Code = 0 };
        // In 1.4.8 the NDP view spans the whole ICMPv6 message (its field offsets count the
        // 4-byte ICMPv6 header), so it lies over the same bytes as the ICMPv6 view.
        _ = new NdpNeighborAdvertisementPacket(new ByteArraySegment(bytes, IcmpAt, IcmpLength))
        {
            Override = true,
            Solicited = false,
            Router = false,
            TargetAddress = address,
        };
        _ = new NdpLinkLayerAddressOption(bytes, IcmpAt + 4 + 20, 8)
        {
            Type = OptionTypes.TargetLinkLayerAddress,
            Length = 1, // in units of 8 bytes
            LinkLayerAddress = sender,
        };

        icmp.Checksum = Checksum(bytes);
        return bytes;
    }

    /// <summary>The ICMPv6 checksum of a whole NA frame: ones' complement over the pseudo-header and the ICMPv6 bytes (with the checksum field as it is).</summary>
    internal static ushort Checksum(byte[] frame)
    {
        var pseudo = new byte[40];
        Array.Copy(frame, IpAt + 8, pseudo, 0, 32); // source and destination
        pseudo[34] = 0;
        pseudo[35] = IcmpLength;
        pseudo[39] = 58; // next header: ICMPv6
        var saved = (frame[IcmpAt + 2], frame[IcmpAt + 3]);
        frame[IcmpAt + 2] = 0;
        frame[IcmpAt + 3] = 0;
        var sum = (ushort)ChecksumUtils.OnesComplementSum(new ByteArraySegment(frame, IcmpAt, IcmpLength), pseudo);
        (frame[IcmpAt + 2], frame[IcmpAt + 3]) = saved;
        return sum;
    }
}
