using Appliance.Core.Membership;

namespace Appliance.Replication.Sync;

/// <summary>
/// This node's start-up sync, kept outside the actors: a new incarnation of the ActorSystem does
/// not make a node that already holds the cluster's state unready again (its table lives on, and
/// digests repair what it missed while it was out).
/// </summary>
public sealed class SyncState : IStateSyncStatus
{
    private int _status;
    private long _startedMs = -1;
    private long _syncDurationMs = -1;
    private long _syncTransferMs = -1;

    /// <summary>Where the sync is now (a gauge).</summary>
    public SyncStatus Status => (SyncStatus)Volatile.Read(ref _status);

    /// <summary>True once this node held the cluster's state at least once; it stays true for the process.</summary>
    public bool EverSynced => Status.IsDone();

    public bool IsStateSynced => EverSynced;

    /// <summary>Milliseconds from the first start until the sync finished; -1 while it has not.</summary>
    public long SyncDurationMs => Interlocked.Read(ref _syncDurationMs);

    /// <summary>Milliseconds from the last full-state request to its last chunk; -1 unless synced from a peer.</summary>
    public long SyncTransferMs => Interlocked.Read(ref _syncTransferMs);

    /// <summary>Wall ms of the first start (the bound on the wait counts from it); set once.</summary>
    internal long StartedMs(long nowMs)
    {
        Interlocked.CompareExchange(ref _startedMs, nowMs, -1);
        return Interlocked.Read(ref _startedMs);
    }

    internal void Set(SyncStatus status, long nowMs)
    {
        if (EverSynced)
        {
            return; // done is done: a later incarnation neither waits nor pulls again
        }

        Volatile.Write(ref _status, (int)status);
        if (status.IsDone())
        {
            Interlocked.CompareExchange(ref _syncDurationMs, nowMs - Interlocked.Read(ref _startedMs), -1);
        }
    }

    internal void Transferred(long ms) => Interlocked.Exchange(ref _syncTransferMs, ms);
}
