namespace Appliance.Core.Configuration;

/// <summary>
/// The policy names a <c>ReverseProxy</c> cluster may name. The proxy registers its policies under
/// exactly these names, and the validator refuses any other, so a typo fails at load time instead
/// of at the first request. Names compare case-insensitively, as YARP's do.
/// </summary>
public static class PolicyNames
{
    /// <summary>Smooth weighted round robin (nginx's algorithm): even spread in proportion to weights.</summary>
    public const string RoundRobin = "RoundRobin";

    /// <summary>Alias of <see cref="RoundRobin"/>, for configurations written for other balancers.</summary>
    public const string WeightedRoundRobin = "WeightedRoundRobin";

    /// <summary>Fewest in-flight requests relative to weight, using cluster-wide counts when clustered.</summary>
    public const string LeastConnections = "LeastConnections";

    /// <summary>Alias of <see cref="LeastConnections"/> under YARP's name.</summary>
    public const string LeastRequests = "LeastRequests";

    /// <summary>Two backends drawn by weight; the less loaded one wins.</summary>
    public const string PowerOfTwoChoices = "PowerOfTwoChoices";

    /// <summary>A backend drawn at random in proportion to weight.</summary>
    public const string Random = "Random";

    /// <summary>Weighted consistent hashing of the cluster's <c>HashKey</c>; about 1/N of keys move when a backend joins or leaves.</summary>
    public const string ConsistentHash = "ConsistentHash";

    /// <summary>The first available backend by destination id (active/standby setups).</summary>
    public const string FirstAlphabetical = "FirstAlphabetical";

    /// <summary>Our sticky-session policy: an opaque key in a cookie, resolved through the replicated session table.</summary>
    public const string ApplianceCookie = "ApplianceCookie";

    /// <summary>YARP's cookie policy (the destination id, protected by ASP.NET Data Protection).</summary>
    public const string Cookie = "Cookie";

    /// <summary>YARP's header policy (the destination id in a request/response header).</summary>
    public const string CustomHeader = "CustomHeader";

    /// <summary>
    /// YARP's hashed cookie policy (an XxHash64 of the destination id, no Data Protection keys, so
    /// every node reads every other node's cookie). YARP's own default; ours is <see cref="ApplianceCookie"/>.
    /// </summary>
    public const string HashCookie = "HashCookie";

    /// <summary>YARP's ARR-compatible cookie policy (a SHA-256 of the destination id, as IIS ARR writes it).</summary>
    public const string ArrCookie = "ArrCookie";

    /// <summary>Our active-health reading: Rise good probes mark a backend up, Fall bad ones mark it down.</summary>
    public const string RiseFall = "RiseFall";

    /// <summary>YARP's active-health policy: down after a number of consecutive failed probes.</summary>
    public const string ConsecutiveFailures = "ConsecutiveFailures";

    /// <summary>
    /// Our passive-health policy, set on a cluster by the proxy when Balancing.Clusters.{id}.PassiveHealthCheck
    /// is enabled: consecutive failures or a failure rate over a window.
    /// </summary>
    public const string AppliancePassive = "AppliancePassive";

    /// <summary>Every accepted <c>LoadBalancingPolicy</c>.</summary>
    public static IReadOnlyList<string> LoadBalancingPolicies { get; } =
    [
        RoundRobin, WeightedRoundRobin, LeastConnections, LeastRequests,
        PowerOfTwoChoices, Random, ConsistentHash, FirstAlphabetical,
    ];

    /// <summary>
    /// Every accepted <c>SessionAffinity.Policy</c>. <see cref="ApplianceCookie"/> is the one applied when
    /// affinity is enabled without a policy, and the only one whose sessions replicate across the cluster.
    /// </summary>
    public static IReadOnlyList<string> AffinityPolicies { get; } = [ApplianceCookie, Cookie, HashCookie, ArrCookie, CustomHeader];

    /// <summary>The affinity policy used when a cluster enables affinity without naming one (YARP would pick HashCookie).</summary>
    public const string DefaultAffinityPolicy = ApplianceCookie;

    /// <summary>Every accepted <c>HealthCheck.Active.Policy</c>; <see cref="RiseFall"/> applies when none is set.</summary>
    public static IReadOnlyList<string> ActiveHealthPolicies { get; } = [RiseFall, ConsecutiveFailures];

    /// <summary>The accepted spelling of <paramref name="name"/> from <paramref name="names"/>, or null.</summary>
    public static string? Find(IReadOnlyList<string> names, string? name)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }
}
