using System.Diagnostics;

namespace Appliance.Replication.Tests.Support;

/// <summary>Polls a condition until it holds or the time runs out (bounded; the machine is shared and slow).</summary>
internal static class Eventually
{
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }

    public static async Task AssertAsync(Func<bool> condition, TimeSpan within, string what)
    {
        Assert.True(await HoldsAsync(condition, within), $"not within {within.TotalSeconds} s: {what}");
    }
}
