namespace Appliance.Management.Contracts;

/// <summary>
/// <c>GET /api/v1/cluster/replication</c>: this node's replicated sticky sessions and connection
/// counts. Without a cluster, <paramref name="Configured"/> is false and <paramref name="Message"/> says why.
/// </summary>
/// <param name="Sync">The start-up sync: "waiting", "pulling", "synced", "alone", "gave-up" (or "none").</param>
/// <param name="SyncMs">How long the start-up sync took from the node's start (joining included), once it finished.</param>
/// <param name="SyncTransferMs">How long the full-state transfer took, from the request that succeeded to its last chunk.</param>
/// <param name="Sessions">Live sessions in the replicated table on this node.</param>
/// <param name="MaxSessions">The table's bound; beyond it the least recently used are evicted.</param>
/// <param name="SessionsEvicted">Sessions this node evicted because the table was full.</param>
/// <param name="DeltaMessagesSent">Delta messages sent (one per peer per batch).</param>
/// <param name="DeltaEntriesSent">Entries sent in deltas, once per peer.</param>
/// <param name="EntriesReceived">Entries received in any replication message.</param>
/// <param name="RepairsSent">Anti-entropy repairs sent to a peer whose digest differed.</param>
/// <param name="RepairEntriesSent">Entries sent in those repairs.</param>
/// <param name="RepairsReceived">Repair messages received.</param>
/// <param name="FullSyncsServed">Full-state transfers sent to a starting peer.</param>
/// <param name="FullSyncEntriesSent">Entries sent in full-state transfers.</param>
/// <param name="SyncRequests">Full-state requests this node made (over 1: it retried with another peer).</param>
/// <param name="BytesSent">Replication payload bytes sent (serialized messages; Akka.Remote's envelope and framing not included).</param>
/// <param name="BytesReceived">Replication payload bytes received (the same measure).</param>
public sealed record ReplicationResponse(
    bool Configured,
    string? Message,
    string Sync,
    long? SyncMs,
    long? SyncTransferMs,
    long Sessions,
    long MaxSessions,
    long SessionsEvicted,
    long DeltaMessagesSent,
    long DeltaEntriesSent,
    long EntriesReceived,
    long RepairsSent,
    long RepairEntriesSent,
    long RepairsReceived,
    long FullSyncsServed,
    long FullSyncEntriesSent,
    long SyncRequests,
    long BytesSent,
    long BytesReceived);
