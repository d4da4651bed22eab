namespace Appliance.Replication.Sync;

/// <summary>
/// How long remote writes took to become visible here: receive-and-merge time minus the writer's
/// clock at the write (both wall clocks, so it includes any skew between the nodes: exact only on
/// one machine or with synchronised clocks). Fixed buckets in milliseconds, lock-free counts.
/// </summary>
public sealed class VisibilityHistogram
{
    /// <summary>Upper bounds in milliseconds; one more bucket holds everything above.</summary>
    public static readonly IReadOnlyList<double> UpperBoundsMs =
        [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1_000, 2_000, 5_000];

    private readonly long[] _counts = new long[UpperBoundsMs.Count + 1];
    private long _sumMs;

    internal void Record(long delayMs)
    {
        var ms = Math.Max(0, delayMs);
        var bucket = 0;
        while (bucket < UpperBoundsMs.Count && ms > UpperBoundsMs[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMs, ms);
    }

    /// <summary>Counts per bucket (not cumulative), the last one above every bound.</summary>
    public IReadOnlyList<long> Counts() => [.. _counts.Select((_, i) => Interlocked.Read(ref _counts[i]))];

    public double SumSeconds => Interlocked.Read(ref _sumMs) / 1000.0;
}
