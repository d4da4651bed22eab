namespace Appliance.Replication.Sessions;

/// <summary>
/// The few distinct (backend, idle timeout, writer node) triples of one <see cref="SessionShard"/>,
/// each stored once and named by a small index in every <see cref="SessionSlot"/> that uses it: a
/// million sessions pinned to a handful of backends by a handful of nodes would otherwise carry
/// the same 24 bytes a million times. Reference-counted, so a triple no slot uses any more is
/// forgotten and its index reused: the table never holds more triples than the shard has slots.
/// Not thread-safe: used under the shard's lock. A null backend is a tombstone.
/// </summary>
internal sealed class SlotProfiles
{
    private readonly Dictionary<SlotProfile, int> _index = [];
    private readonly Stack<int> _free = new();
    private SlotProfile[] _profiles = new SlotProfile[4];
    private int[] _uses = new int[4];
    private int _next;

    // Up to this many indexes in use, a lookup is a scan (no hashing of the backend name per join).
    private const int ScanUpTo = 8;

    /// <summary>Distinct triples in use.</summary>
    public int Count => _index.Count;

    public SlotProfile this[int id] => _profiles[id];

    /// <summary>The index of a triple, one more use of it.</summary>
    public int Acquire(in SlotProfile profile)
    {
        if (!Find(profile, out var id))
        {
            id = _free.Count > 0 ? _free.Pop() : _next++;
            if (id == _profiles.Length)
            {
                Array.Resize(ref _profiles, id * 2);
                Array.Resize(ref _uses, id * 2);
            }

            _profiles[id] = profile;
            _index.Add(profile, id);
        }

        _uses[id]++;
        return id;
    }

    /// <summary>One use fewer; the last use forgets the triple.</summary>
    public void Release(int id)
    {
        if (--_uses[id] == 0)
        {
            _index.Remove(_profiles[id]);
            _profiles[id] = default; // drop the backend string's reference
            _free.Push(id);
        }
    }

    private bool Find(in SlotProfile profile, out int id)
    {
        if (_next > ScanUpTo)
        {
            return _index.TryGetValue(profile, out id);
        }

        // Backend names arrive shared (one string per name), so the string compare is mostly a reference check.
        for (id = 0; id < _next; id++)
        {
            if (_uses[id] > 0 && _profiles[id] == profile)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What many sessions of a shard share: the backend (null for a tombstone), the idle timeout, the writer's node.</summary>
internal readonly record struct SlotProfile(string? Backend, long IdleTimeoutMs, ulong Node);
