using System.Globalization;
using System.Net;

namespace Appliance.Vip;

/// <summary>An address with its prefix length, parsed from "198.18.0.10/24".</summary>
internal sealed record VipAddress(IPAddress Ip, int Prefix)
{
    /// <summary>Null when <paramref name="text"/> is not address/prefix with a prefix that fits the family.</summary>
    public static VipAddress? Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var ip)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }

        var max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        return prefix is >= 1 && prefix <= max ? new(ip, prefix) : null;
    }
}
