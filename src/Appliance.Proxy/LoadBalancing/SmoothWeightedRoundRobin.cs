namespace Appliance.Proxy.LoadBalancing;

/// <summary>
/// nginx's smooth weighted round robin: weights 5,1,1 give a,a,b,a,c,a,a rather than a burst of
/// five to the heavy backend. Each pick adds every weight to its running score, takes the
/// highest score and subtracts the total from it.
/// </summary>
internal sealed class SmoothWeightedRoundRobin : IBalancingAlgorithm
{
    private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context)
    {
        lock (_lock)
        {
            if (_scores.Count > 2 * candidates.Length + 8)
            {
                _scores.Clear(); // backends came and went; stale scores would skew the first rounds only
            }

            var best = -1;
            var bestScore = double.MinValue;
            var total = 0.0;
            for (var i = 0; i < candidates.Length; i++)
            {
                ref readonly var c = ref candidates[i];
                _scores.TryGetValue(c.Id, out var score);
                score += c.Weight;
                _scores[c.Id] = score;
                total += c.Weight;
                if (score > bestScore)
                {
                    best = i;
                    bestScore = score;
                }
            }

            _scores[candidates[best].Id] = bestScore - total;
            return best;
        }
    }
}
