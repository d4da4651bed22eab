using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication;

/// <summary>
/// One key's entry in a <see cref="SessionShard"/>'s flat table: the value's fields and the write's
/// clock unpacked into 48 bytes (no object of its own; the backend string is shared by every
/// session pinned to it). A null backend is a tombstone.
/// </summary>
internal readonly struct SessionSlot
{
    private readonly string? _backend;
    private readonly long _lastSeenMs;
    private readonly long _idleTimeoutMs;
    private readonly long _wallMs;
    private readonly ulong _node;
    private readonly int _logical;

    public SessionSlot(in LwwEntry<SessionValue> entry)
    {
        _backend = entry.IsTombstone ? null : entry.Value.Backend;
        _lastSeenMs = entry.IsTombstone ? 0 : entry.Value.LastSeenMs;
        _idleTimeoutMs = entry.IsTombstone ? 0 : entry.Value.IdleTimeoutMs;
        _wallMs = entry.Timestamp.WallMs;
        _node = entry.Timestamp.Node;
        _logical = entry.Timestamp.Logical;
    }

    public bool IsTombstone => _backend is null;

    public long WallMs => _wallMs;

    public long LastSeenMs => _lastSeenMs;

    public long ExpiresAtMs => _lastSeenMs + _idleTimeoutMs;

    /// <summary>The entry as the CRDT sees it (tombstones carry the default value, as in <see cref="LwwMap{T}"/>).</summary>
    public LwwEntry<SessionValue> ToEntry() =>
        new(_backend is null ? default : new SessionValue(_backend, _lastSeenMs, _idleTimeoutMs), new Hlc(_wallMs, _logical, _node), _backend is null);
}
