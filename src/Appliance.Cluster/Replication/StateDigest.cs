using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Cluster.Replication;

/// <summary>
/// Order-dependent 64-bit FNV-style hashes of replicated states; both are sorted, so equal states
/// hash equally on every node. Not cryptographic: frames are already authenticated.
/// </summary>
internal static class StateDigest
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>
    /// Hash of the entries still alive at <paramref name="horizonMs"/> and written before
    /// <paramref name="writtenBeforeMs"/>: sessions expiring before the horizon and tombstones older
    /// than <paramref name="tombstoneHorizonMs"/> are left out, because replicas sweep them at
    /// different moments; recent writes are left out because their deltas may still be in flight.
    /// </summary>
    public static ulong Of(LwwMap<SessionValue> shard, long horizonMs, long tombstoneHorizonMs, long writtenBeforeMs = long.MaxValue)
    {
        var hash = Offset;
        foreach (var (key, entry) in shard.Entries)
        {
            if (entry.Timestamp.WallMs >= writtenBeforeMs
                || (entry.IsTombstone ? entry.Timestamp.WallMs < tombstoneHorizonMs : entry.Value.ExpiresAtMs < horizonMs))
            {
                continue;
            }

            hash = Mix(hash, key);
            hash = Mix(hash, (ulong)entry.Timestamp.WallMs);
            hash = Mix(hash, (ulong)entry.Timestamp.Logical);
            hash = Mix(hash, entry.Timestamp.Node);
            hash = Mix(hash, entry.IsTombstone ? 1UL : 0UL);
            if (!entry.IsTombstone)
            {
                hash = Mix(hash, entry.Value.Backend);
                hash = Mix(hash, (ulong)entry.Value.LastSeenMs);
                hash = Mix(hash, (ulong)entry.Value.IdleTimeoutMs);
            }
        }

        return hash;
    }

    public static ulong Of(GaugeMap gauges)
    {
        var hash = Offset;
        foreach (var dropped in gauges.Dropped)
        {
            hash = Mix(hash, dropped);
        }

        foreach (var (node, entries) in gauges.Nodes)
        {
            hash = Mix(hash, node);
            foreach (var (backend, gauge) in entries)
            {
                hash = Mix(hash, backend);
                hash = Mix(hash, (ulong)gauge.Value);
                hash = Mix(hash, gauge.Version);
            }
        }

        return hash;
    }

    // A 64-bit value per step (multiply, then fold the high bits down), not a byte per step as in
    // plain FNV-1a: digests hash every entry of the table, and a million sessions made that slow.
    private static ulong Mix(ulong hash, ulong value)
    {
        hash = unchecked((hash ^ value) * Prime);
        return hash ^ (hash >> 29);
    }

    private static ulong Mix(ulong hash, string value)
    {
        var chars = value.AsSpan();
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<char, ulong>(chars);
        foreach (var word in words)
        {
            // Every node must hash alike, whatever its byte order.
            hash = Mix(hash, BitConverter.IsLittleEndian ? word : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(word));
        }

        for (var i = words.Length * 4; i < chars.Length; i++)
        {
            hash = Mix(hash, chars[i]);
        }

        // Length too, so ("ab","c") and ("a","bc") differ.
        return Mix(hash, (ulong)value.Length);
    }
}
