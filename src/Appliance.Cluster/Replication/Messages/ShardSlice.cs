using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication.Messages;

/// <summary>
/// Some or all entries of one session shard, distinct keys in any order: a delta, or a chunk of a
/// shard's full state. A flat list, not a map: every receiver joins the entries one by one into
/// its own table, and building a sorted map per message cost the full sync most of its time.
/// </summary>
internal sealed record ShardSlice(int Shard, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>> Entries)
{
    /// <summary>The entries of <paramref name="map"/>, in its (sorted) order.</summary>
    public ShardSlice(int shard, LwwMap<SessionValue> map)
        : this(shard, [.. map.Entries])
    {
    }
}
