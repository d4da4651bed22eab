using Appliance.Cluster.FailureDetection;

namespace Appliance.Cluster.Membership;

/// <summary>Timing of membership: gossip, downing, joining, discovery.</summary>
public sealed record MembershipOptions
{
    public FailureDetectorOptions FailureDetector { get; init; } = new();

    /// <summary>Anti-entropy: a digest to one random member this often (changes are pushed at once anyway).</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The leader marks a member Down after it has been unreachable this long (availability first: each side of a partition downs the other).</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A node listed as its own seed forms a new cluster only if no other seed answered in this time.</summary>
    public TimeSpan SeedJoinTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often to ask seeds (and lost members) "which cluster are you in?": join retries and partition-heal discovery.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A member never heard from yet (a joiner) is suspected only after this long without any heartbeat answer.</summary>
    public TimeSpan FirstResponseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long removed incarnations stay tombstoned, and lost addresses are probed.</summary>
    public TimeSpan TombstoneTtl { get; init; } = TimeSpan.FromHours(1);
}
