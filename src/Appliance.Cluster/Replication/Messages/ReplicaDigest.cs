using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>
/// Anti-entropy: a hash per session shard and one of the gauges; the receiver repairs what differs.
/// The shard hashes cover writes stamped before <paramref name="WrittenBeforeMs"/> only (0: unknown)
/// and are computed by <paramref name="SessionScheme"/> (<see cref="Replication.StateDigest.SessionScheme"/>; 0: an older node's).
/// </summary>
internal sealed record ReplicaDigest(UniqueAddress From, IReadOnlyList<ulong> ShardHashes, ulong GaugeHash, long WrittenBeforeMs = 0, int SessionScheme = 0)
    : ClusterMessage(From);
