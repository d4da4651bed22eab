using Appliance.Management.Sources;
using Appliance.Management.Traffic;

namespace Appliance.Tests.Traffic;

public sealed class TrafficHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BackendSnapshot Backend(string id, long ok, long serverErrors = 0, long transportErrors = 0) =>
        new("web", id, "http://b/", "unknown", "unknown", true, "ready", 1, 1, 0, 0, [0, 0, ok, 0, 0, serverErrors], transportErrors, HistogramSnapshot.Empty);

    [Fact]
    public void Record_RatesAreCounterDifferencesOverElapsedTime()
    {
        var history = new TrafficHistory(capacity: 10);
        history.Record(Start, [Backend("a", 0)]);
        history.Record(Start.AddSeconds(1), [Backend("a", 10, serverErrors: 1)]);
        history.Record(Start.AddSeconds(3), [Backend("a", 50, serverErrors: 1, transportErrors: 4)]);

        var series = Assert.Single(history.Series(3));

        Assert.Equal([0, 11, 20], series.Requests); // 11 answers in 1 s, then 40 in 2 s (transport errors are not answers)
        Assert.Equal([0, 1, 2], series.Errors);     // 5xx answers plus transport errors
        Assert.Equal((15.5, 1.5), history.RatesOf("web/a"));
    }

    [Fact]
    public void Record_CounterGoingBackwards_RestartsInsteadOfGoingNegative()
    {
        var history = new TrafficHistory(capacity: 10);
        history.Record(Start, [Backend("a", 100)]);
        history.Record(Start.AddSeconds(1), [Backend("a", 5)]);

        Assert.Equal(5, history.Series(1)[0].Requests[0]);
    }

    [Fact]
    public void Record_BackendGone_IsForgotten_RingKeepsTheNewest()
    {
        var history = new TrafficHistory(capacity: 3);
        history.Record(Start, [Backend("a", 0), Backend("b", 0)]);
        for (var i = 1; i <= 5; i++)
        {
            history.Record(Start.AddSeconds(i), [Backend("a", i * i)]);
        }

        var series = Assert.Single(history.Series(10));

        Assert.Equal("a", series.Backend);
        Assert.Equal([5, 7, 9], series.Requests);
    }
}
