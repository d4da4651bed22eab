using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Vip.Linux;

/// <summary>Gratuitous ARP frames (Ethernet II), in the two forms switches and hosts accept.</summary>
internal static class ArpFrame
{
    /// <summary>Bytes in one frame (no padding: the NIC pads to the 60-byte minimum).</summary>
    public const int Length = 42;

    /// <summary>EtherType of ARP.</summary>
    public const ushort EtherTypeArp = 0x0806;

    /// <summary>
    /// A gratuitous ARP for <paramref name="address"/> from <paramref name="mac"/>, broadcast.
    /// The request form (RFC 5227 announcement) has a zero target MAC; the reply form
    /// names the broadcast MAC as target, which older stacks need to update their caches.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<byte> mac, IPAddress address, bool reply)
    {
        if (mac.Length != 6 || address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("ARP needs a 6-byte MAC and an IPv4 address");
        }

        var f = new byte[Length];
        var s = f.AsSpan();
        s[..6].Fill(0xFF);
        mac.CopyTo(s[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(s[12..], EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(s[14..], 1); // hardware: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(s[16..], 0x0800); // protocol: IPv4
        s[18] = 6;
        s[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(s[20..], reply ? (ushort)2 : (ushort)1);
        mac.CopyTo(s[22..]);
        address.TryWriteBytes(s[28..], out _);
        if (reply)
        {
            s.Slice(32, 6).Fill(0xFF);
        }

        address.TryWriteBytes(s[38..], out _);
        return f;
    }
}
