namespace Appliance.Replication.Sync;

/// <summary>Where a node is in pulling the cluster's replicated state at start.</summary>
public enum SyncStatus
{
    /// <summary>Not a member yet: membership is still looking for the cluster.</summary>
    Waiting = 0,

    /// <summary>Asked a peer for its full state; chunks are coming (or a retry with another peer is due).</summary>
    Pulling = 1,

    /// <summary>A peer's full state arrived and was joined.</summary>
    Synced = 2,

    /// <summary>This node formed the cluster (no peer): there is nothing to pull.</summary>
    Alone = 3,

    /// <summary>No full state within the upper bound: the node serves with what it has (logged as a warning).</summary>
    GaveUp = 4,
}

/// <summary>Text for logs, metrics and the admin API.</summary>
public static class SyncStatusText
{
    public static string ToText(this SyncStatus status) => status switch
    {
        SyncStatus.Waiting => "waiting",
        SyncStatus.Pulling => "pulling",
        SyncStatus.Synced => "synced",
        SyncStatus.Alone => "alone",
        SyncStatus.GaveUp => "gave-up",
        _ => "unknown",
    };

    /// <summary>Whether the node may report ready and hold VIPs.</summary>
    public static bool IsDone(this SyncStatus status) => status is SyncStatus.Synced or SyncStatus.Alone or SyncStatus.GaveUp;
}
