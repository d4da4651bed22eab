using Appliance.Proxy.LoadBalancing;
using Appliance.Tests.Support;

namespace Appliance.Tests.LoadBalancing;

public sealed class WeightedRandomTests
{
    // Over 60,000 seeded picks each share must be within 2 percentage points (absolute) of its
    // weight's share; the sampling standard deviation is at most 0.2 points, so this is ten sigma
    // and still far tighter than the error of ignoring weights (1/3 each).
    private const double Tolerance = 0.02;

    [Fact]
    public void Pick_Weights123_DistributionMatchesWeights()
    {
        var counts = Candidates.CountPicks(new WeightedRandom(new Random(1234)), Candidates.WithWeights(1, 2, 3), 60_000);

        Assert.Equal(1 / 6.0, Candidates.Share(counts, 0), Tolerance);
        Assert.Equal(2 / 6.0, Candidates.Share(counts, 1), Tolerance);
        Assert.Equal(3 / 6.0, Candidates.Share(counts, 2), Tolerance);
    }

    [Fact]
    public void Pick_ZeroWeight_NeverChosen()
    {
        var counts = Candidates.CountPicks(new WeightedRandom(new Random(7)), Candidates.WithWeights(0, 1, 0, 1), 10_000);

        Assert.Equal(0, counts[0]);
        Assert.Equal(0, counts[2]);
        Assert.Equal(10_000, counts[1] + counts[3]);
    }

    [Fact]
    public void Pick_SameSeed_SameSequence()
    {
        var candidates = Candidates.WithWeights(1, 2, 3, 4);

        var first = Candidates.PickIds(new WeightedRandom(new Random(99)), candidates, 200);
        var second = Candidates.PickIds(new WeightedRandom(new Random(99)), candidates, 200);

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() == 4, "200 picks over weights 1..4 should reach every backend");
    }
}
