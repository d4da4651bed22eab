namespace Appliance.Cluster.Replication;

/// <summary>
/// Which shard a key belongs to. Must give the same answer on every node and every run, so it is
/// FNV-1a over the key's UTF-16 code units, not <see cref="string.GetHashCode()"/> (randomised per process).
/// </summary>
internal static class KeyShard
{
    public static int Of(string key, int shardCount)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % (uint)shardCount);
    }
}
