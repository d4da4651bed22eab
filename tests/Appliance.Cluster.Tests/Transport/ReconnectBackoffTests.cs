using Appliance.Cluster.Transport;

namespace Appliance.Tests.Transport;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Next_RepeatedFailures_DoublesWithJitterUpToTheMaximum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), new Random(3));

        var delays = Enumerable.Range(0, 12).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        double[] nominal = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000, 5000, 5000];
        for (var i = 0; i < delays.Length; i++)
        {
            Assert.InRange(delays[i], nominal[i] * 0.8, Math.Min(nominal[i] * 1.2, 5000));
        }

        Assert.True(delays.Distinct().Count() > 6, "no jitter: " + string.Join(", ", delays));
    }

    [Fact]
    public void Reset_AfterFailures_StartsAgainAtTheMinimum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), new Random(3));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next().TotalMilliseconds, 80, 120);
    }
}
