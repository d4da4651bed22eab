using System.Collections.Immutable;

namespace Appliance.Cluster.Replication.Crdt;

/// <summary>Grow-only counter: one monotonic entry per node uid; the value is their sum.</summary>
internal sealed class GCounter : IDeltaCrdt<GCounter>, IEquatable<GCounter>
{
    public static readonly GCounter Empty = new(ImmutableSortedDictionary<ulong, ulong>.Empty);

    private GCounter(ImmutableSortedDictionary<ulong, ulong> entries) => Entries = entries;

    public ImmutableSortedDictionary<ulong, ulong> Entries { get; }

    public ulong Value => Entries.Values.Aggregate(0UL, static (sum, v) => unchecked(sum + v));

    /// <summary>Adds <paramref name="amount"/> to <paramref name="node"/>'s entry; the delta is that entry alone.</summary>
    public (GCounter State, GCounter Delta) Increment(ulong node, ulong amount)
    {
        var next = Entries.GetValueOrDefault(node) + amount;
        return (new GCounter(Entries.SetItem(node, next)), new GCounter(ImmutableSortedDictionary<ulong, ulong>.Empty.Add(node, next)));
    }

    public GCounter Merge(GCounter other)
    {
        var merged = Entries;
        foreach (var (node, value) in other.Entries)
        {
            // A zero entry is still an entry: states must be equal, not just their values.
            if (!merged.TryGetValue(node, out var mine) || value > mine)
            {
                merged = merged.SetItem(node, value);
            }
        }

        return ReferenceEquals(merged, Entries) ? this : new GCounter(merged);
    }

    public bool Equals(GCounter? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override bool Equals(object? obj) => Equals(obj as GCounter);

    public override int GetHashCode() => Entries.Count;

    public override string ToString() => string.Join(",", Entries.Select(e => $"{e.Key:x}:{e.Value}"));
}
