using System.Collections.Immutable;

namespace Appliance.Cluster.Membership;

/// <summary>How two versions relate.</summary>
public enum VersionOrder
{
    Same,
    Before,
    After,
    Concurrent,
}

/// <summary>
/// A version vector keyed by incarnation uid: each node increments only its own entry when it
/// changes the gossip. Immutable.
/// </summary>
public sealed class VectorClock
{
    public static readonly VectorClock Empty = new(ImmutableSortedDictionary<ulong, long>.Empty);

    public VectorClock(ImmutableSortedDictionary<ulong, long> versions) => Versions = versions;

    public ImmutableSortedDictionary<ulong, long> Versions { get; }

    public VectorClock Increment(ulong node) =>
        new(Versions.SetItem(node, Versions.GetValueOrDefault(node) + 1));

    public VectorClock Merge(VectorClock other)
    {
        var merged = Versions;
        foreach (var (node, version) in other.Versions)
        {
            if (version > merged.GetValueOrDefault(node))
            {
                merged = merged.SetItem(node, version);
            }
        }

        return new VectorClock(merged);
    }

    /// <summary>Drops a removed incarnation's entry so the vector does not grow forever.</summary>
    public VectorClock Prune(ulong node) => new(Versions.Remove(node));

    public VersionOrder CompareTo(VectorClock other)
    {
        bool anyBigger = false, anySmaller = false;
        foreach (var node in Versions.Keys.Union(other.Versions.Keys))
        {
            var mine = Versions.GetValueOrDefault(node);
            var theirs = other.Versions.GetValueOrDefault(node);
            anyBigger |= mine > theirs;
            anySmaller |= mine < theirs;
        }

        return (anyBigger, anySmaller) switch
        {
            (false, false) => VersionOrder.Same,
            (true, false) => VersionOrder.After,
            (false, true) => VersionOrder.Before,
            _ => VersionOrder.Concurrent,
        };
    }

    public override string ToString() => string.Join(",", Versions.Select(v => $"{v.Key:x4}:{v.Value}"));
}
