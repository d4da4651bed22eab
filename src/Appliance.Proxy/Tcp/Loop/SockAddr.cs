using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// Linux <c>sockaddr_in</c> / <c>sockaddr_in6</c> to and from <see cref="IPEndPoint"/>. Pure, so it
/// is tested without sockets. The family is in host byte order, the port in network byte order.
/// </summary>
internal static class SockAddr
{
    /// <summary>Big enough for either family (sizeof sockaddr_in6 is 28).</summary>
    public const int MaxLength = 28;

    /// <summary>Writes <paramref name="endpoint"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns its length.</summary>
    public static int Write(IPEndPoint endpoint, Span<byte> destination)
    {
        destination[..MaxLength].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endpoint.Port);
        if (endpoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BitConverter.TryWriteBytes(destination, (ushort)LibCFamily.Inet);
            endpoint.Address.TryWriteBytes(destination[4..], out _);
            return 16;
        }

        BitConverter.TryWriteBytes(destination, (ushort)LibCFamily.Inet6);
        endpoint.Address.TryWriteBytes(destination[8..], out _);
        BitConverter.TryWriteBytes(destination[24..], (uint)endpoint.Address.ScopeId);
        return MaxLength;
    }

    /// <summary>Reads an address the kernel wrote; null for a family that is neither IPv4 nor IPv6 or a short buffer.</summary>
    public static IPEndPoint? Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < 16)
        {
            return null;
        }

        var family = BitConverter.ToUInt16(source);
        var port = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if (family == (ushort)LibCFamily.Inet)
        {
            return new IPEndPoint(new IPAddress(source.Slice(4, 4)), port);
        }

        if (family == (ushort)LibCFamily.Inet6 && source.Length >= MaxLength)
        {
            var scope = BitConverter.ToUInt32(source[24..]);
            return new IPEndPoint(new IPAddress(source.Slice(8, 16), scope), port);
        }

        return null;
    }

    /// <summary>The address family values of Linux (AF_INET, AF_INET6).</summary>
    internal enum LibCFamily : ushort
    {
        Inet = 2,
        Inet6 = 10,
    }
}
