using Appliance.Core.Configuration;

namespace Appliance.Proxy.LoadBalancing;

/// <summary>Creates a cluster's algorithm from its configured policy name (YARP's names included).</summary>
internal static class BalancingAlgorithms
{
    /// <summary>YARP's default when a cluster names no policy.</summary>
    public const string DefaultPolicy = PolicyNames.PowerOfTwoChoices;

    public static IBalancingAlgorithm Create(string? policy) => (policy ?? DefaultPolicy) switch
    {
        PolicyNames.RoundRobin or PolicyNames.WeightedRoundRobin => new SmoothWeightedRoundRobin(),
        PolicyNames.LeastConnections or PolicyNames.LeastRequests => new LeastConnections(),
        PolicyNames.PowerOfTwoChoices => new PowerOfTwoChoices(),
        PolicyNames.Random => new WeightedRandom(),
        PolicyNames.ConsistentHash => new ConsistentHashRing(),
        PolicyNames.FirstAlphabetical => new FirstAlphabetical(),
        var other => throw new ArgumentException($"Unknown load-balancing policy '{other}'; validation should have refused it.", nameof(policy)),
    };
}
