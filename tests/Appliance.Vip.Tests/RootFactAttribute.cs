using System.Diagnostics;

namespace Appliance.Tests;

/// <summary>A fact that needs root and the <c>ip</c> tool; it is skipped with the reason shown, never passed silently.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (network namespaces, netlink, AF_PACKET)";
        }
        else if (Environment.UserName != "root")
        {
            Skip = "needs root: it changes addresses and sends raw frames (run the tests as root to include it)";
        }
        else if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Skip = "needs the 'ip' tool (apt-get install iproute2)";
        }
    }

    public static string Ip(string args)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        if (!p.WaitForExit(10_000))
        {
            p.Kill();
        }

        return output;
    }
}
