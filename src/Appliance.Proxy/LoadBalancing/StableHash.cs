using System.Text;

namespace Appliance.Proxy.LoadBalancing;

/// <summary>
/// A hash that is the same in every process and on every node (unlike <see cref="HashCode"/>, which
/// is seeded per process): all nodes of a cluster must send one key to the same backend.
/// FNV-1a over UTF-8, then MurmurHash3's 64-bit finaliser to spread the bits.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public static ulong Of(string text) => Of(text.AsSpan());

    public static ulong Of(ReadOnlySpan<char> text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var hash = FnvOffset;
        while (!text.IsEmpty)
        {
            var take = text.Length <= 64 ? text.Length : char.IsHighSurrogate(text[63]) ? 63 : 64; // <= 64 chars never exceed 256 UTF-8 bytes; never split a surrogate pair
            var written = Encoding.UTF8.GetBytes(text[..take], buffer);
            hash = Mix(hash, buffer[..written]);
            text = text[take..];
        }

        return Finalise(hash);
    }

    public static ulong Of(ReadOnlySpan<byte> bytes) => Finalise(Mix(FnvOffset, bytes));

    public static ulong Finalise(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    private static ulong Mix(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return hash;
    }
}
