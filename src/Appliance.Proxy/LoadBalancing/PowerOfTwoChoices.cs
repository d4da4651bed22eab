namespace Appliance.Proxy.LoadBalancing;

/// <summary>
/// Two weighted-random draws, the less loaded (per unit of weight) wins: near least-connections
/// quality without scanning every backend, and no herd onto one freshly emptied backend. A tie
/// (typically two idle backends) goes to the first draw, so idle shares still follow weights.
/// </summary>
internal sealed class PowerOfTwoChoices(Random? random = null) : IBalancingAlgorithm
{
    private readonly Random _random = random ?? Random.Shared;

    public int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context)
    {
        if (candidates.Length == 1)
        {
            return 0;
        }

        var first = WeightedRandom.PickOne(candidates, _random);
        var second = first;
        for (var attempt = 0; attempt < 4 && second == first; attempt++)
        {
            second = WeightedRandom.PickOne(candidates, _random);
        }

        if (second == first)
        {
            second = (first + 1 + _random.Next(candidates.Length - 1)) % candidates.Length;
        }

        var a = candidates[first];
        var b = candidates[second];
        return a.Load / a.Weight <= b.Load / b.Weight ? first : second;
    }
}
