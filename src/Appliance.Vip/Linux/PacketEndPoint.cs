using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace Appliance.Vip.Linux;

/// <summary>A <c>sockaddr_ll</c> for sending whole Ethernet frames on one interface through AF_PACKET.</summary>
[SupportedOSPlatform("linux")]
internal sealed class PacketEndPoint(int ifIndex, ushort etherType, byte[] destinationMac) : EndPoint
{
    /// <inheritdoc />
    public override AddressFamily AddressFamily => AddressFamily.Packet;

    /// <inheritdoc />
    public override SocketAddress Serialize()
    {
        var a = new SocketAddress(AddressFamily.Packet, 20);
        var b = a.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], etherType);
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], ifIndex);
        b[11] = 6;
        destinationMac.CopyTo(b[12..]);
        return a;
    }

    /// <inheritdoc />
    public override EndPoint Create(SocketAddress socketAddress) => this;
}
