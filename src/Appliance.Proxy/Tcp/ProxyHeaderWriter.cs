using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Writes PROXY protocol headers for a backend. When either address is unknown the header says so
/// (v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c>); an IPv4 client on an IPv6 socket is written as IPv4, and a
/// mix of families as IPv6 (IPv4-mapped), since one header carries one family.
/// </summary>
internal static class ProxyHeaderWriter
{
    /// <summary>Room enough for either version with IPv6 addresses.</summary>
    public const int MaxLength = 108;

    /// <summary>The header a pool's <c>SendProxyProtocol</c> asks for ("V1", "V2", anything else none); returns its length (0 for none).</summary>
    public static int WriteFor(string version, Span<byte> destination, IPEndPoint? source, IPEndPoint? target) =>
        string.Equals(version, "V2", StringComparison.OrdinalIgnoreCase) ? WriteV2(destination, source, target)
        : string.Equals(version, "V1", StringComparison.OrdinalIgnoreCase) ? WriteV1(destination, source, target)
        : 0;

    /// <summary>True when <see cref="WriteFor"/> writes a header for <paramref name="version"/>.</summary>
    public static bool Wanted(string version) =>
        string.Equals(version, "V2", StringComparison.OrdinalIgnoreCase) || string.Equals(version, "V1", StringComparison.OrdinalIgnoreCase);

    public static int WriteV2(Span<byte> destination, IPEndPoint? source, IPEndPoint? target)
    {
        ProxyHeaderParser.V2Signature.CopyTo(destination);
        if (!Normalise(ref source, ref target))
        {
            destination[12] = 0x20; // version 2, LOCAL
            destination[13] = 0x00; // UNSPEC
            BinaryPrimitives.WriteUInt16BigEndian(destination[14..], 0);
            return 16;
        }

        var v4 = source.AddressFamily == AddressFamily.InterNetwork;
        var size = v4 ? 4 : 16;
        destination[12] = 0x21; // version 2, PROXY
        destination[13] = v4 ? (byte)0x11 : (byte)0x21; // TCP over IPv4 / IPv6
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)((2 * size) + 4));
        var body = destination[16..];
        source.Address.TryWriteBytes(body, out _);
        target.Address.TryWriteBytes(body[size..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(body[(2 * size)..], (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(body[((2 * size) + 2)..], (ushort)target.Port);
        return 16 + (2 * size) + 4;
    }

    public static int WriteV1(Span<byte> destination, IPEndPoint? source, IPEndPoint? target)
    {
        var text = !Normalise(ref source, ref target)
            ? "PROXY UNKNOWN\r\n"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"PROXY {(source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6")} {source.Address} {target.Address} {source.Port} {target.Port}\r\n");
        return Encoding.ASCII.GetBytes(text, destination);
    }

    private static bool Normalise([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ref IPEndPoint? source, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ref IPEndPoint? target)
    {
        if (source is null || target is null)
        {
            return false;
        }

        source = Unmapped(source);
        target = Unmapped(target);
        if (source.AddressFamily != target.AddressFamily)
        {
            source = new IPEndPoint(source.Address.MapToIPv6(), source.Port);
            target = new IPEndPoint(target.Address.MapToIPv6(), target.Port);
        }

        return true;
    }

    private static IPEndPoint Unmapped(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
