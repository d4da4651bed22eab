namespace Appliance.Proxy.LoadBalancing;

/// <summary>YARP's FirstAlphabetical: always the eligible backend with the lowest id (active/standby setups).</summary>
internal sealed class FirstAlphabetical : IBalancingAlgorithm
{
    public int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context)
    {
        var best = 0;
        for (var i = 1; i < candidates.Length; i++)
        {
            if (string.CompareOrdinal(candidates[i].Id, candidates[best].Id) < 0)
            {
                best = i;
            }
        }

        return best;
    }
}
