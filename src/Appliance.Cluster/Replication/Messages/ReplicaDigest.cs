using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>Anti-entropy: a hash per session shard and one of the gauges; the receiver repairs what differs.</summary>
internal sealed record ReplicaDigest(UniqueAddress From, IReadOnlyList<ulong> ShardHashes, ulong GaugeHash) : ClusterMessage(From);
