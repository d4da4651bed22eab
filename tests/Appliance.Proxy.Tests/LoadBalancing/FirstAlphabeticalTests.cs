using Appliance.Proxy.LoadBalancing;

namespace Appliance.Tests.LoadBalancing;

public sealed class FirstAlphabeticalTests
{
    [Fact]
    public void Pick_UnorderedIds_LowestIdWhateverLoadAndWeight()
    {
        BalancingCandidate[] candidates = [new("charlie", 10, 0, 10), new("alpha", 1, 999, 1), new("bravo", 5, 0, 5)];

        Assert.Equal(1, new FirstAlphabetical().Pick(candidates, PickContext.None));
    }

    [Fact]
    public void Pick_MixedCaseAndDigits_ComparesOrdinally()
    {
        // Ordinal: 'B' (66) sorts before 'a' (97), and "web10" before "web9".
        BalancingCandidate[] cased = [new("alpha", 1, 0, 1), new("Bravo", 1, 0, 1)];
        BalancingCandidate[] numbered = [new("web9", 1, 0, 1), new("web10", 1, 0, 1)];

        Assert.Equal(1, new FirstAlphabetical().Pick(cased, PickContext.None));
        Assert.Equal(1, new FirstAlphabetical().Pick(numbered, PickContext.None));
    }

    [Fact]
    public void Pick_FirstRemoved_NextInOrderTakesOver()
    {
        BalancingCandidate[] standbyOnly = [new("standby-2", 1, 0, 1), new("standby-1", 1, 0, 1)];

        Assert.Equal(1, new FirstAlphabetical().Pick(standbyOnly, PickContext.None));
    }
}
