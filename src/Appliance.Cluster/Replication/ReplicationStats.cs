namespace Appliance.Cluster.Replication;

/// <summary>
/// Replication counters (monotonic unless noted), written by the cluster loop and read from any
/// thread by metrics and the admin API.
/// </summary>
public sealed class ReplicationStats
{
    private long _deltaMessagesSent;
    private long _deltaEntriesSent;
    private long _entriesReceived;
    private long _repairsSent;
    private long _repairEntriesSent;
    private long _repairsReceived;
    private long _otherSchemeDigests;
    private long _fullSyncsServed;
    private long _fullSyncEntriesSent;
    private long _syncRequests;
    private long _syncDurationMs = -1;
    private long _syncTransferMs = -1;
    private int _status;

    /// <summary>Delta messages sent (one per peer per batch).</summary>
    public long DeltaMessagesSent => Interlocked.Read(ref _deltaMessagesSent);

    /// <summary>Session and gauge entries sent in deltas, counted once per peer.</summary>
    public long DeltaEntriesSent => Interlocked.Read(ref _deltaEntriesSent);

    /// <summary>Session and gauge entries received in any replica message.</summary>
    public long EntriesReceived => Interlocked.Read(ref _entriesReceived);

    /// <summary>Anti-entropy repairs started for a peer whose digest differed.</summary>
    public long RepairsSent => Interlocked.Read(ref _repairsSent);

    /// <summary>Entries sent in anti-entropy repairs.</summary>
    public long RepairEntriesSent => Interlocked.Read(ref _repairEntriesSent);

    /// <summary>Repair messages received (this node had missed something).</summary>
    public long RepairsReceived => Interlocked.Read(ref _repairsReceived);

    /// <summary>Digests not compared because the peer hashes shards by another scheme (an older version).</summary>
    public long OtherSchemeDigests => Interlocked.Read(ref _otherSchemeDigests);

    /// <summary>Full-state transfers started for a syncing peer.</summary>
    public long FullSyncsServed => Interlocked.Read(ref _fullSyncsServed);

    /// <summary>Entries sent in full-state transfers.</summary>
    public long FullSyncEntriesSent => Interlocked.Read(ref _fullSyncEntriesSent);

    /// <summary>Full-state requests this node sent (more than one means a retry with another peer).</summary>
    public long SyncRequests => Interlocked.Read(ref _syncRequests);

    /// <summary>Milliseconds from start until the sync finished; -1 while it has not.</summary>
    public long SyncDurationMs => Interlocked.Read(ref _syncDurationMs);

    /// <summary>Milliseconds from the last full-state request to its last chunk; -1 unless synced from a peer.</summary>
    public long SyncTransferMs => Interlocked.Read(ref _syncTransferMs);

    /// <summary>How long remote deltas took to become visible here.</summary>
    public VisibilityHistogram Visibility { get; } = new();

    /// <summary>This node's start-up sync (a gauge, not a counter).</summary>
    public SyncStatus Status => (SyncStatus)Volatile.Read(ref _status);

    internal void DeltaSent(int entries)
    {
        Interlocked.Increment(ref _deltaMessagesSent);
        Interlocked.Add(ref _deltaEntriesSent, entries);
    }

    internal void Received(int entries) => Interlocked.Add(ref _entriesReceived, entries);

    internal void RepairStarted() => Interlocked.Increment(ref _repairsSent);

    internal void RepairChunkSent(int entries) => Interlocked.Add(ref _repairEntriesSent, entries);

    internal void RepairReceived() => Interlocked.Increment(ref _repairsReceived);

    internal void FullSyncStarted() => Interlocked.Increment(ref _fullSyncsServed);

    internal void FullSyncChunkSent(int entries) => Interlocked.Add(ref _fullSyncEntriesSent, entries);

    internal void SyncRequested() => Interlocked.Increment(ref _syncRequests);

    internal void SyncTransferred(long ms) => Interlocked.Exchange(ref _syncTransferMs, ms);

    internal void SetStatus(SyncStatus status, long sinceStartMs)
    {
        Volatile.Write(ref _status, (int)status);
        if (status.IsDone())
        {
            Interlocked.CompareExchange(ref _syncDurationMs, sinceStartMs, -1);
        }
    }

    internal void OtherSchemeDigest() => Interlocked.Increment(ref _otherSchemeDigests);
}
