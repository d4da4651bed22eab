namespace Appliance.Replication.Sessions;

/// <summary>
/// Which shard a key belongs to. Must give the same answer on every node and every run, so it is
/// FNV-1a over the key's UTF-16 code units, not <see cref="string.GetHashCode()"/> (randomised per process),
/// followed by murmur3's finaliser: FNV's low bits alone mix poorly, and keys that differ only in
/// a few hex digits would crowd into a few shards (and be evicted there long before the table is full).
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

        hash ^= hash >> 16;
        hash = unchecked(hash * 0x85EBCA6Bu);
        hash ^= hash >> 13;
        hash = unchecked(hash * 0xC2B2AE35u);
        hash ^= hash >> 16;
        return (int)(hash % (uint)shardCount);
    }
}
