using Appliance.Proxy.LoadBalancing;

namespace Appliance.Tests.Support;

/// <summary>Builds candidate sets and runs many picks over them.</summary>
internal static class Candidates
{
    /// <summary>Backends b0..b{n-1}, weight 1, idle.</summary>
    public static BalancingCandidate[] Equal(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new BalancingCandidate("b" + i, 1, 0, 1))];

    /// <summary>Backends b0.. with the given effective weights (configured weight rounded up, at least 1).</summary>
    public static BalancingCandidate[] WithWeights(params double[] weights) =>
        [.. weights.Select((w, i) => new BalancingCandidate("b" + i, w, 0, Math.Max(1, (int)Math.Ceiling(w))))];

    public static int[] CountPicks(IBalancingAlgorithm algorithm, BalancingCandidate[] candidates, int picks, PickContext context = default)
    {
        var counts = new int[candidates.Length];
        for (var n = 0; n < picks; n++)
        {
            counts[algorithm.Pick(candidates, context)]++;
        }

        return counts;
    }

    public static string[] PickIds(IBalancingAlgorithm algorithm, BalancingCandidate[] candidates, int picks)
    {
        var ids = new string[picks];
        for (var n = 0; n < picks; n++)
        {
            ids[n] = candidates[algorithm.Pick(candidates, PickContext.None)].Id;
        }

        return ids;
    }

    public static double Share(int[] counts, int index) => (double)counts[index] / counts.Sum();
}
