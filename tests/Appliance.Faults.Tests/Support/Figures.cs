using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Appliance.Tests.Support;

/// <summary>
/// Measurements the fault tests report: written to the test's output, and appended as one JSON line
/// each to the file named by <c>APPLIANCE_FIGURES</c> (scripts/faults.sh sets it and prints the
/// table at the end). Each carries the 1-minute load average at the time: figures taken on a busy
/// machine are noisy, and the load says how noisy.
/// </summary>
internal static class Figures
{
    public const string Variable = "APPLIANCE_FIGURES";

    private static readonly Lock FileLock = new();

    public static void Record(ITestOutputHelper output, string test, string figure, double value, string unit)
    {
        var load = LoadAverage();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIGURE {test} / {figure} = {value:0.###} {unit} (load {load:0.00})"));
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path)
        {
            return;
        }

        var line = JsonSerializer.Serialize(new { test, figure, value = Math.Round(value, 3), unit, load, at = DateTimeOffset.UtcNow });
        lock (FileLock)
        {
            File.AppendAllText(path, line + "\n");
        }
    }

    /// <summary>The 1-minute load average from /proc/loadavg (0 where there is none).</summary>
    public static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
