namespace Appliance.Proxy.LoadBalancing;

/// <summary>
/// Chooses one backend among eligible candidates. Implementations are pure decisions over the
/// candidates given (plus their own rotation state); they never do I/O, so the same instance
/// serves HTTP clusters and TCP pools and is tested without sockets.
/// </summary>
internal interface IBalancingAlgorithm
{
    /// <summary>Returns an index into <paramref name="candidates"/>, which is never empty.</summary>
    int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context);
}

/// <summary>A backend as the algorithms see it.</summary>
/// <param name="Id">Stable backend id (destination id).</param>
/// <param name="Weight">Effective weight, &gt; 0 (slow start may make it fractional).</param>
/// <param name="Load">In-flight requests or connections, cluster-wide when clustered.</param>
/// <param name="ConfiguredWeight">Weight as configured, ignoring slow start (consistent hashing uses it so a ramp does not remap keys).</param>
internal readonly record struct BalancingCandidate(string Id, double Weight, long Load, int ConfiguredWeight);

/// <summary>Per-request input to a pick.</summary>
/// <param name="Hash">Hash of the request's key, for consistent hashing.</param>
/// <param name="HasKey">False when the request lacks the key (then hashing falls back to weighted random).</param>
internal readonly record struct PickContext(ulong Hash, bool HasKey)
{
    public static readonly PickContext None = default;
}
