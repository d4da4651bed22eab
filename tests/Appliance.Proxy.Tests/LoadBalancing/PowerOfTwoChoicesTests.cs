using Appliance.Proxy.LoadBalancing;
using Appliance.Tests.Support;

namespace Appliance.Tests.LoadBalancing;

public sealed class PowerOfTwoChoicesTests
{
    // Shares over 60,000 seeded picks must be within 2 percentage points (absolute) of the expected
    // share; sampling noise is about 0.2 points.
    private const double Tolerance = 0.02;

    [Fact]
    public void Pick_TwoCandidates_AlwaysTheLessLoaded()
    {
        BalancingCandidate[] idleFirst = [new("idle", 1, 0, 1), new("busy", 1, 5, 1)];
        BalancingCandidate[] idleLast = [new("busy", 1, 5, 1), new("idle", 1, 0, 1)];
        var p2c = new PowerOfTwoChoices(new Random(1));

        Assert.Equal([1000, 0], Candidates.CountPicks(p2c, idleFirst, 1000));
        Assert.Equal([0, 1000], Candidates.CountPicks(p2c, idleLast, 1000));
    }

    [Fact]
    public void Pick_OneIdleAmongBusy_IdleGetsMostPicks()
    {
        // The idle backend wins every pair it is drawn into; with three equal backends it is in a
        // pair two times in three, against one in three for plain random.
        BalancingCandidate[] candidates = [new("idle", 1, 0, 1), new("busy1", 1, 100, 1), new("busy2", 1, 100, 1)];

        var counts = Candidates.CountPicks(new PowerOfTwoChoices(new Random(42)), candidates, 60_000);

        Assert.Equal(2 / 3.0, Candidates.Share(counts, 0), Tolerance);
        Assert.Equal(1 / 6.0, Candidates.Share(counts, 1), Tolerance);
        Assert.Equal(1 / 6.0, Candidates.Share(counts, 2), Tolerance);
    }

    [Fact]
    public void Pick_IdleBackends_SharesFollowWeights()
    {
        // Both idle: a tie, which the first (weighted) draw wins, so shares are 1:3 (+-3% over 4000).
        BalancingCandidate[] candidates = [new("light", 1, 0, 1), new("heavy", 3, 0, 3)];

        var counts = Candidates.CountPicks(new PowerOfTwoChoices(new Random(3)), candidates, 4000);

        Assert.InRange(counts[0], 880, 1120);
    }

    [Fact]
    public void Pick_EqualNonZeroLoad_HigherWeightWins()
    {
        // Equal load is less load per unit of weight on the heavier backend.
        BalancingCandidate[] candidates = [new("light", 1, 5, 1), new("heavy", 3, 5, 3)];

        var counts = Candidates.CountPicks(new PowerOfTwoChoices(new Random(3)), candidates, 1000);

        Assert.Equal([0, 1000], counts);
    }

    [Fact]
    public void Pick_LoadFollowsPicks_Weights123_DistributionMatchesWeights()
    {
        // Long-lived connections: every pick adds one to the chosen backend's load.
        var candidates = Candidates.WithWeights(1, 2, 3);
        var p2c = new PowerOfTwoChoices(new Random(2024));
        var counts = new int[3];

        for (var n = 0; n < 60_000; n++)
        {
            var i = p2c.Pick(candidates, PickContext.None);
            counts[i]++;
            candidates[i] = candidates[i] with { Load = candidates[i].Load + 1 };
        }

        Assert.Equal(1 / 6.0, Candidates.Share(counts, 0), Tolerance);
        Assert.Equal(2 / 6.0, Candidates.Share(counts, 1), Tolerance);
        Assert.Equal(3 / 6.0, Candidates.Share(counts, 2), Tolerance);
    }

    [Fact]
    public void Pick_SingleCandidate_ReturnsIt() =>
        Assert.Equal(0, new PowerOfTwoChoices(new Random(5)).Pick(Candidates.Equal(1), PickContext.None));

    [Fact]
    public void Pick_DominantWeight_StillComparesTwoDistinctBackends()
    {
        // Weight 1000 vs 1: the second draw almost always repeats the first; the fallback must still
        // pick the other backend, so the idle light one wins whenever the heavy one is busier per weight.
        BalancingCandidate[] candidates = [new("heavy", 1000, 100_000, 1000), new("light", 1, 0, 1)];

        var counts = Candidates.CountPicks(new PowerOfTwoChoices(new Random(8)), candidates, 1000);

        Assert.Equal([0, 1000], counts);
    }
}
