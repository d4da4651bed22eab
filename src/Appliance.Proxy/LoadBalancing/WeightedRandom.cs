namespace Appliance.Proxy.LoadBalancing;

/// <summary>Random choice with probability proportional to weight.</summary>
internal sealed class WeightedRandom(Random? random = null) : IBalancingAlgorithm
{
    private readonly Random _random = random ?? Random.Shared;

    public int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context) =>
        PickOne(candidates, _random);

    /// <summary>Shared by the hash fallback and two-choices.</summary>
    public static int PickOne(ReadOnlySpan<BalancingCandidate> candidates, Random random)
    {
        var total = 0.0;
        foreach (ref readonly var c in candidates)
        {
            total += c.Weight;
        }

        var point = random.NextDouble() * total;
        for (var i = 0; i < candidates.Length; i++)
        {
            point -= candidates[i].Weight;
            if (point < 0)
            {
                return i;
            }
        }

        return candidates.Length - 1; // rounding left a sliver at the end
    }
}
