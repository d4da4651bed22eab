using Appliance.Proxy.LoadBalancing;
using Appliance.Tests.Support;

namespace Appliance.Tests.LoadBalancing;

public sealed class LeastConnectionsTests
{
    [Fact]
    public void Pick_DistinctLoads_AlwaysLowestWhateverTheRotation()
    {
        BalancingCandidate[] candidates = [new("a", 1, 5, 1), new("b", 1, 2, 1), new("c", 1, 7, 1)];

        var counts = Candidates.CountPicks(new LeastConnections(), candidates, 30);

        Assert.Equal([0, 30, 0], counts);
    }

    [Fact]
    public void Pick_AllTied_RotatesEvenly()
    {
        var counts = Candidates.CountPicks(new LeastConnections(), Candidates.Equal(3), 300);

        Assert.Equal([100, 100, 100], counts);
    }

    [Fact]
    public void Pick_TieAmongSubset_EachTiedCandidateChosenAndOthersNever()
    {
        BalancingCandidate[] candidates = [new("busy", 1, 4, 1), new("x", 1, 0, 1), new("y", 1, 0, 1), new("z", 1, 0, 1)];

        var counts = Candidates.CountPicks(new LeastConnections(), candidates, 400);

        Assert.Equal(0, counts[0]);
        Assert.All(counts[1..], c => Assert.True(c >= 400 / 6, $"a tied candidate got only {c} of 400 picks"));
    }

    [Fact]
    public void Pick_HigherWeight_CarriesProportionallyMoreLoad()
    {
        // (9 + 1) / 4 = 2.5 beats (3 + 1) / 1 = 4: the weight-4 backend is less loaded per unit.
        BalancingCandidate[] candidates = [new("small", 1, 3, 1), new("big", 4, 9, 4)];

        var counts = Candidates.CountPicks(new LeastConnections(), candidates, 10);

        Assert.Equal([0, 10], counts);
    }

    [Fact]
    public void Pick_IdleLightVersusOneLoadTripleWeight_ScoresLoadPlusOne()
    {
        // Scoring load / weight would give 0 vs 0.33 and pick the idle one; (load + 1) / weight gives
        // 1 vs 0.67, so the new request goes where it adds the least load per unit of weight.
        BalancingCandidate[] candidates = [new("light", 1, 0, 1), new("heavy", 3, 1, 3)];

        var counts = Candidates.CountPicks(new LeastConnections(), candidates, 10);

        Assert.Equal([0, 10], counts);
    }

    [Fact]
    public void Pick_LoadFollowsPicks_SharesFollowWeights()
    {
        var candidates = Candidates.WithWeights(1, 2, 3);
        var lc = new LeastConnections();

        for (var n = 0; n < 600; n++)
        {
            var i = lc.Pick(candidates, PickContext.None);
            candidates[i] = candidates[i] with { Load = candidates[i].Load + 1 };
        }

        Assert.Equal([100, 200, 300], candidates.Select(c => c.Load));
    }
}
