using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Cluster.Replication;

/// <summary>
/// Hashing the session table shard by shard across loop turns: either this node's digest for a
/// peer (<see cref="Theirs"/> null), or the comparison of a peer's digest with this node's shards.
/// A digest of a million sessions hashed in one go held the cluster loop (and its heartbeats) for
/// most of a second.
/// </summary>
internal sealed class DigestJob(UniqueAddress peer, long cut, ReplicaDigest? theirs, int shardCount)
{
    public UniqueAddress Peer { get; } = peer;

    /// <summary>Only writes stamped before this count.</summary>
    public long Cut { get; } = cut;

    /// <summary>The peer's digest being compared, or null while building ours.</summary>
    public ReplicaDigest? Theirs { get; } = theirs;

    /// <summary>Our hash per shard so far (building), in shard order.</summary>
    public List<ulong> Hashes { get; } = new(shardCount);

    /// <summary>Shards whose hash differs from the peer's and that hold something (comparing).</summary>
    public List<int> Differing { get; } = [];

    /// <summary>The next shard to hash.</summary>
    public int Next { get; set; }

    public bool Done => Next >= shardCount;
}
