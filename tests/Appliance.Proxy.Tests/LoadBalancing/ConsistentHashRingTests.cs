using Appliance.Proxy.LoadBalancing;
using Appliance.Tests.Support;

namespace Appliance.Tests.LoadBalancing;

public sealed class ConsistentHashRingTests
{
    private const int Keys = 20_000;

    // Shares and moved fractions may differ from the ideal by 5 percentage points (absolute): with
    // 100 virtual points per unit of weight the ring's arcs are uneven by a few points.
    private const double Tolerance = 0.05;

    private static PickContext Key(int i) => new(StableHash.Of("key-" + i), true);

    private static string[] Owners(ConsistentHashRing ring, BalancingCandidate[] candidates)
    {
        var owners = new string[Keys];
        for (var i = 0; i < Keys; i++)
        {
            owners[i] = candidates[ring.Pick(candidates, Key(i))].Id;
        }

        return owners;
    }

    [Fact]
    public void Pick_SameKeyOnSeparateInstancesInAnyOrder_SameBackend()
    {
        // Two nodes, each with its own ring and its own candidate order, must agree on every key.
        var nodeA = Candidates.Equal(5);
        var nodeB = nodeA.Reverse().ToArray();

        var ownersA = Owners(new ConsistentHashRing(new Random(1)), nodeA);
        var ownersB = Owners(new ConsistentHashRing(new Random(2)), nodeB);

        Assert.Equal(ownersA, ownersB);
    }

    [Fact]
    public void Pick_FiveEqualBackends_EachOwnsAboutAFifth()
    {
        var candidates = Candidates.Equal(5);

        var owners = Owners(new ConsistentHashRing(new Random(1)), candidates);

        foreach (var c in candidates)
        {
            Assert.Equal(0.2, owners.Count(o => o == c.Id) / (double)Keys, Tolerance);
        }
    }

    [Fact]
    public void Pick_OneOfFiveRemoved_OnlyItsKeysMove()
    {
        var ring = new ConsistentHashRing(new Random(1));
        var all = Candidates.Equal(5);
        var before = Owners(ring, all);

        var after = Owners(ring, [.. all.Where(c => c.Id != "b2")]);

        var moved = 0;
        for (var i = 0; i < Keys; i++)
        {
            if (before[i] == "b2")
            {
                Assert.NotEqual("b2", after[i]);
                moved++;
            }
            else
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.Equal(0.2, moved / (double)Keys, Tolerance);
    }

    [Fact]
    public void Pick_SixthBackendAdded_OnlyKeysItTakesMove()
    {
        var ring = new ConsistentHashRing(new Random(1));
        var before = Owners(ring, Candidates.Equal(5));

        var after = Owners(ring, Candidates.Equal(6));

        var moved = 0;
        for (var i = 0; i < Keys; i++)
        {
            if (after[i] != before[i])
            {
                Assert.Equal("b5", after[i]);
                moved++;
            }
        }

        Assert.Equal(1 / 6.0, moved / (double)Keys, Tolerance);
    }

    [Fact]
    public void Pick_Weights1And3_ShareAboutQuarterAndThreeQuarters()
    {
        BalancingCandidate[] candidates = [new("light", 1, 0, 1), new("heavy", 3, 0, 3)];

        var owners = Owners(new ConsistentHashRing(new Random(1)), candidates);

        Assert.Equal(0.25, owners.Count(o => o == "light") / (double)Keys, Tolerance);
    }

    [Fact]
    public void Pick_SlowStartChangesEffectiveWeightOnly_NoKeyMoves()
    {
        // The ring follows the configured weight, so a backend ramping up after recovery keeps its keys.
        var ring = new ConsistentHashRing(new Random(1));
        var steady = Candidates.Equal(4);
        var before = Owners(ring, steady);

        var ramping = steady.ToArray();
        ramping[1] = ramping[1] with { Weight = 0.05 };

        Assert.Equal(before, Owners(ring, ramping));
    }

    [Fact]
    public void Pick_NoKey_FallsBackToWeightedRandomOverValidIndices()
    {
        BalancingCandidate[] candidates = [new("light", 1, 0, 1), new("heavy", 3, 0, 3)];

        var counts = Candidates.CountPicks(new ConsistentHashRing(new Random(11)), candidates, 20_000, PickContext.None);

        Assert.Equal(20_000, counts.Sum());
        Assert.Equal(0.75, Candidates.Share(counts, 1), 0.02);
    }

    [Fact]
    public void Pick_SingleCandidate_ReturnsItForAnyKey()
    {
        var ring = new ConsistentHashRing(new Random(1));

        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(0, ring.Pick(Candidates.Equal(1), Key(i))));
    }
}
