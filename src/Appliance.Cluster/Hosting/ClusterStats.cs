namespace Appliance.Cluster.Hosting;

/// <summary>Counters of the cluster host, read by the node's metrics. Written from Akka's threads and the host's loop.</summary>
public sealed class ClusterStats
{
    private long _incarnations;
    private long _incarnationsLost;
    private long _startFailures;
    private long _unreachable;
    private long _reachableAgain;
    private long _removed;
    private long _downed;

    /// <summary>ActorSystems started (the first one included).</summary>
    public long Incarnations => Interlocked.Read(ref _incarnations);

    /// <summary>Incarnations that ended while the node was not stopping: downed, quarantined, or ended by Akka.Remote (a failed outbound TLS handshake).</summary>
    public long IncarnationsLost => Interlocked.Read(ref _incarnationsLost);

    /// <summary>Incarnations that could not start (the port in use, for instance); retried with backoff.</summary>
    public long StartFailures => Interlocked.Read(ref _startFailures);

    /// <summary>Times another member became unreachable from here.</summary>
    public long MembersUnreachable => Interlocked.Read(ref _unreachable);

    /// <summary>Times another member became reachable again.</summary>
    public long MembersReachableAgain => Interlocked.Read(ref _reachableAgain);

    /// <summary>Other members seen going Down (by this node's downing or another's).</summary>
    public long MembersDowned => Interlocked.Read(ref _downed);

    /// <summary>Other members removed (left, or downed and removed).</summary>
    public long MembersRemoved => Interlocked.Read(ref _removed);

    internal void Started() => Interlocked.Increment(ref _incarnations);

    internal void Lost() => Interlocked.Increment(ref _incarnationsLost);

    internal void StartFailed() => Interlocked.Increment(ref _startFailures);

    internal void Unreachable() => Interlocked.Increment(ref _unreachable);

    internal void ReachableAgain() => Interlocked.Increment(ref _reachableAgain);

    internal void Downed() => Interlocked.Increment(ref _downed);

    internal void Removed() => Interlocked.Increment(ref _removed);
}
