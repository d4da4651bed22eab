using System.Diagnostics;

namespace Appliance.Proxy.Model;

/// <summary>
/// Lock-free histogram of request durations with fixed buckets (Prometheus' default bounds, in
/// seconds). Recording is one bucket search and two interlocked adds; reading may see a record
/// half-applied (count before sum), which a scrape tolerates.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds; a last, implicit bucket takes everything above.</summary>
    public static readonly double[] UpperBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly long[] UpperBoundTicks = UpperBounds.Select(s => (long)(s * Stopwatch.Frequency)).ToArray();

    private readonly long[] _counts = new long[UpperBounds.Length + 1];
    private long _sumTicks;

    /// <summary>Records a duration measured with <see cref="Stopwatch.GetTimestamp"/> ticks.</summary>
    public void Record(long elapsedTicks)
    {
        if (elapsedTicks < 0)
        {
            elapsedTicks = 0;
        }

        var bucket = 0;
        while (bucket < UpperBoundTicks.Length && elapsedTicks > UpperBoundTicks[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, elapsedTicks);
    }

    /// <summary>Observations per bucket (not cumulative); the last entry is the +Inf bucket.</summary>
    public long[] Counts()
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[i]);
        }

        return counts;
    }

    /// <summary>Sum of all observations, in seconds.</summary>
    public double SumSeconds => (double)Interlocked.Read(ref _sumTicks) / Stopwatch.Frequency;
}
