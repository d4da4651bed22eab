using System.Collections.Immutable;

namespace Appliance.Cluster.Replication.Crdt;

/// <summary>
/// Per-node gauges (in-flight connections per backend): each node writes only its own entries, so
/// a per-entry version settles every merge. <see cref="DropNode"/> forgets a dead incarnation for
/// good: the set of dropped uids is grow-only and joins by union, so a late delta from the dead
/// node cannot bring its gauges back. Unlike Akka's pruning nothing is folded into a survivor: a
/// crashed node's connections are gone, and so must its counts be.
/// </summary>
internal sealed class GaugeMap : IDeltaCrdt<GaugeMap>, IEquatable<GaugeMap>
{
    public static readonly GaugeMap Empty = new(
        ImmutableSortedDictionary<ulong, ImmutableSortedDictionary<string, Gauge>>.Empty,
        ImmutableSortedSet<ulong>.Empty);

    private static readonly ImmutableSortedDictionary<string, Gauge> NoGauges =
        ImmutableSortedDictionary.Create<string, Gauge>(StringComparer.Ordinal);

    private GaugeMap(ImmutableSortedDictionary<ulong, ImmutableSortedDictionary<string, Gauge>> nodes, ImmutableSortedSet<ulong> dropped)
    {
        Nodes = nodes;
        Dropped = dropped;
    }

    /// <summary>A map as received from a peer; gauges of dropped nodes are left out.</summary>
    public static GaugeMap Create(
        ImmutableSortedDictionary<ulong, ImmutableSortedDictionary<string, Gauge>> nodes,
        ImmutableSortedSet<ulong> dropped) =>
        new(nodes.RemoveRange(dropped), dropped);

    /// <summary>Gauges by owner uid, then by backend key.</summary>
    public ImmutableSortedDictionary<ulong, ImmutableSortedDictionary<string, Gauge>> Nodes { get; }

    /// <summary>Incarnations whose gauges were dropped and stay dropped.</summary>
    public ImmutableSortedSet<ulong> Dropped { get; }

    /// <summary>The owner's own gauge, 0 when it never wrote one.</summary>
    public long Get(ulong node, string backend) =>
        Nodes.TryGetValue(node, out var gauges) && gauges.TryGetValue(backend, out var gauge) ? gauge.Value : 0;

    /// <summary>Sum over every node (or those <paramref name="include"/> accepts) of its gauge for <paramref name="backend"/>.</summary>
    public long Sum(string backend, Func<ulong, bool>? include = null)
    {
        long sum = 0;
        foreach (var (node, gauges) in Nodes)
        {
            if ((include is null || include(node)) && gauges.TryGetValue(backend, out var gauge))
            {
                sum += gauge.Value;
            }
        }

        return sum;
    }

    /// <summary>The owner <paramref name="node"/> sets its gauge for <paramref name="backend"/>; only the owner may call this.</summary>
    public (GaugeMap State, GaugeMap Delta) Set(ulong node, string backend, long value)
    {
        if (Dropped.Contains(node))
        {
            return (this, Empty);
        }

        var gauges = Nodes.GetValueOrDefault(node, NoGauges);
        var gauge = new Gauge(value, gauges.GetValueOrDefault(backend).Version + 1);
        var state = new GaugeMap(Nodes.SetItem(node, gauges.SetItem(backend, gauge)), Dropped);
        var delta = new GaugeMap(Empty.Nodes.Add(node, NoGauges.Add(backend, gauge)), Empty.Dropped);
        return (state, delta);
    }

    /// <summary>Forgets every gauge of <paramref name="node"/>, here and, through the delta, everywhere.</summary>
    public (GaugeMap State, GaugeMap Delta) DropNode(ulong node) =>
        (new GaugeMap(Nodes.Remove(node), Dropped.Add(node)), new GaugeMap(Empty.Nodes, Empty.Dropped.Add(node)));

    public GaugeMap Merge(GaugeMap other)
    {
        var dropped = Dropped.Union(other.Dropped);
        var nodes = Nodes.ToBuilder();
        foreach (var node in dropped)
        {
            nodes.Remove(node);
        }

        foreach (var (node, theirs) in other.Nodes)
        {
            if (dropped.Contains(node))
            {
                continue;
            }

            if (!nodes.TryGetValue(node, out var mine))
            {
                nodes[node] = theirs;
                continue;
            }

            var merged = mine.ToBuilder();
            foreach (var (backend, gauge) in theirs)
            {
                merged[backend] = merged.TryGetValue(backend, out var own) ? own.Join(gauge) : gauge;
            }

            nodes[node] = merged.ToImmutable();
        }

        return new GaugeMap(nodes.ToImmutable(), dropped);
    }

    public bool Equals(GaugeMap? other) =>
        other is not null
        && Dropped.SequenceEqual(other.Dropped)
        && Nodes.Count == other.Nodes.Count
        && Nodes.Zip(other.Nodes).All(p => p.First.Key == p.Second.Key && p.First.Value.SequenceEqual(p.Second.Value));

    public override bool Equals(object? obj) => Equals(obj as GaugeMap);

    public override int GetHashCode() => HashCode.Combine(Nodes.Count, Dropped.Count);
}
