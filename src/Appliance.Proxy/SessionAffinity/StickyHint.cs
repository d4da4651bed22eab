using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Proxy.SessionAffinity;

/// <summary>
/// Names a backend inside a sticky cookie without revealing it: a keyed hash (HMAC-SHA256,
/// truncated to 48 bits) of the cluster id, the destination id and a time slot. Every node of a
/// cluster derives the same secret from the cluster key, so any node reads any node's hint; a lone
/// node uses a random secret of its own. The hint is the fallback for a session the table does not
/// know (its delta still on the wire, or created on a node that crashed before replicating it), so
/// a client keeps its backend even then.
/// <para>
/// Time slots keep the session idle timeout meaningful: a slot is a quarter of the timeout, a hint
/// is accepted in its own slot and the <see cref="SlotsPerTimeout"/> slots after it (and one slot
/// early, for clocks a little apart between nodes), and the response re-issues the cookie when the
/// slot moved on. A client idle for longer than 1 to
/// 1.25 times the timeout has neither a table entry nor a valid hint, and is balanced afresh.
/// </para>
/// A client can replay its hint but cannot learn which backend it names, nor aim at another
/// backend short of guessing 48 bits.
/// </summary>
public sealed class StickyHint
{
    /// <summary>Characters of a hint in the cookie (base64url of 6 bytes).</summary>
    public const int Length = 8;

    /// <summary>Slots per session idle timeout.</summary>
    public const int SlotsPerTimeout = 4;

    private static readonly byte[] Label = "appliance sticky-cookie hint v1"u8.ToArray();
    private readonly byte[] _secret;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), (long Slot, string Hint)> _current = new();

    private StickyHint(byte[] secret) => _secret = secret;

    /// <summary>A secret this process alone knows: hints survive only as long as the process.</summary>
    public static StickyHint Random() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The cluster's shared secret, derived from the cluster key (the key itself never reaches a cookie).</summary>
    public static StickyHint FromClusterKey(ReadOnlySpan<byte> clusterKey) => new(HMACSHA256.HashData(clusterKey, Label));

    /// <summary>The slot <paramref name="now"/> falls in, for sessions with this idle timeout.</summary>
    public static long SlotOf(DateTimeOffset now, TimeSpan idleTimeout) =>
        now.UtcTicks / Math.Max(1, idleTimeout.Ticks / SlotsPerTimeout);

    /// <summary>The hint for a destination of a cluster in a slot.</summary>
    public string Of(string clusterId, string destinationId, long slot)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes($"{clusterId}\n{destinationId}\n{slot}"), hash);
        return Base64Url.EncodeToString(hash[..6]);
    }

    /// <summary><see cref="Of"/> for the slot every response of the moment asks for, computed once per slot.</summary>
    public string Current(string clusterId, string destinationId, long slot)
    {
        if (_current.TryGetValue((clusterId, destinationId), out var cached) && cached.Slot == slot)
        {
            return cached.Hint;
        }

        var hint = Of(clusterId, destinationId, slot);
        _current[(clusterId, destinationId)] = (slot, hint);
        return hint;
    }

    /// <summary>True when <paramref name="hint"/> names this destination in a slot still accepted at <paramref name="currentSlot"/>.</summary>
    public bool Names(string hint, string clusterId, string destinationId, long currentSlot)
    {
        for (var slot = currentSlot + 1; slot >= currentSlot - SlotsPerTimeout; slot--)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Of(clusterId, destinationId, slot)), Encoding.ASCII.GetBytes(hint)))
            {
                return true;
            }
        }

        return false;
    }
}
