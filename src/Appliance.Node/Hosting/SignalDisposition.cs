using System.Globalization;

namespace Appliance.Node.Hosting;

/// <summary>
/// Whether the process ignores a signal, from the <c>SigIgn</c> mask in <c>/proc/self/status</c>.
/// A process started with SIGHUP ignored (nohup does that) keeps ignoring it: .NET leaves an
/// inherited SIG_IGN alone, so the reload on SIGHUP never fires and the node must say so.
/// </summary>
internal static class SignalDisposition
{
    public const int SigHup = 1;
    public const int SigInt = 2;

    /// <summary>True when <paramref name="procStatus"/> (the text of /proc/self/status) marks <paramref name="signal"/> ignored.</summary>
    public static bool IsIgnored(string procStatus, int signal)
    {
        foreach (var line in procStatus.Split('\n'))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal)
                && ulong.TryParse(line.AsSpan("SigIgn:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                return (mask & (1UL << (signal - 1))) != 0;
            }
        }

        return false;
    }

    /// <summary>The same for this process; false where /proc is not there.</summary>
    public static bool IsIgnoredHere(int signal)
    {
        try
        {
            return File.Exists("/proc/self/status") && IsIgnored(File.ReadAllText("/proc/self/status"), signal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
