namespace Appliance.Image.Tests;

/// <summary>
/// systemd's own parsers over a folder of generated network files: systemd-networkd (.network,
/// .netdev) and udev's net_setup_link (.link), each run in a new network and mount namespace
/// where the folder is bind-mounted over /etc/systemd/network, so the host's network is never
/// touched and nothing stays behind.
/// </summary>
internal static class Networkd
{
    public const string Daemon = "/lib/systemd/systemd-networkd";

    /// <summary>Why the parsers cannot run here, or null.</summary>
    public static string? Missing()
    {
        if (Environment.UserName != "root")
        {
            return "needs root (a network and mount namespace)";
        }

        foreach (var (tool, package) in new[] { (Daemon, "systemd"), ("udevadm", "udev"), ("unshare", "util-linux") })
        {
            var present = tool.StartsWith('/') ? File.Exists(tool) : Tool.Find(tool) is not null;
            if (!present)
            {
                return $"'{tool}' is not installed: apt-get install {package} (scripts/test.sh does) to run this test";
            }
        }

        return null;
    }

    /// <summary>
    /// Every complaint either parser has about a file in <paramref name="folder"/>: their lines
    /// that name a file of it ("/etc/systemd/network/X:5: Unknown key ..."). Creating the devices
    /// may fail where the kernel lacks bonding or VLANs; those lines name no file.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Complaints, string Output)> ParseAsync(string folder)
    {
        // networkd parses everything before it says "Enumeration completed", then runs on: it is
        // stopped there, or after 20 s on a loaded machine (the check below then fails).
        const string script = """
            set -u
            mount --bind "$1" /etc/systemd/network
            mount -t tmpfs appliance-test /run
            umount -l /sys && mount -t sysfs appliance-test /sys
            /lib/systemd/systemd-networkd >/run/networkd.log 2>&1 &
            for _ in $(seq 1 200); do grep -q 'Enumeration completed' /run/networkd.log && break; sleep 0.1; done
            kill $! 2>/dev/null; wait
            cat /run/networkd.log
            echo "--- udev"
            udevadm test-builtin net_setup_link /sys/class/net/lo 2>&1
            """;
        var result = await Tool.RunAsync("unshare", ["--net", "--mount", "bash", "-c", script, "networkd-parse", folder], timeoutSeconds: 60);
        var complaints = result.Output.Split('\n')
            .Where(line => line.Contains("/etc/systemd/network/", StringComparison.Ordinal) && !line.StartsWith("Parsed configuration file", StringComparison.Ordinal))
            .ToList();
        Assert.True(result.Output.Contains("Enumeration completed", StringComparison.Ordinal) && result.Output.Contains("--- udev", StringComparison.Ordinal),
            $"the parsers did not run to the end:\n{result}");
        return (complaints, result.Output);
    }
}

/// <summary>A test that needs systemd's network parsers (<see cref="Networkd"/>): skipped with the reason.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetworkdFactAttribute : FactAttribute
{
    public NetworkdFactAttribute()
    {
        if (Networkd.Missing() is { } reason)
        {
            Skip = reason;
        }
    }
}
