using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>Some or all entries of one session shard: a delta, or a chunk of its full state.</summary>
internal sealed record ShardSlice(int Shard, LwwMap<SessionValue> Entries);
