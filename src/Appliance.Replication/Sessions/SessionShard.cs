using System.Runtime.InteropServices;

namespace Appliance.Replication.Sessions;

/// <summary>
/// One key shard of the session table, mutated in place under <see cref="Lock"/>: a hash table of
/// compact <see cref="SessionSlot"/>s joined per key exactly as <see cref="LwwMap{T}"/> joins (the
/// reference the tests compare it with), the local deltas not yet sent, and an incremental digest.
/// It replaced a persistent sorted tree per shard, which cost 165-245 bytes of heap a session and
/// a walk of the whole table for every digest and sweep. Slots name what many sessions share
/// (backend, idle timeout, writer node) by an index into <see cref="SlotProfiles"/>, and a big
/// table grows by a quarter or so instead of doubling, so a million sessions do not sit in half-empty arrays.
/// </summary>
internal sealed class SessionShard
{
    private const int ShrinkAbove = 1_024;

    // Below this a table doubles as usual (few, cheap resizes); above it, see MakeRoom.
    private const int GrowGentlyAbove = 1_024;

    private readonly Dictionary<string, SessionSlot> _slots = new(StringComparer.Ordinal);
    private readonly SlotProfiles _profiles = new();

    // Local writes between two drains, joined per key; the replicator drains it every 5 ms.
    private Dictionary<string, LwwEntry<SessionValue>> _pending = new(StringComparer.Ordinal);

    // Every write whose clock is at or after _recentFloorMs, so a digest can leave out the writes
    // after its cut without walking the table (invariant: each slot stamped at or after the floor
    // has a record; stale records are harmless).
    private readonly List<(string Key, long WallMs)> _recent = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private long _recentFloorMs = long.MinValue;

    // Sum of StateDigest.Entry over every slot, kept up to date by every change.
    private ulong _sum;

    public Lock Lock { get; } = new();

    /// <summary>Keys holding a value (expired ones too, until swept).</summary>
    public int LiveCount { get; private set; }

    /// <summary>Keys, tombstones included.</summary>
    public int Count => _slots.Count;

    /// <summary>Room in the table before it must grow (tests: the growth policy).</summary>
    public int Capacity => _slots.Capacity;

    /// <summary>Distinct (backend, idle timeout, node) triples the slots refer to.</summary>
    public int ProfileCount => _profiles.Count;

    /// <summary>Sessions expiring before this are gone and stay gone (joins drop them on arrival).</summary>
    public long SweptHorizonMs { get; private set; } = long.MinValue;

    /// <summary>Tombstones stamped before this are gone and stay gone.</summary>
    public long SweptTombstoneHorizonMs { get; private set; } = long.MinValue;

