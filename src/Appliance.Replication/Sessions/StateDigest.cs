
namespace Appliance.Replication.Sessions;

/// <summary>
/// 64-bit FNV-style hashes of session shards, equal for equal states on every node: a sum of
/// per-entry hashes. Not cryptographic: the transport (Akka.Remote over mutual TLS) authenticates.
/// </summary>
internal static class StateDigest
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>
    /// How session shards are hashed, sent with every digest: 2 is the sum of <see cref="Entry"/>
    /// over a shard's entries (kept up to date as entries change). A digest of another scheme is
    /// not compared (its hashes never agree with ours).
    /// </summary>
    public const int SessionScheme = 2;

    /// <summary>
    /// Hash of one session entry, to be summed over a shard: the sum does not depend on the order,
    /// so it can be kept up to date as entries change. Replicas sweep to the same horizons before
    /// hashing and leave out writes after the digest's cut (their deltas may still be in flight).
    /// </summary>
    public static ulong Entry(string key, in LwwEntry<SessionValue> entry)
    {
        var hash = Mix(Offset, key);
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

        // A last full avalanche: a sum of hashes is only as good as each hash's high bits.
        hash ^= hash >> 33;
        hash = unchecked(hash * 0xFF51AFD7ED558CCDUL);
        return hash ^ (hash >> 33);
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
