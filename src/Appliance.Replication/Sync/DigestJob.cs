using Akka.Actor;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Sync;

/// <summary>
/// Hashing the session table shard by shard across turns: either this node's digest for a peer
/// (<see cref="Theirs"/> null), or the comparison of a peer's digest with this node's shards. A
/// digest of a million sessions hashed in one go would hold the actor for most of a second.
/// </summary>
internal sealed class DigestJob(Address peer, long cut, SessionDigest? theirs, int shardCount)
{
    public Address Peer { get; } = peer;

    /// <summary>Only writes stamped before this count.</summary>
    public long Cut { get; } = cut;

    /// <summary>The peer's digest being compared, or null while building ours.</summary>
    public SessionDigest? Theirs { get; } = theirs;

    /// <summary>Our hash per shard so far (building), in shard order.</summary>
    public List<ulong> Hashes { get; } = new(shardCount);

    /// <summary>Shards whose hash differs from the peer's and that hold something (comparing).</summary>
    public List<int> Differing { get; } = [];

    /// <summary>The next shard to hash.</summary>
    public int Next { get; set; }

    public bool Done => Next >= shardCount;
}
