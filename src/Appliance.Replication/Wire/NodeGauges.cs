using System.Collections.Frozen;

namespace Appliance.Replication.Wire;

/// <summary>
/// One node's in-flight counts per backend: the value of that node's entry in the DistributedData
/// gauge map. Immutable; serialized sorted by backend, so equal gauges give equal bytes (DData
/// compares digests of the serialized values).
/// </summary>
public sealed class NodeGauges : IReplicationMessage, IEquatable<NodeGauges>
{
    public static readonly NodeGauges Empty = new(FrozenDictionary<string, long>.Empty);

    public NodeGauges(IReadOnlyDictionary<string, long> gauges) =>
        Gauges = gauges as FrozenDictionary<string, long> ?? gauges.ToFrozenDictionary(StringComparer.Ordinal);

    public FrozenDictionary<string, long> Gauges { get; }

    public bool Equals(NodeGauges? other) =>
        other is not null && other.Gauges.Count == Gauges.Count && Gauges.All(g => other.Gauges.TryGetValue(g.Key, out var v) && v == g.Value);

    public override bool Equals(object? obj) => Equals(obj as NodeGauges);

    public override int GetHashCode() => Gauges.Count;

    public override string ToString() => $"NodeGauges({Gauges.Count} backends)";
}
