using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PacketDotNet;

namespace Appliance.Vip.Linux;

/// <summary>Gratuitous ARP frames (Ethernet II, built with PacketDotNet), in the two forms switches and hosts accept.</summary>
internal static class GratuitousArp
{
    /// <summary>Bytes in one frame (no padding: the NIC pads to the 60-byte minimum).</summary>
    public const int Length = 42;

    private static readonly PhysicalAddress Broadcast = new([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    private static readonly PhysicalAddress Zero = new([0, 0, 0, 0, 0, 0]);

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

        var sender = new PhysicalAddress(mac.ToArray());
        var arp = new ArpPacket(reply ? ArpOperation.Response : ArpOperation.Request, reply ? Broadcast : Zero, address, sender, address);
        var ethernet = new EthernetPacket(sender, Broadcast, EthernetType.Arp) { PayloadPacket = arp };
        return ethernet.Bytes;
    }
}
