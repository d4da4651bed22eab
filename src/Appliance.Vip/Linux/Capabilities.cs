using System.Globalization;

namespace Appliance.Vip.Linux;

/// <summary>Reads the process's effective capabilities, so a missing one is reported at start, not as an EPERM later.</summary>
internal static class Capabilities
{
    private const int NetAdmin = 12;
    private const int NetRaw = 13;

    /// <summary>Null when CAP_NET_ADMIN and CAP_NET_RAW are both held, else what is missing and how to fix it.</summary>
    public static string? MissingForVips(string procStatus)
    {
        var line = procStatus.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps))
        {
            return "cannot read the process capabilities from /proc/self/status";
        }

        var missing = new List<string>();
        if ((caps & (1UL << NetAdmin)) == 0)
        {
            missing.Add("CAP_NET_ADMIN (to add and remove addresses)");
        }

        if ((caps & (1UL << NetRaw)) == 0)
        {
            missing.Add("CAP_NET_RAW (to send gratuitous ARP)");
        }

        return missing.Count == 0 ? null
            : $"missing {string.Join(" and ", missing)}: run as root or add AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW to the service unit";
    }
}
