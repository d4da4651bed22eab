using System.Diagnostics;
using Appliance.Proxy.Model;

namespace Appliance.Tests.Model;

public sealed class LatencyHistogramTests
{
    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void Record_PutsEachDurationInTheFirstBucketThatHoldsIt()
    {
        var histogram = new LatencyHistogram();

        histogram.Record(Ticks(0.001));  // <= 5 ms
        histogram.Record(Ticks(0.005));  // on the bound: still <= 5 ms
        histogram.Record(Ticks(0.2));    // <= 250 ms
        histogram.Record(Ticks(60));     // above 10 s: +Inf
        histogram.Record(-5);            // a clock oddity counts as zero

        var counts = histogram.Counts();
        Assert.Equal(LatencyHistogram.UpperBounds.Length + 1, counts.Length);
        Assert.Equal(3, counts[0]);
        Assert.Equal(1, counts[Array.IndexOf(LatencyHistogram.UpperBounds, 0.25)]);
        Assert.Equal(1, counts[^1]);
        Assert.Equal(60.206, histogram.SumSeconds, precision: 3);
    }

    [Fact]
    public async Task Record_FromManyThreads_LosesNothing()
    {
        var histogram = new LatencyHistogram();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                histogram.Record(Ticks(0.02));
            }
        })));

        Assert.Equal(40_000, histogram.Counts().Sum());
    }
}
