using Appliance.Cluster.Hosting;
using Appliance.Cluster.Replication;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;

namespace Appliance.Node.Management;

/// <summary>The replicated table, the start-up sync and replication traffic, for the API and /metrics.</summary>
internal sealed class ReplicationView(ClusterService cluster) : IReplicationView
{
    public HistogramSnapshot Visibility()
    {
        if (cluster.Replication is not { } replication)
        {
            return HistogramSnapshot.Empty;
        }

        var histogram = replication.Stats.Visibility;
        return new HistogramSnapshot([.. VisibilityHistogram.UpperBoundsMs.Select(ms => ms / 1000)], histogram.Counts(), histogram.SumSeconds);
    }

    public ReplicationResponse Status()
    {
        if (cluster.Replication is not { } replication)
        {
            return new NotConfiguredReplication().Status();
        }

        var stats = replication.Stats;
        var sessions = replication.Sessions;
        var transport = cluster.TransportStats;
        return new ReplicationResponse(
            true,
            stats.Status.IsDone() ? null : "this node is still pulling the cluster's state; it reports not ready until it has it",
            stats.Status.ToText(),
            stats.SyncDurationMs >= 0 ? stats.SyncDurationMs : null,
            stats.SyncTransferMs >= 0 ? stats.SyncTransferMs : null,
            sessions.Count,
            sessions.MaxSessions,
            sessions.Evicted,
            stats.DeltaMessagesSent,
            stats.DeltaEntriesSent,
            stats.EntriesReceived,
            stats.RepairsSent,
            stats.RepairEntriesSent,
            stats.RepairsReceived,
            stats.FullSyncsServed,
            stats.FullSyncEntriesSent,
            stats.SyncRequests,
            transport.ReplicaBytesSent,
            transport.ReplicaBytesReceived);
    }
}
