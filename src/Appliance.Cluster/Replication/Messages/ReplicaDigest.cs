using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>
/// Anti-entropy: a hash per session shard and one of the gauges; the receiver repairs what differs.
/// The shard hashes cover writes stamped before <paramref name="WrittenBeforeMs"/> only (0: unknown).
/// </summary>
internal sealed record ReplicaDigest(UniqueAddress From, IReadOnlyList<ulong> ShardHashes, ulong GaugeHash, long WrittenBeforeMs = 0) : ClusterMessage(From);
