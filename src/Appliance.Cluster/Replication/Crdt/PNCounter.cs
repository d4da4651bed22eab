namespace Appliance.Cluster.Replication.Crdt;

/// <summary>Counter that moves both ways: a grow-only counter of increments and one of decrements.</summary>
internal sealed class PNCounter : IDeltaCrdt<PNCounter>, IEquatable<PNCounter>
{
    public static readonly PNCounter Empty = new(GCounter.Empty, GCounter.Empty);

    private PNCounter(GCounter increments, GCounter decrements)
    {
        Increments = increments;
        Decrements = decrements;
    }

    public GCounter Increments { get; }

    public GCounter Decrements { get; }

    public long Value => unchecked((long)Increments.Value - (long)Decrements.Value);

    /// <summary>Moves <paramref name="node"/>'s share by <paramref name="amount"/> (either sign).</summary>
    public (PNCounter State, PNCounter Delta) Add(ulong node, long amount)
    {
        if (amount >= 0)
        {
            var (state, delta) = Increments.Increment(node, (ulong)amount);
            return (new PNCounter(state, Decrements), new PNCounter(delta, GCounter.Empty));
        }

        var (down, downDelta) = Decrements.Increment(node, unchecked((ulong)-amount));
        return (new PNCounter(Increments, down), new PNCounter(GCounter.Empty, downDelta));
    }

    public PNCounter Merge(PNCounter other) =>
        new(Increments.Merge(other.Increments), Decrements.Merge(other.Decrements));

    public bool Equals(PNCounter? other) =>
        other is not null && Increments.Equals(other.Increments) && Decrements.Equals(other.Decrements);

    public override bool Equals(object? obj) => Equals(obj as PNCounter);

    public override int GetHashCode() => HashCode.Combine(Increments.GetHashCode(), Decrements.GetHashCode());

    public override string ToString() => $"+({Increments}) -({Decrements})";
}
