namespace Appliance.Cluster.Replication;

/// <summary>Timing and sizes of replication.</summary>
internal sealed record ReplicatorOptions
{
    /// <summary>Local deltas are batched this long before being pushed to every Up member.</summary>
    public int DeltaIntervalMs { get; init; } = 5;

    /// <summary>Each node sends its digest to one peer (round robin) this often.</summary>
    public int DigestIntervalMs { get; init; } = 500;

    /// <summary>Session entries per message at most: 500 of the largest allowed keys and backends still fit a 1 MiB frame.</summary>
    public int MaxEntriesPerMessage { get; init; } = 500;

    /// <summary>A syncing node asks another peer when no full state arrived within this.</summary>
    public int SyncRetryMs { get; init; } = 2_000;

    /// <summary>A node with no peer this long after start considers itself alone, hence synced.</summary>
    public int AloneAfterMs { get; init; } = 3_000;
}
