using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Replication.Hosting;
using Appliance.Replication.Sync;

namespace Appliance.Node.Management;

/// <summary>Replicated sessions, replication traffic and the start-up sync, from the same numbers as the API.</summary>
internal sealed class ReplicationMetricsSource(ReplicationView view) : IMetricsSource
{
    public void Write(PrometheusWriter w)
    {
        var r = view.Status();
        w.Gauge("appliance_replication_sessions", "Live sticky sessions in the replicated table on this node.");
        w.Sample("appliance_replication_sessions", r.Sessions);
        w.Gauge("appliance_replication_sessions_max", "The table's bound (Count never exceeds it).");
        w.Sample("appliance_replication_sessions_max", r.MaxSessions);
        w.Counter("appliance_replication_sessions_evicted_total", "Sessions this node evicted (least recently used) because the table was full.");
        w.Sample("appliance_replication_sessions_evicted_total", r.SessionsEvicted);

        w.Counter("appliance_replication_delta_messages_sent_total", "Delta messages sent (one per peer per batch).");
        w.Sample("appliance_replication_delta_messages_sent_total", r.DeltaMessagesSent);
        w.Counter("appliance_replication_entries_total", "Replicated entries (sessions and gauges) by direction and kind.");
        w.Sample("appliance_replication_entries_total", r.DeltaEntriesSent, ("direction", "sent"), ("kind", "delta"));
        w.Sample("appliance_replication_entries_total", r.RepairEntriesSent, ("direction", "sent"), ("kind", "repair"));
        w.Sample("appliance_replication_entries_total", r.FullSyncEntriesSent, ("direction", "sent"), ("kind", "sync"));
        w.Sample("appliance_replication_entries_total", r.EntriesReceived, ("direction", "received"), ("kind", "any"));
        w.Counter("appliance_replication_bytes_total", "Replication payload bytes (serialized messages; Akka.Remote's envelope and framing not included).");
        w.Sample("appliance_replication_bytes_total", r.BytesSent, ("direction", "sent"));
        w.Sample("appliance_replication_bytes_total", r.BytesReceived, ("direction", "received"));

        w.Counter("appliance_replication_repairs_total", "Anti-entropy repairs: sent to a peer whose digest differed, and repair messages received.");
        w.Sample("appliance_replication_repairs_total", r.RepairsSent, ("direction", "sent"));
        w.Sample("appliance_replication_repairs_total", r.RepairsReceived, ("direction", "received"));
        w.Counter("appliance_replication_full_syncs_total", "Full-state transfers served to starting peers, and requested by this node.");
        w.Sample("appliance_replication_full_syncs_total", r.FullSyncsServed, ("direction", "served"));
        w.Sample("appliance_replication_full_syncs_total", r.SyncRequests, ("direction", "requested"));

        w.Counter("appliance_replication_payloads_rejected_total", "Replication payloads dropped because they did not decode or broke a bound (a peer's bug or a forged message; the association stays).");
        w.Sample("appliance_replication_payloads_rejected_total", ReplicationInfo.RejectedPayloads);

        w.Gauge("appliance_replication_sync_status", "1 for this node's start-up sync status (ready needs synced, alone or gave-up).");
        foreach (var status in Enum.GetValues<SyncStatus>())
        {
            w.Sample("appliance_replication_sync_status", status.ToText() == r.Sync ? 1 : 0, ("status", status.ToText()));
        }

        w.Histogram("appliance_replication_visibility_seconds", "How long sessions written on another node took to become visible here (its clock at the write to the merge here).");
        w.Histogram("appliance_replication_visibility_seconds", view.Visibility());

        w.Gauge("appliance_replication_sync_seconds", "How long the start-up sync took (absent until it finished).");
        if (r.SyncMs is { } ms)
        {
            w.Sample("appliance_replication_sync_seconds", ms / 1000.0);
        }
    }
}
