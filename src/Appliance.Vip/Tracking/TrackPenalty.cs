namespace Appliance.Vip.Tracking;

/// <summary>Turns this node's tracking results for one VIP into the priority it loses.</summary>
internal static class TrackPenalty
{
    /// <summary>Larger than any priority (1..255): a weight-0 failure puts the node in fault.</summary>
    public const int Fault = 1000;

    /// <summary>The sum of the weights of failing tracks, or <see cref="Fault"/> when one with weight 0 fails.</summary>
    public static int Of(IEnumerable<TrackResult> results)
    {
        var sum = 0;
        foreach (var r in results)
        {
            if (!r.Failing)
            {
                continue;
            }

            if (r.Weight == 0)
            {
                return Fault;
            }

            sum += r.Weight;
        }

        return Math.Min(sum, Fault);
    }
}
