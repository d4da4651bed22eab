using System.Diagnostics;
using System.Globalization;

namespace Appliance.Tests.Support;

/// <summary>What /proc says about a process: resident memory, open descriptors, the descriptor limit.</summary>
internal static class ProcessReadings
{
    /// <summary>VmRSS of <paramref name="pid"/>, in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    public static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").Length;

    /// <summary>The soft and hard limits on open files of this process.</summary>
    public static (long Soft, long Hard) DescriptorLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (Parse(parts[0]), Parse(parts[1]));
            }
        }

        return (0, 0);

        static long Parse(string text) => text == "unlimited" ? long.MaxValue : long.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Raises this process's descriptor limit (soft and hard) to at least <paramref name="wanted"/> with
    /// util-linux prlimit; raising the hard limit needs CAP_SYS_RESOURCE (root has it, unless a
    /// container took it away). Returns why it could not, or null.
    /// </summary>
    public static string? TryRaiseDescriptorLimit(long wanted)
    {
        if (DescriptorLimit().Soft >= wanted)
        {
            return null;
        }

        var text = wanted.ToString(CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo("prlimit", ["--pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), $"--nofile={text}:{text}"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var prlimit = Process.Start(info)!;
            var error = prlimit.StandardError.ReadToEnd();
            prlimit.WaitForExit();
            return DescriptorLimit().Soft >= wanted
                ? null
                : $"the open-file limit is {DescriptorLimit().Hard} and cannot be raised to {wanted} here ({error.Trim()}; raising it needs CAP_SYS_RESOURCE)";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"prlimit (util-linux) is needed to raise the open-file limit: {e.Message}";
        }
    }
}
