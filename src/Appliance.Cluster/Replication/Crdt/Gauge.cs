namespace Appliance.Cluster.Replication.Crdt;

/// <summary>One node's gauge for one backend; <see cref="Version"/> grows with every write by its owner.</summary>
internal readonly record struct Gauge(long Value, ulong Version)
{
    /// <summary>The later write; a tie (the same version written twice differently) takes the larger value.</summary>
    public Gauge Join(Gauge other) =>
        Version != other.Version
            ? (Version > other.Version ? this : other)
            : (Value >= other.Value ? this : other);
}
