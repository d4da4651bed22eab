namespace Appliance.Replication.Sessions;

/// <summary>
/// One key's entry in a <see cref="SessionShard"/>'s flat table, 24 bytes with no object of its
/// own: the write's clock and the last use unpacked, and what many sessions share (backend, idle
/// timeout, the writer's node) as an index into the shard's <see cref="SlotProfiles"/>. Every
/// field keeps its full width, so the clock order, expiry and tombstones stay exact.
/// </summary>
internal readonly struct SessionSlot(long wallMs, int logical, long lastSeenMs, int profile)
{
    public long WallMs { get; } = wallMs;

    public long LastSeenMs { get; } = lastSeenMs;

    public int Logical { get; } = logical;

    /// <summary>Index of the (backend, idle timeout, node) triple in the shard's <see cref="SlotProfiles"/>.</summary>
    public int Profile { get; } = profile;
}
