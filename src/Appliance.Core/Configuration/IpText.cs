using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Core.Configuration;

/// <summary>
/// Strict parsing of IP addresses and CIDR networks as operators write them. Stricter than
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>, which reads "10" as 0.0.0.10 and
/// "010.0.0.1" as octal: in a config file those are typos, not intentions.
/// </summary>
internal static class IpText
{
    /// <summary>Dotted-quad IPv4 (four decimal parts) or IPv6 (anything with a colon that parses as IPv6).</summary>
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')
                || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>An address or a CIDR network (<c>10.1.0.0/16</c>); <paramref name="error"/> explains a refusal.</summary>
    public static bool TryParseAddressOrNetwork(string? text, [NotNullWhen(false)] out string? error)
    {
        text = text?.Trim();
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0)
        {
            error = TryParseAddress(text, out _)
                ? null
                : $"'{text}' is not an IP address or CIDR network: write e.g. \"10.0.0.1\", \"10.1.0.0/16\" or \"2001:db8::/32\".";
            return error is null;
        }

        var addressText = text![..slash];
        var prefixText = text[(slash + 1)..];
        if (!TryParseAddress(addressText, out var address))
        {
            error = $"'{addressText}' in '{text}' is not an IP address: write the network as e.g. \"10.1.0.0/16\".";
            return false;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixText.Length is 0 or > 3
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > maxPrefix)
        {
            error = $"'/{prefixText}' in '{text}' is not a prefix length: use 0 to {maxPrefix}.";
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        var network = new IPAddress(bytes);
        if (!network.Equals(address))
        {
            error = string.Create(CultureInfo.InvariantCulture,
                $"'{text}' has address bits set after the /{prefix} prefix: write the network as \"{network}/{prefix}\".");
            return false;
        }

        error = null;
        return true;
    }
}
