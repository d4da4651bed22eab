using System.Collections.Immutable;
using Appliance.Cluster.Membership;

namespace Appliance.Cluster.Messages;

/// <summary>Everything nodes say to each other about membership. <see cref="From"/> is the sender's incarnation.</summary>
public abstract record ClusterMessage(UniqueAddress From);

/// <summary>"Are you there?" Sent every heartbeat interval to each monitored member.</summary>
public sealed record Heartbeat(UniqueAddress From, long Sequence) : ClusterMessage(From);

/// <summary>The answer to a heartbeat; its arrival feeds the sender's failure detector.</summary>
public sealed record HeartbeatAck(UniqueAddress From, long Sequence) : ClusterMessage(From);

/// <summary>Push-pull digest: my version and who has seen it. The receiver answers with what the sender lacks.</summary>
public sealed record GossipStatus(UniqueAddress From, VectorClock Version, ImmutableHashSet<ulong> Seen) : ClusterMessage(From);

/// <summary>The full gossip.</summary>
public sealed record GossipEnvelope(UniqueAddress From, Gossip Gossip) : ClusterMessage(From);

/// <summary>
/// "Is anyone there, and which cluster are you in?" Sent to seeds at start and, later, to seeds and
/// lost members to discover a healed partition. <see cref="Cluster"/> is null while the sender is in no cluster.
/// </summary>
public sealed record InitJoin(UniqueAddress From, ClusterDigest? Cluster) : ClusterMessage(From);

/// <summary>"I am a member of this cluster; you may join through me."</summary>
public sealed record InitJoinAck(UniqueAddress From, ClusterDigest Cluster) : ClusterMessage(From);

/// <summary>A request to become a member.</summary>
public sealed record Join(UniqueAddress From, string Name) : ClusterMessage(From);

/// <summary>The answer to a join: the gossip that now contains the joiner.</summary>
public sealed record Welcome(UniqueAddress From, Gossip Gossip) : ClusterMessage(From);

/// <summary>"I am leaving": the sender wants to hand over and go.</summary>
public sealed record Leave(UniqueAddress From) : ClusterMessage(From);

/// <summary>
/// What a cluster looks like from outside, to decide which side of a healed partition the other
/// joins: more live members wins, then the lower oldest-member address.
/// </summary>
public sealed record ClusterDigest(int LiveMembers, NodeAddress Lowest)
{
    public bool Beats(ClusterDigest other) =>
        LiveMembers != other.LiveMembers ? LiveMembers > other.LiveMembers : Lowest < other.Lowest;
}
