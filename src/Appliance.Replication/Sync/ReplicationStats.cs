namespace Appliance.Replication.Sync;

/// <summary>
/// Replication counters (monotonic unless noted), written by the replication actors and read from
/// any thread by metrics and the admin API. One per node: it outlives the incarnations.
/// </summary>
public sealed class ReplicationStats
{
    private long _deltaMessagesSent;
    private long _deltaEntriesSent;
    private long _entriesReceived;
    private long _repairsSent;
    private long _repairEntriesSent;
    private long _repairsReceived;
    private long _fullSyncsServed;
    private long _fullSyncEntriesSent;
    private long _syncRequests;
    private long _rejected;
    private long _gaugePublishes;

    /// <summary>Delta messages sent (one per peer per batch).</summary>
    public long DeltaMessagesSent => Interlocked.Read(ref _deltaMessagesSent);

    /// <summary>Session entries sent in deltas, counted once per peer.</summary>
    public long DeltaEntriesSent => Interlocked.Read(ref _deltaEntriesSent);

    /// <summary>Session entries received in any message.</summary>
    public long EntriesReceived => Interlocked.Read(ref _entriesReceived);

    /// <summary>Anti-entropy repairs started for a peer whose digest differed.</summary>
    public long RepairsSent => Interlocked.Read(ref _repairsSent);

    /// <summary>Entries sent in anti-entropy repairs.</summary>
    public long RepairEntriesSent => Interlocked.Read(ref _repairEntriesSent);

    /// <summary>Repair messages received (this node had missed something).</summary>
    public long RepairsReceived => Interlocked.Read(ref _repairsReceived);

    /// <summary>Full-state transfers started for a syncing peer.</summary>
    public long FullSyncsServed => Interlocked.Read(ref _fullSyncsServed);

    /// <summary>Entries sent in full-state transfers.</summary>
    public long FullSyncEntriesSent => Interlocked.Read(ref _fullSyncEntriesSent);

    /// <summary>Full-state requests this node sent (more than one means a retry with another peer).</summary>
    public long SyncRequests => Interlocked.Read(ref _syncRequests);

    /// <summary>Messages dropped because they did not decode or broke a bound.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Times this node published its gauges to Akka.DistributedData.</summary>
    public long GaugePublishes => Interlocked.Read(ref _gaugePublishes);

    /// <summary>How long remote deltas took to become visible here.</summary>
    public VisibilityHistogram Visibility { get; } = new();

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

    internal void RejectedMessage() => Interlocked.Increment(ref _rejected);

    internal void GaugesPublished() => Interlocked.Increment(ref _gaugePublishes);
}
