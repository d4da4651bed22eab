using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication;

/// <summary>One key shard of the session table: its state and the local deltas not yet sent, under one lock.</summary>
internal sealed class SessionShard
{
    // Local writes between two drains, joined per key. Mutable: a persistent map here cost a
    // second path copy on every write, and the replicator drains it every 5 ms anyway.
    private readonly Dictionary<string, LwwEntry<SessionValue>> _pending = new(StringComparer.Ordinal);

    public Lock Lock { get; } = new();

    /// <summary>Replaced whole under <see cref="Lock"/>; read without it as an immutable snapshot.</summary>
    public LwwMap<SessionValue> State { get; set; } = LwwMap<SessionValue>.Empty;

    /// <summary>Applies a local write: the state moves on and the delta is queued for peers. Under <see cref="Lock"/>.</summary>
    public void Write((LwwMap<SessionValue> State, LwwMap<SessionValue> Delta) change)
    {
        State = change.State;
        foreach (var (key, entry) in change.Delta.Entries)
        {
            _pending[key] = _pending.TryGetValue(key, out var queued) ? queued.Join(entry) : entry;
        }
    }

    /// <summary>The joined local deltas since the last call, or null when none. Under <see cref="Lock"/>.</summary>
    public LwwMap<SessionValue>? DrainPending()
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        var delta = LwwMap<SessionValue>.FromPairs(_pending);
        _pending.Clear();
        return delta;
    }
}
