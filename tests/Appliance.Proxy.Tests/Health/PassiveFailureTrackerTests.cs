using Appliance.Core.Configuration;
using Appliance.Proxy.Health;

namespace Appliance.Tests.Health;

public sealed class PassiveFailureTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static PassiveFailureTracker Consecutive(int n) =>
        new(new PassiveHealthOptions { Enabled = true, ConsecutiveFailures = n, FailureRate = 0 });

    private static PassiveFailureTracker Rate(double rate, int minimumRequests) =>
        new(new PassiveHealthOptions
        {
            Enabled = true,
            ConsecutiveFailures = 0,
            FailureRate = rate,
            MinimumRequests = minimumRequests,
            Window = TimeSpan.FromSeconds(10),
        });

    private static bool[] Record(PassiveFailureTracker tracker, string outcomes, DateTimeOffset now) =>
        [.. outcomes.Select(o => tracker.Record(o == 'F', now))];

    [Fact]
    public void Record_ConsecutiveFailures_TripsAtNthNotBefore()
    {
        var tracker = Consecutive(3);

        Assert.Equal([false, false, true], Record(tracker, "FFF", T0));
    }

    [Fact]
    public void Record_SuccessBetweenFailures_RestartsTheRun()
    {
        var tracker = Consecutive(3);

        Assert.Equal([false, false, false, false, false, true], Record(tracker, "FFSFFF", T0));
    }

    [Fact]
    public void Record_AfterTripping_CountsFromZeroAgain()
    {
        var tracker = Consecutive(3);
        Record(tracker, "FFF", T0);

        Assert.Equal([false, false, true], Record(tracker, "FFF", T0.AddSeconds(1)));
    }

    [Fact]
    public void Record_RateRule_JudgesOnlyOnceMinimumRequestsSeen()
    {
        var tracker = Rate(0.5, minimumRequests: 10);

        Assert.All(Record(tracker, "FFFFFFFFF", T0), Assert.False); // 100% failures, but only 9 requests
        Assert.True(tracker.Record(true, T0));
    }

    [Fact]
    public void Record_RateRule_TripsExactlyAtTheRate()
    {
        var tracker = Rate(0.5, minimumRequests: 10);

        Assert.All(Record(tracker, "SSSSSSFFFF", T0), Assert.False); // 4 of 10
        Assert.False(tracker.Record(true, T0)); // 5 of 11
        Assert.True(tracker.Record(true, T0)); // 6 of 12
    }

    [Fact]
    public void Record_RateRule_CountsBucketsInsideTheWindow()
    {
        var tracker = Rate(0.5, minimumRequests: 10);
        Record(tracker, "FFFFFFFF", T0);

        Assert.Equal([false, true], Record(tracker, "FF", T0.AddSeconds(9)));
    }

    [Fact]
    public void Record_RateRule_IgnoresBucketsOlderThanTheWindow()
    {
        var tracker = Rate(0.5, minimumRequests: 10);
        Record(tracker, "FFFFFFFF", T0);

        // 11 s later lands in another bucket than T0's, which is stale but still in the ring.
        Assert.All(Record(tracker, "FFFFFFFFF", T0.AddSeconds(11)), Assert.False);
    }

    [Fact]
    public void Record_RateRuleTripped_ClearsTheWindow()
    {
        var tracker = Rate(0.5, minimumRequests: 10);
        Assert.True(Record(tracker, "FFFFFFFFFF", T0)[^1]);

        Assert.All(Record(tracker, "FFFFFFFFF", T0.AddSeconds(1)), Assert.False);
    }

    [Fact]
    public void Record_Success_NeverTrips()
    {
        var tracker = Rate(0.1, minimumRequests: 2);
        Record(tracker, "F", T0);

        Assert.False(tracker.Record(false, T0));
    }
}
