namespace Appliance.Replication.Sessions;

/// <summary>One key of an <see cref="LwwMap{T}"/>: a value or a tombstone, stamped with the write's clock.</summary>
internal readonly record struct LwwEntry<T>(T? Value, Hlc Timestamp, bool IsTombstone)
    where T : IComparable<T>
{
    /// <summary>
    /// The winner of two writes to one key: the later clock; on an identical clock (a replayed or
    /// forged write) a tombstone, then the larger value, so every replica picks the same one.
    /// </summary>
    public LwwEntry<T> Join(LwwEntry<T> other)
    {
        var byTime = Timestamp.CompareTo(other.Timestamp);
        if (byTime != 0)
        {
            return byTime > 0 ? this : other;
        }

        if (IsTombstone != other.IsTombstone)
        {
            return IsTombstone ? this : other;
        }

        if (Value is null || other.Value is null)
        {
            return Value is null ? this : other;
        }

        return Value.CompareTo(other.Value) >= 0 ? this : other;
    }
}
