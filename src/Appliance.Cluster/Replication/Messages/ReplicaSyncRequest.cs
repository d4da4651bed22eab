using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>A starting node asks a peer for its full state.</summary>
internal sealed record ReplicaSyncRequest(UniqueAddress From) : ClusterMessage(From);
