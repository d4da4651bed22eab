using System.Collections.Immutable;

namespace Appliance.Replication.Sessions;

/// <summary>
/// Map of last-writer-wins registers with tombstones, ordered by the hybrid logical clock: the
/// join is per key, so a delta is just the keys it touched and survives loss, duplication and
/// reordering. Chosen over an observed-remove map for the session table (docs/cluster.md explains
/// why). Tombstones are kept until <see cref="PruneTombstones"/> drops those older than a grace.
/// The session table itself keeps its shards in flat tables (<see cref="SessionShard"/>) that join
/// exactly like this map; this one is their reference in tests and the type of small states.
/// </summary>
internal sealed class LwwMap<T> : IDeltaCrdt<LwwMap<T>>, IEquatable<LwwMap<T>>
    where T : IComparable<T>
{
    private static readonly ImmutableSortedDictionary<string, LwwEntry<T>> NoEntries =
        ImmutableSortedDictionary.Create<string, LwwEntry<T>>(StringComparer.Ordinal);

    private LwwMap(ImmutableSortedDictionary<string, LwwEntry<T>> entries, int liveCount)
    {
        Entries = entries;
        LiveCount = liveCount;
    }

    /// <summary>An empty map (a property, not a static field, because the type is generic).</summary>
    public static LwwMap<T> Empty { get; } = new(NoEntries, 0);

    /// <summary>A map of these pairs (distinct keys), built in one mutable builder.</summary>
    public static LwwMap<T> FromPairs(IEnumerable<KeyValuePair<string, LwwEntry<T>>> pairs)
    {
        var builder = NoEntries.ToBuilder();
        var live = 0;
        foreach (var (key, entry) in pairs)
        {
            builder.Add(key, entry);
            live += Live(entry);
        }

        return new LwwMap<T>(builder.ToImmutable(), live);
    }

    /// <summary>Every key, tombstones included.</summary>
    public ImmutableSortedDictionary<string, LwwEntry<T>> Entries { get; }

    /// <summary>Keys holding a value.</summary>
    public int LiveCount { get; }

    public bool TryGetValue(string key, out T value)
    {
        if (Entries.TryGetValue(key, out var entry) && !entry.IsTombstone && entry.Value is not null)
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> at <paramref name="timestamp"/>.</summary>
    public (LwwMap<T> State, LwwMap<T> Delta) Put(string key, T value, Hlc timestamp) =>
        Apply(key, new LwwEntry<T>(value, timestamp, IsTombstone: false));

    /// <summary>Removes <paramref name="key"/> by writing a tombstone at <paramref name="timestamp"/>.</summary>
    public (LwwMap<T> State, LwwMap<T> Delta) Remove(string key, Hlc timestamp) =>
        Apply(key, new LwwEntry<T>(default, timestamp, IsTombstone: true));

    public LwwMap<T> Merge(LwwMap<T> other)
    {
        if (other.Entries.Count > Entries.Count)
        {
            return other.Merge(this);
        }

        var builder = Entries.ToBuilder();
        var live = LiveCount;
        foreach (var (key, entry) in other.Entries)
        {
            if (builder.TryGetValue(key, out var mine))
            {
                var joined = mine.Join(entry);
                live += Live(joined) - Live(mine);
                builder[key] = joined;
            }
            else
            {
                live += Live(entry);
                builder[key] = entry;
            }
        }

        return new LwwMap<T>(builder.ToImmutable(), live);
    }

    /// <summary>
    /// Drops tombstones stamped before <paramref name="horizon"/>. Not a lattice operation: a write
    /// older than the horizon that arrives later would come back, so the grace must exceed the
    /// longest a delta can stay in flight (anti-entropy repairs far sooner).
    /// </summary>
    public LwwMap<T> PruneTombstones(Hlc horizon)
    {
        var builder = Entries.ToBuilder();
        foreach (var (key, entry) in Entries)
        {
            if (entry.IsTombstone && entry.Timestamp < horizon)
            {
                builder.Remove(key);
            }
        }

        return builder.Count == Entries.Count ? this : new LwwMap<T>(builder.ToImmutable(), LiveCount);
    }

    public bool Equals(LwwMap<T>? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override bool Equals(object? obj) => Equals(obj as LwwMap<T>);

    public override int GetHashCode() => Entries.Count;

    private (LwwMap<T> State, LwwMap<T> Delta) Apply(string key, LwwEntry<T> write)
    {
        var delta = new LwwMap<T>(NoEntries.Add(key, write), Live(write));
        var had = Entries.TryGetValue(key, out var mine);
        var joined = had ? mine.Join(write) : write;
        var live = LiveCount + Live(joined) - (had ? Live(mine) : 0);
        return (new LwwMap<T>(Entries.SetItem(key, joined), live), delta);
    }

    /// <summary>
    /// Drops <paramref name="key"/> here only, without a tombstone: for entries every replica
    /// drops by itself (expired sessions), so nothing has to be replicated.
    /// </summary>
    public LwwMap<T> Forget(string key) =>
        Entries.TryGetValue(key, out var entry) ? new LwwMap<T>(Entries.Remove(key), LiveCount - Live(entry)) : this;

    private static int Live(LwwEntry<T> entry) => entry.IsTombstone ? 0 : 1;
}
