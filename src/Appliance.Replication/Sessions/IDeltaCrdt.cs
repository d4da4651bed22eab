namespace Appliance.Replication.Sessions;

/// <summary>
/// A state-based CRDT: <see cref="Merge"/> is a join (commutative, associative, idempotent), so
/// replicas that have seen the same updates in any order, with duplicates, hold equal states.
/// Delta-mutators on the implementing types return a small state of the same type that joins like
/// a full one (Almeida et al., "Delta State Replicated Data Types").
/// </summary>
internal interface IDeltaCrdt<T>
    where T : IDeltaCrdt<T>
{
    /// <summary>The least upper bound of this state and <paramref name="other"/>.</summary>
    T Merge(T other);
}
