using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>What one replicated message carries and why it was sent.</summary>
internal enum ReplicaDataKind
{
    /// <summary>Batched local deltas.</summary>
    Delta = 1,

    /// <summary>Full state of shards whose digest differed.</summary>
    Repair = 2,

    /// <summary>A chunk of a full-state transfer to a syncing node.</summary>
    Sync = 3,

    /// <summary>The last chunk of a full-state transfer: the receiver is synced once it is joined.</summary>
    SyncComplete = 4,
}

/// <summary>Session entries by shard and connection gauges; every part joins into the receiver's state.</summary>
internal sealed record ReplicaData(UniqueAddress From, ReplicaDataKind Kind, IReadOnlyList<ShardSlice> Sessions, GaugeMap? Gauges)
    : ClusterMessage(From);
