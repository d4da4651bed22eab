namespace Appliance.Proxy.LoadBalancing;

/// <summary>
/// Weighted least connections, as HAProxy's leastconn: lowest (load + 1) / weight wins. Ties are
/// broken from a rotating start so equal backends share traffic instead of the first taking all.
/// </summary>
internal sealed class LeastConnections : IBalancingAlgorithm
{
    private uint _rotation;

    public int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context)
    {
        var start = (int)(Interlocked.Increment(ref _rotation) % (uint)candidates.Length);
        var best = start;
        var bestScore = Score(candidates[start]);
        for (var n = 1; n < candidates.Length; n++)
        {
            var i = (start + n) % candidates.Length;
            var score = Score(candidates[i]);
            if (score < bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }

    private static double Score(in BalancingCandidate c) => (c.Load + 1) / c.Weight;
}
