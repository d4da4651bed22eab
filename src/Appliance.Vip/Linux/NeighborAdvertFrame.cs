using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Vip.Linux;

/// <summary>Unsolicited IPv6 neighbour advertisements (RFC 4861 7.2.6), as whole Ethernet frames.</summary>
internal static class NeighborAdvertFrame
{
    /// <summary>Ethernet 14 + IPv6 40 + ICMPv6 NA 24 + target link-layer option 8.</summary>
    public const int Length = 86;

    /// <summary>EtherType of IPv6.</summary>
    public const ushort EtherTypeIpv6 = 0x86DD;

    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    /// <summary>An NA for <paramref name="address"/> with the override flag, to all nodes, from <paramref name="mac"/>.</summary>
    public static byte[] Build(ReadOnlySpan<byte> mac, IPAddress address)
    {
        if (mac.Length != 6 || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("an NA needs a 6-byte MAC and an IPv6 address");
        }

        var f = new byte[Length];
        var s = f.AsSpan();
        ReadOnlySpan<byte> allNodesMac = [0x33, 0x33, 0, 0, 0, 1];
        allNodesMac.CopyTo(s);
        mac.CopyTo(s[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(s[12..], EtherTypeIpv6);

        var ip = s[14..];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 32);
        ip[6] = 58; // next header: ICMPv6
        ip[7] = 255; // hop limit: receivers drop NAs with any other value
        address.TryWriteBytes(ip[8..], out _);
        AllNodes.TryWriteBytes(ip[24..], out _);

        var icmp = s[54..];
        icmp[0] = 136;
        icmp[4] = 0x20; // flags: Override, not Solicited, not Router
        address.TryWriteBytes(icmp[8..], out _);
        icmp[24] = 2; // option: target link-layer address
        icmp[25] = 1; // in units of 8 bytes
        mac.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(ip.Slice(8, 16), ip.Slice(24, 16), icmp[..32]));
        return f;
    }

    /// <summary>The ICMPv6 checksum: ones' complement over the pseudo-header and the message.</summary>
    internal static ushort Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        uint sum = 0;
        sum = Add(sum, source);
        sum = Add(sum, destination);
        sum += (uint)message.Length >> 16;
        sum += (uint)message.Length & 0xFFFF;
        sum += 58;
        sum = Add(sum, message);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8;
        }

        return sum;
    }
}
