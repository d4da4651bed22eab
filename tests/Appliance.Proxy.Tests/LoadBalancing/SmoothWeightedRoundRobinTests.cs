using Appliance.Proxy.LoadBalancing;
using Appliance.Tests.Support;

namespace Appliance.Tests.LoadBalancing;

public sealed class SmoothWeightedRoundRobinTests
{
    private static readonly string[] NginxCycle511 = ["a", "a", "b", "a", "c", "a", "a"];

    private static BalancingCandidate[] Abc511() =>
        [new("a", 5, 0, 5), new("b", 1, 0, 1), new("c", 1, 0, 1)];

    [Fact]
    public void Pick_Weights511_YieldsNginxSmoothCycleRepeatedly()
    {
        var ids = Candidates.PickIds(new SmoothWeightedRoundRobin(), Abc511(), 3 * 7);

        Assert.Equal([.. NginxCycle511, .. NginxCycle511, .. NginxCycle511], ids);
    }

    [Fact]
    public void Pick_Weights511_EverySevenPickWindowHoldsFiveOneOne()
    {
        var ids = Candidates.PickIds(new SmoothWeightedRoundRobin(), Abc511(), 70);

        for (var start = 0; start + 7 <= ids.Length; start++)
        {
            var window = ids.AsSpan(start, 7).ToArray();
            Assert.Equal(5, window.Count(id => id == "a"));
            Assert.Equal(1, window.Count(id => id == "b"));
            Assert.Equal(1, window.Count(id => id == "c"));
        }
    }

    [Fact]
    public void Pick_Weights511_HeavyRunsAreTwoInACycleAndFourAcrossTheSeam()
    {
        // What the algorithm yields, precisely: within one cycle 'a' never runs longer than 2, but a
        // cycle ends "a,a" and the next begins "a,a", so the endless stream has runs of exactly 4.
        // That is still smoother than plain weighted round robin's run of 5 (a,a,a,a,a,b,c).
        var ids = Candidates.PickIds(new SmoothWeightedRoundRobin(), Abc511(), 70);

        Assert.Equal(2, LongestRun(ids.AsSpan(0, 7), "a"));
        Assert.Equal(4, LongestRun(ids, "a"));
    }

    [Fact]
    public void Pick_EqualWeights_RotatesStrictly()
    {
        var ids = Candidates.PickIds(new SmoothWeightedRoundRobin(), Candidates.Equal(4), 12);

        Assert.Equal(["b0", "b1", "b2", "b3", "b0", "b1", "b2", "b3", "b0", "b1", "b2", "b3"], ids);
    }

    [Fact]
    public void Pick_FractionalWeightsHalfAndOne_InterleavesOneToTwo()
    {
        var ids = Candidates.PickIds(new SmoothWeightedRoundRobin(), Candidates.WithWeights(0.5, 1.0), 9);

        Assert.Equal(["b1", "b0", "b1", "b1", "b0", "b1", "b1", "b0", "b1"], ids);
    }

    [Fact]
    public void Pick_FractionalWeights_CountsFollowWeightsExactly()
    {
        // 2.5 : 1.5 : 1.0 are exact binary fractions, so the running scores never drift.
        var counts = Candidates.CountPicks(new SmoothWeightedRoundRobin(), Candidates.WithWeights(2.5, 1.5, 1.0), 1000);

        Assert.Equal([500, 300, 200], counts);
    }

    [Fact]
    public void Pick_SlowStartFloorWeight_GetsItsSmallShare()
    {
        // A backend at the 5% slow-start floor next to a full one: 0.05 / 1.05 of 2100 picks is 100.
        var counts = Candidates.CountPicks(new SmoothWeightedRoundRobin(), Candidates.WithWeights(0.05, 1.0), 2100);

        Assert.InRange(counts[0], 99, 101);
    }

    [Fact]
    public void Pick_BackendRemoved_RemainingRotateFairly()
    {
        var swrr = new SmoothWeightedRoundRobin();
        Candidates.PickIds(swrr, Candidates.Equal(5), 3);

        var counts = Candidates.CountPicks(swrr, Candidates.Equal(3), 300);

        Assert.All(counts, c => Assert.InRange(c, 99, 101));
    }

    private static int LongestRun(ReadOnlySpan<string> ids, string id)
    {
        int longest = 0, run = 0;
        foreach (var x in ids)
        {
            run = x == id ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
