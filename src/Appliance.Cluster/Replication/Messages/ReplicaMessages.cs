using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>Which cluster messages belong to replication (routed to the replicator, counted apart on the wire).</summary>
internal static class ReplicaMessages
{
    public static bool Is(ClusterMessage message) => message is ReplicaData or ReplicaDigest or ReplicaSyncRequest;
}
