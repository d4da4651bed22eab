using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Replication.Hosting;
using Appliance.Replication.Sync;

namespace Appliance.Node.Management;

/// <summary>
/// The replicated table, the start-up sync and replication traffic, for the API and /metrics. Reads
/// <see cref="ReplicationInfo"/>, a node singleton, so the answer spans the ActorSystem incarnations.
/// </summary>
internal sealed class ReplicationView(ReplicationInfo info) : IReplicationView
{
    public HistogramSnapshot Visibility()
    {
        var histogram = info.Stats.Visibility;
        return new HistogramSnapshot([.. VisibilityHistogram.UpperBoundsMs.Select(ms => ms / 1000)], histogram.Counts(), histogram.SumSeconds);
    }

    public ReplicationResponse Status()
    {
        var stats = info.Stats;
        var sync = info.Sync;
        return new ReplicationResponse(
            true,
            sync.Status.IsDone() ? null : "this node is still pulling the cluster's state; it reports not ready until it has it",
            sync.Status.ToText(),
            sync.SyncDurationMs >= 0 ? sync.SyncDurationMs : null,
            sync.SyncTransferMs >= 0 ? sync.SyncTransferMs : null,
            info.Sessions,
            info.MaxSessions,
            info.Evicted,
            stats.DeltaMessagesSent,
            stats.DeltaEntriesSent,
            stats.EntriesReceived,
            stats.RepairsSent,
            stats.RepairEntriesSent,
            stats.RepairsReceived,
            stats.FullSyncsServed,
            stats.FullSyncEntriesSent,
            stats.SyncRequests,
            ReplicationInfo.BytesSent,
            ReplicationInfo.BytesReceived);
    }
}
