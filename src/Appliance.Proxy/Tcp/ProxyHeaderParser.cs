using System.Buffers.Binary;
using System.Net;
using System.Text;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Parses PROXY protocol headers (haproxy.org/download/2.6/doc/proxy-protocol.txt), version 1 (text)
/// and 2 (binary), told apart by their first byte. Strict: anything the specification does not allow
/// is <see cref="ProxyParseStatus.Invalid"/>, and a prefix that cannot become a header is refused as
/// soon as it is seen rather than waited on. Pure: bytes in, verdict out.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>Longest header accepted: a v1 line is at most 107 bytes; v2 TLVs beyond this are refused.</summary>
    public const int MaxHeaderLength = 4096;

    internal const int V1MaxLength = 107;

    internal static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>
    /// Reads a header from the start of <paramref name="data"/>. On <see cref="ProxyParseStatus.Done"/>,
    /// <paramref name="length"/> is the header's size (the client's own bytes follow it).
    /// </summary>
    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> data, out ProxyHeader header, out int length)
    {
        header = default;
        length = 0;
        if (data.IsEmpty)
        {
            return ProxyParseStatus.Incomplete;
        }

        return data[0] switch
        {
            (byte)'P' => ParseV1(data, out header, out length),
            0x0D => ParseV2(data, out header, out length),
            _ => ProxyParseStatus.Invalid,
        };
    }

    private static ProxyParseStatus ParseV1(ReadOnlySpan<byte> data, out ProxyHeader header, out int length)
    {
        header = default;
        length = 0;
        var prefix = Math.Min(data.Length, V1Prefix.Length);
        if (!data[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            return ProxyParseStatus.Invalid;
        }

        var end = data[..Math.Min(data.Length, V1MaxLength)].IndexOf("\r\n"u8);
        if (end < 0)
        {
            return data.Length >= V1MaxLength || data.IndexOf((byte)'\n') >= 0 ? ProxyParseStatus.Invalid : ProxyParseStatus.Incomplete;
        }

        // Only printable ASCII may appear in the line (the specification allows nothing else).
        var line = data[V1Prefix.Length..end];
        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return ProxyParseStatus.Invalid;
            }
        }

        var fields = Encoding.ASCII.GetString(line).Split(' ');
        length = end + 2;
        if (fields[0] == "UNKNOWN")
        {
            return ProxyParseStatus.Done; // the rest of the line is to be ignored
        }

        if (fields.Length != 5 || fields[0] is not ("TCP4" or "TCP6")
            || !TryParseAddress(fields[1], fields[0], out var source)
            || !TryParseAddress(fields[2], fields[0], out var destination)
            || !TryParsePort(fields[3], out var sourcePort)
            || !TryParsePort(fields[4], out var destinationPort))
        {
            length = 0;
            return ProxyParseStatus.Invalid;
        }

        header = new ProxyHeader(new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        return ProxyParseStatus.Done;
    }

    private static ProxyParseStatus ParseV2(ReadOnlySpan<byte> data, out ProxyHeader header, out int length)
    {
        header = default;
        length = 0;
        var signature = Math.Min(data.Length, V2Signature.Length);
        if (!data[..signature].SequenceEqual(V2Signature[..signature]))
        {
            return ProxyParseStatus.Invalid;
        }

        if (data.Length < 16)
        {
            return data.Length > 12 && (data[12] >> 4) != 2 ? ProxyParseStatus.Invalid : ProxyParseStatus.Incomplete;
        }

        var version = data[12] >> 4;
        var command = data[12] & 0x0F;
        var family = data[13];
        var payload = BinaryPrimitives.ReadUInt16BigEndian(data[14..16]);
        if (version != 2 || command > 1 || 16 + payload > MaxHeaderLength)
        {
            return ProxyParseStatus.Invalid;
        }

        var needed = family switch { 0x11 => 12, 0x21 => 36, _ => 0 };
        if (payload < needed)
        {
            return ProxyParseStatus.Invalid;
        }

        if (data.Length < 16 + payload)
        {
            return ProxyParseStatus.Incomplete;
        }

        length = 16 + payload;
        var body = data[16..length];
        if (command == 0)
        {
            return ProxyParseStatus.Done; // LOCAL: the front speaking for itself; addresses are ignored
        }

        header = family switch
        {
            0x11 => new ProxyHeader(
                new IPEndPoint(new IPAddress(body[..4]), BinaryPrimitives.ReadUInt16BigEndian(body[8..10])),
                new IPEndPoint(new IPAddress(body[4..8]), BinaryPrimitives.ReadUInt16BigEndian(body[10..12]))),
            0x21 => new ProxyHeader(
                new IPEndPoint(new IPAddress(body[..16]), BinaryPrimitives.ReadUInt16BigEndian(body[32..34])),
                new IPEndPoint(new IPAddress(body[16..32]), BinaryPrimitives.ReadUInt16BigEndian(body[34..36]))),
            // UNSPEC, UDP or UNIX addresses say nothing usable about a TCP client: keep the connection's.
            _ => default,
        };
        return ProxyParseStatus.Done;
    }

    private static bool TryParseAddress(string text, string protocol, out IPAddress address)
    {
        var ok = IpText.TryParseAddress(text, out var parsed);
        address = parsed ?? IPAddress.None;
        return ok && (protocol == "TCP4") == (parsed!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
    }

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && (text.Length == 1 || text[0] != '0')
            && text.All(char.IsAsciiDigit)
            && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port <= 65535;
    }
}
