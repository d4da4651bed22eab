namespace Appliance.Cluster.Replication.Crdt;

/// <summary>
/// Last-writer-wins register on the hybrid logical clock. Two distinct writes never share a
/// timestamp (the writer's uid is part of it), so the value comparison only settles a replay of the
/// same timestamp with different content, which a correct writer never produces.
/// </summary>
internal sealed class LwwRegister<T> : IDeltaCrdt<LwwRegister<T>>, IEquatable<LwwRegister<T>>
{
    public LwwRegister(T value, Hlc timestamp)
    {
        Value = value;
        Timestamp = timestamp;
    }

    public T Value { get; }

    public Hlc Timestamp { get; }

    /// <summary>Writes <paramref name="value"/> at <paramref name="timestamp"/>; the delta is the whole (small) register.</summary>
    public (LwwRegister<T> State, LwwRegister<T> Delta) Set(T value, Hlc timestamp)
    {
        var next = new LwwRegister<T>(value, timestamp);
        var state = Merge(next);
        return (state, next);
    }

    public LwwRegister<T> Merge(LwwRegister<T> other)
    {
        var byTime = Timestamp.CompareTo(other.Timestamp);
        if (byTime != 0)
        {
            return byTime > 0 ? this : other;
        }

        return Comparer<T>.Default.Compare(Value, other.Value) >= 0 ? this : other;
    }

    public bool Equals(LwwRegister<T>? other) =>
        other is not null && Timestamp == other.Timestamp && EqualityComparer<T>.Default.Equals(Value, other.Value);

    public override bool Equals(object? obj) => Equals(obj as LwwRegister<T>);

    public override int GetHashCode() => HashCode.Combine(Timestamp, Value);

    public override string ToString() => $"{Value}@{Timestamp}";
}
