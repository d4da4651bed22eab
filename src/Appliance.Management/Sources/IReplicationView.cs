using Appliance.Management.Contracts;

namespace Appliance.Management.Sources;

/// <summary>Replicated state as this node holds it. Without a cluster, <see cref="NotConfiguredReplication"/> answers.</summary>
public interface IReplicationView
{
    /// <summary>The table, the start-up sync and the replication traffic now, or "not configured".</summary>
    ReplicationResponse Status();

    /// <summary>How long remote deltas took to become visible on this node (seconds buckets).</summary>
    HistogramSnapshot Visibility();
}

/// <summary>The single-node answer: nothing is replicated, and a message saying so.</summary>
public sealed class NotConfiguredReplication : IReplicationView
{
    /// <summary>What the API says while there is no cluster.</summary>
    public const string Message = "replication not configured: this node runs alone and keeps sticky sessions and connection counts to itself. Add a Cluster section to share them.";

    /// <inheritdoc />
    public HistogramSnapshot Visibility() => HistogramSnapshot.Empty;

    /// <inheritdoc />
    public ReplicationResponse Status() => new(false, Message, "none", null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
