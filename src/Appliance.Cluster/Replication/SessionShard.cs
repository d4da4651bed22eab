using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication;

/// <summary>One key shard of the session table: its state and the local deltas not yet sent, under one lock.</summary>
internal sealed class SessionShard
{
    public Lock Lock { get; } = new();

    /// <summary>Replaced whole under <see cref="Lock"/>; read without it as an immutable snapshot.</summary>
    public LwwMap<SessionValue> State { get; set; } = LwwMap<SessionValue>.Empty;

    /// <summary>Joined local deltas since the last drain.</summary>
    public LwwMap<SessionValue>? Pending { get; set; }

    /// <summary>Applies a local write: the state moves on and the delta is queued for peers.</summary>
    public void Write((LwwMap<SessionValue> State, LwwMap<SessionValue> Delta) change)
    {
        State = change.State;
        Pending = Pending is null ? change.Delta : Pending.Merge(change.Delta);
    }
}
