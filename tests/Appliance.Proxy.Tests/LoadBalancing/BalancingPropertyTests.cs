using Appliance.Proxy.LoadBalancing;
using Appliance.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Appliance.Tests.LoadBalancing;

public sealed class BalancingPropertyTests
{
    /// <summary>1..12 backends with distinct ids, effective weights 0.05..100, loads 0..1000, configured weights 1..10.</summary>
    private static readonly Gen<BalancingCandidate[]> CandidateSets =
        from count in Gen.Choose(1, 12)
        from weights in Gen.ArrayOf(Gen.Choose(5, 10_000).Select(w => w / 100.0), count)
        from loads in Gen.ArrayOf(Gen.Choose(0, 1000), count)
        from configured in Gen.ArrayOf(Gen.Choose(1, 10), count)
        select Enumerable.Range(0, count)
            .Select(i => new BalancingCandidate("b" + i, weights[i], loads[i], configured[i]))
            .ToArray();

    private static readonly Gen<PickContext> Contexts =
        from hash in Gen.Choose(int.MinValue, int.MaxValue)
        from hasKey in Gen.Elements(true, false)
        select new PickContext(StableHash.Finalise((ulong)(uint)hash), hasKey);

    private static IBalancingAlgorithm[] AllAlgorithms(int seed) =>
    [
        new SmoothWeightedRoundRobin(),
        new LeastConnections(),
        new WeightedRandom(new Random(seed)),
        new PowerOfTwoChoices(new Random(seed)),
        new ConsistentHashRing(new Random(seed)),
        new FirstAlphabetical(),
    ];

    [Fact]
    public void Pick_AnyNonEmptyCandidateSet_EveryAlgorithmReturnsIndexInRange()
    {
        var algorithms = AllAlgorithms(17); // shared across cases, so stale per-backend state is exercised too

        PropertyCheck.Run(Prop.ForAll(
            Gen.Zip(CandidateSets, Contexts).ToArbitrary(),
            input =>
            {
                var (candidates, context) = input;
                return algorithms.All(a => Enumerable.Range(0, 5).All(_ =>
                    a.Pick(candidates, context) is var i && i >= 0 && i < candidates.Length));
            }));
    }

    [Fact]
    public void Pick_SmoothWeightedRoundRobinIntegerWeights_EachPeriodGivesExactlyTheWeights()
    {
        var weightSets = Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 10), n));

        PropertyCheck.Run(Prop.ForAll(weightSets.ToArbitrary(), weights =>
        {
            var candidates = Candidates.WithWeights([.. weights.Select(w => (double)w)]);
            var counts = Candidates.CountPicks(new SmoothWeightedRoundRobin(), candidates, 2 * weights.Sum());
            return counts.SequenceEqual(weights.Select(w => 2 * w));
        }));
    }

    [Fact]
    public void Pick_ConsistentHashBackendRemoved_KeysOfOthersNeverMove()
    {
        var scenarios =
            from set in CandidateSets.Where(c => c.Length >= 2)
            from removed in Gen.Choose(0, set.Length - 1)
            from salt in Gen.Choose(0, 1_000_000)
            select (set, removed, salt);

        PropertyCheck.Run(Prop.ForAll(scenarios.ToArbitrary(), scenario =>
        {
            var (set, removed, salt) = scenario;
            var goneId = set[removed].Id;
            var remaining = set.Where(c => c.Id != goneId).ToArray();
            // One ring per set: a single instance fed alternating sets would rebuild on every pick.
            var ringBefore = new ConsistentHashRing(new Random(1));
            var ringAfter = new ConsistentHashRing(new Random(1));

            for (var k = 0; k < 300; k++)
            {
                var key = new PickContext(StableHash.Of("key-" + salt + "-" + k), true);
                var before = set[ringBefore.Pick(set, key)].Id;
                var after = remaining[ringAfter.Pick(remaining, key)].Id;
                if (before != goneId && before != after)
                {
                    return false;
                }
            }

            return true;
        }));
    }

    [Fact]
    public void Pick_ConsistentHashShuffledCandidates_SameOwner()
    {
        var scenarios =
            from set in CandidateSets
            from shuffled in Gen.Shuffle(set)
            from key in Gen.Choose(0, 1_000_000)
            select (set, shuffled, key);

        PropertyCheck.Run(Prop.ForAll(scenarios.ToArbitrary(), scenario =>
        {
            var (set, shuffled, key) = scenario;
            var context = new PickContext(StableHash.Of("key-" + key), true);
            return set[new ConsistentHashRing(new Random(1)).Pick(set, context)].Id
                == shuffled[new ConsistentHashRing(new Random(2)).Pick(shuffled, context)].Id;
        }));
    }

    [Fact]
    public void Pick_LeastConnections_NeverPicksAStrictlyWorseScore()
    {
        PropertyCheck.Run(Prop.ForAll(CandidateSets.ToArbitrary(), candidates =>
        {
            var best = candidates.Min(c => (c.Load + 1) / c.Weight);
            var chosen = candidates[new LeastConnections().Pick(candidates, PickContext.None)];
            return (chosen.Load + 1) / chosen.Weight == best;
        }));
    }
}
