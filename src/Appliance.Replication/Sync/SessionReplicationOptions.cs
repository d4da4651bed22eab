namespace Appliance.Replication.Sync;

/// <summary>Timing and sizes of session replication (defaults measured on the appliance; tests shorten them).</summary>
internal sealed record SessionReplicationOptions
{
    /// <summary>Local writes are batched at most this long (the timer is armed by the first write after a send).</summary>
    public TimeSpan DeltaBatch { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How often the actor takes a turn at the digest, the start-up sync and transfers.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Each node sends its digest to one peer (round robin) this often.</summary>
    public int DigestIntervalMs { get; init; } = 500;

    /// <summary>
    /// Digests leave out writes younger than this: their deltas may still be in flight, and under a
    /// steady write load every shard would otherwise differ at every digest and be sent whole.
    /// </summary>
    public TimeSpan DigestSettle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Entries hashed per turn at most (at least one shard), so the actor stays responsive with a big table.</summary>
    public int HashEntriesPerTick { get; init; } = 20_000;

    /// <summary>The digest interval is multiplied by the table size divided by this (at least 1).</summary>
    public int DigestStretchSessions { get; init; } = 100_000;

    /// <summary>Session entries per message at most.</summary>
    public int MaxEntriesPerMessage { get; init; } = 500;

    /// <summary>
    /// Estimated payload bytes per message at most. Akka.Remote's frame limit is the
    /// <c>Cluster.MaxFrameSize</c> setting (<c>maximum-frame-size</c>, 1 MiB by default, at least
    /// 64 KiB by validation); 64,000 bytes stays under the smallest allowed limit with room for
    /// Akka's envelope, where 500 entries of the longest allowed keys would not.
    /// </summary>
    public int MaxBytesPerMessage { get; init; } = 64_000;

    /// <summary>A syncing node asks another peer when no chunk of the full state arrived for this long.</summary>
    public int SyncRetryMs { get; init; } = 2_000;

    /// <summary>Upper bound on the start-up sync: past it the node serves with what it has (and says so).</summary>
    public int MaxSyncWaitMs { get; init; } = 30_000;

    /// <summary>
    /// Repair and full-state traffic in entries per second, shared by all transfers: 250,000/s is
    /// about 18 MB/s, a full sync of 1,000,000 sessions in 4 s. Deltas are live traffic and not budgeted.
    /// </summary>
    public int TransferEntriesPerSecond { get; init; } = 250_000;

    /// <summary>Transfer messages per peer sent and not yet acknowledged, at most.</summary>
    public int SendWindow { get; init; } = 8;

    /// <summary>Unacknowledged transfer messages are taken as lost after this long.</summary>
    public int AckTimeoutMs { get; init; } = 3_000;
}