    public bool TryGet(string key, out LwwEntry<SessionValue> entry)
    {
        if (_slots.TryGetValue(key, out var slot))
        {
            entry = EntryOf(slot);
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>A local write: joined into the state and queued for peers.</summary>
    public void Write(string key, LwwEntry<SessionValue> write)
    {
        Join(key, write);
        ref var queued = ref CollectionsMarshal.GetValueRefOrAddDefault(_pending, key, out var exists);
        queued = exists ? queued.Join(write) : write;
    }

    /// <summary>
    /// Joins one entry (the LWW join of <see cref="LwwEntry{T}.Join"/>); an outcome that a sweep at
    /// this shard's horizons would drop is dropped at once, so replicas that swept agree. True when
    /// the state changed.
    /// </summary>
    public bool Join(string key, in LwwEntry<SessionValue> incoming)
    {
        MakeRoom();
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, key, out var exists);
        var joined = incoming;
        var replaced = -1;
        if (exists)
        {
            var current = EntryOf(slot);
            joined = current.Join(incoming);
            if (joined == current)
            {
                return false;
            }

            Subtract(key, current);
            replaced = slot.Profile; // released after the new one is taken: a shared triple is not forgotten and re-added
        }

        if (SweptAway(joined.IsTombstone, joined.Timestamp.WallMs, joined.Value.ExpiresAtMs))
        {
            _slots.Remove(key);
            ReleaseProfile(replaced);
            return exists;
        }

        slot = Store(joined);
        ReleaseProfile(replaced);
        _sum = unchecked(_sum + StateDigest.Entry(key, joined));
        LiveCount += joined.IsTombstone ? 0 : 1;
        if (joined.Timestamp.WallMs >= _recentFloorMs)
        {
            _recent.Add((key, joined.Timestamp.WallMs));
        }

        return true;
    }

    /// <summary>Drops a key here only, without a tombstone (see <see cref="LwwMap{T}.Forget"/>).</summary>
    public void Forget(string key)
    {
        if (_slots.Remove(key, out var slot))
        {
            Subtract(key, EntryOf(slot));
            _profiles.Release(slot.Profile);
        }
    }

    /// <summary>
    /// Forgets sessions expiring before <paramref name="horizonMs"/> and tombstones stamped before
    /// <paramref name="tombstoneHorizonMs"/>; a walk of the shard only when a horizon moved.
    /// Returns how many sessions were forgotten.
    /// </summary>
    public int Sweep(long horizonMs, long tombstoneHorizonMs)
    {
        if (horizonMs <= SweptHorizonMs && tombstoneHorizonMs <= SweptTombstoneHorizonMs)
        {
            return 0;
        }

        SweptHorizonMs = Math.Max(SweptHorizonMs, horizonMs);
        SweptTombstoneHorizonMs = Math.Max(SweptTombstoneHorizonMs, tombstoneHorizonMs);
        var expired = 0;
        foreach (var (key, slot) in _slots)
        {
            var profile = _profiles[slot.Profile];
            var isTombstone = profile.Backend is null;
            if (SweptAway(isTombstone, slot.WallMs, slot.LastSeenMs + profile.IdleTimeoutMs))
            {
                expired += isTombstone ? 0 : 1;
                Forget(key); // removing while enumerating a Dictionary is allowed
            }
        }

        return expired;
    }

    /// <summary>Stops recording writes stamped before <paramref name="floorMs"/>; digests cut earlier walk the shard.</summary>
    public void ForgetRecentBefore(long floorMs)
    {
        if (floorMs > _recentFloorMs)
        {
            _recentFloorMs = floorMs;
            _recent.RemoveAll(r => r.WallMs < floorMs);
            if (_recent.Capacity > ShrinkAbove && _recent.Capacity > 4 * _recent.Count)
            {
                _recent.TrimExcess(); // a burst of writes is not kept in memory for good
            }
        }
    }

    /// <summary>
    /// The order-independent digest (sum of <see cref="StateDigest.Entry"/>) of the slots stamped
    /// before <paramref name="writtenBeforeMs"/>: the running sum less the recent writes after the
    /// cut, or a walk when the cut is older than what is recorded. <paramref name="work"/>: entries looked at.
    /// </summary>
    public ulong Digest(long writtenBeforeMs, out int work)
    {
        var sum = 0UL;
        if (writtenBeforeMs < _recentFloorMs)
        {
            work = _slots.Count;
            foreach (var (key, slot) in _slots)
            {
                if (slot.WallMs < writtenBeforeMs)
                {
                    sum = unchecked(sum + StateDigest.Entry(key, EntryOf(slot)));
                }
            }

            return sum;
        }

        work = _recent.Count;
        sum = _sum;
        _seen.Clear();
        foreach (var (key, wallMs) in _recent)
        {
            if (wallMs >= writtenBeforeMs && _slots.TryGetValue(key, out var slot) && slot.WallMs >= writtenBeforeMs && _seen.Add(key))
            {
                sum = unchecked(sum - StateDigest.Entry(key, EntryOf(slot)));
            }
        }

        _seen.Clear();
        return sum;
    }

    /// <summary>The keys of the <paramref name="count"/> least recently used live sessions.</summary>
    public List<string> LeastRecentlyUsed(int count)
    {
        var lastSeen = new long[LiveCount];
        var keys = new string[LiveCount];
        var n = 0;
        foreach (var (key, slot) in _slots)
        {
            if (_profiles[slot.Profile].Backend is not null && n < keys.Length)
            {
                lastSeen[n] = slot.LastSeenMs;
                keys[n++] = key;
            }
        }

        Array.Sort(lastSeen, keys, 0, n);
        return [.. keys.Take(Math.Min(count, n))];
    }

    /// <summary>Every entry, cut into arrays of at most <paramref name="size"/>: a snapshot for a repair or a full sync.</summary>
    public List<KeyValuePair<string, LwwEntry<SessionValue>>[]> Chunks(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var chunks = new List<KeyValuePair<string, LwwEntry<SessionValue>>[]>((_slots.Count + size - 1) / size);
        var chunk = new KeyValuePair<string, LwwEntry<SessionValue>>[Math.Min(size, _slots.Count)];
        var n = 0;
        foreach (var (key, slot) in _slots)
        {
            if (n == chunk.Length)
            {
                chunks.Add(chunk);
                chunk = new KeyValuePair<string, LwwEntry<SessionValue>>[Math.Min(size, _slots.Count - (chunks.Count * size))];
                n = 0;
            }

            chunk[n++] = new(key, EntryOf(slot));
        }

        if (n > 0)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    /// <summary>The state as an <see cref="LwwMap{T}"/> (tests and diagnostics: a sorted copy).</summary>
    public LwwMap<SessionValue> ToMap() => LwwMap<SessionValue>.FromPairs(_slots.Select(s => KeyValuePair.Create(s.Key, EntryOf(s.Value))));

    /// <summary>The joined local writes since the last call, or null when none.</summary>
    public List<KeyValuePair<string, LwwEntry<SessionValue>>>? DrainPending()
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        List<KeyValuePair<string, LwwEntry<SessionValue>>> delta = [.. _pending];
        if (_pending.Count > ShrinkAbove)
        {
            _pending = new(StringComparer.Ordinal); // Clear keeps the capacity of a burst for good
        }
        else
        {
            _pending.Clear();
        }

        return delta;
    }

    /// <summary>
    /// Dictionary doubles a full table, which leaves a big shard half empty right after; above
    /// <see cref="GrowGentlyAbove"/> it asks for a quarter more instead, which Dictionary rounds up
    /// to a prime of its size table (1.25-1.5x). Not less: every resize leaves the old arrays as
    /// large-object garbage that the server GC keeps resident for a while, and asking for an eighth
    /// more measured 316-320 MB for a million sessions against 270-276 MB (doubling: 278-287 MB).
    /// </summary>
    private void MakeRoom()
    {
        var count = _slots.Count;
        if (count >= GrowGentlyAbove && count == _slots.Capacity)
        {
            _slots.EnsureCapacity(count + (count / 4));
        }
    }

    /// <summary>The slot for an entry: its shared part interned (tombstones keep only the clock, as in <see cref="LwwMap{T}"/>).</summary>
    private SessionSlot Store(in LwwEntry<SessionValue> entry)
    {
        var live = !entry.IsTombstone;
        var profile = _profiles.Acquire(new SlotProfile(live ? entry.Value.Backend : null, live ? entry.Value.IdleTimeoutMs : 0, entry.Timestamp.Node));
        return new SessionSlot(entry.Timestamp.WallMs, entry.Timestamp.Logical, live ? entry.Value.LastSeenMs : 0, profile);
    }

    /// <summary>The entry as the CRDT sees it (tombstones carry the default value, as in <see cref="LwwMap{T}"/>).</summary>
    private LwwEntry<SessionValue> EntryOf(in SessionSlot slot)
    {
        var profile = _profiles[slot.Profile];
        var timestamp = new Hlc(slot.WallMs, slot.Logical, profile.Node);
        return profile.Backend is null
            ? new(default, timestamp, IsTombstone: true)
            : new(new SessionValue(profile.Backend, slot.LastSeenMs, profile.IdleTimeoutMs), timestamp, IsTombstone: false);
    }

    private void ReleaseProfile(int profile)
    {
        if (profile >= 0)
        {
            _profiles.Release(profile);
        }
    }

    private void Subtract(string key, in LwwEntry<SessionValue> entry)
    {
        _sum = unchecked(_sum - StateDigest.Entry(key, entry));
        LiveCount -= entry.IsTombstone ? 0 : 1;
    }

    private bool SweptAway(bool isTombstone, long wallMs, long expiresAtMs) =>
        isTombstone ? wallMs < SweptTombstoneHorizonMs : expiresAtMs < SweptHorizonMs;
}
