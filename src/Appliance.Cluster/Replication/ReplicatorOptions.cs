namespace Appliance.Cluster.Replication;

/// <summary>Timing and sizes of replication.</summary>
internal sealed record ReplicatorOptions
{
    /// <summary>Local deltas are batched this long before being pushed to every Up member.</summary>
    public int DeltaIntervalMs { get; init; } = 5;

    /// <summary>Each node sends its digest to one peer (round robin) this often.</summary>
    public int DigestIntervalMs { get; init; } = 500;

    /// <summary>
    /// Digests leave out writes younger than this: their deltas may still be in flight, and under a
    /// steady write load every shard would otherwise differ at every digest and be sent whole.
    /// A lost delta is repaired this much later than it would be otherwise.
    /// </summary>
    public TimeSpan DigestSettle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Digests are built and compared shard by shard, at most this many entries hashed per loop
    /// turn (at least one shard): about 10 ms of work, so heartbeats keep flowing with a big table.
    /// </summary>
    public int HashEntriesPerTick { get; init; } = 20_000;

    /// <summary>The digest interval is multiplied by the table size divided by this (at least 1).</summary>
    public int DigestStretchSessions { get; init; } = 100_000;

    /// <summary>Session entries per message at most: 500 of the largest allowed keys and backends still fit a 1 MiB frame.</summary>
    public int MaxEntriesPerMessage { get; init; } = 500;

    /// <summary>A syncing node asks another peer when no chunk of the full state arrived for this long (peer died, request lost).</summary>
    public int SyncRetryMs { get; init; } = 2_000;

    /// <summary>
    /// Upper bound on the start-up sync, from the first tick: past it the node serves with what it
    /// has (and says so), because an operator would rather serve than hang forever.
    /// </summary>
    public int MaxSyncWaitMs { get; init; } = 30_000;

    /// <summary>
    /// Budget of repair and full-state traffic, in session entries per second shared by all
    /// transfers (about 70 bytes each on the wire): 250,000/s is about 18 MB/s, a full sync of
    /// 1,000,000 sessions in 4 s, and about what one core of the receiver decodes and merges.
    /// Deltas are live traffic and not budgeted.
    /// </summary>
    public int TransferEntriesPerSecond { get; init; } = 250_000;
}
