namespace Appliance.Replication.Sessions;

/// <summary>Limits of the replicated session table.</summary>
internal sealed record SessionTableOptions
{
    /// <summary>Key shards: the unit of anti-entropy and full-state chunks, so no message holds the whole table.</summary>
    public int ShardCount { get; init; } = 64;

    /// <summary>Live sessions kept at most; beyond it the least recently used are evicted (and counted).</summary>
    public int MaxSessions { get; init; } = 1_000_000;

    /// <summary>How long a removal's tombstone is kept; must exceed the longest a delta can stay in flight.</summary>
    public TimeSpan TombstoneGrace { get; init; } = TimeSpan.FromMinutes(10);
}
