namespace Appliance.Core.Membership;

/// <summary>What an operator (and the management API) sees of the cluster, as of <see cref="At"/>.</summary>
public sealed record ClusterView(
    string Self,
    NodePhase Phase,
    int Incarnations,
    bool IsLeader,
    bool Converged,
    IReadOnlyList<MemberView> Members,
    DateTimeOffset At)
{
    public static readonly ClusterView NotStarted = new("", NodePhase.Seeking, 0, false, false, [], DateTimeOffset.MinValue);

    /// <summary>Names of members that are Up and reachable, this node included.</summary>
    public IEnumerable<string> UpMembers => Members.Where(m => m.Status == MemberStatus.Up && m.Reachable).Select(m => m.Name);
}

/// <summary>One member as this node sees it.</summary>
/// <param name="Phi">This node's suspicion of it (0 for itself).</param>
/// <param name="LastHeartbeatAgeMs">Since this node last heard its heartbeat answer; null for itself or before the first.</param>
public sealed record MemberView(
    string Name,
    string Address,
    ulong Uid,
    MemberStatus Status,
    bool Reachable,
    double Phi,
    long? LastHeartbeatAgeMs,
    bool IsSelf,
    bool IsLeader);

/// <summary>Read access to the live cluster view, for the management plane and the node's adapters.</summary>
public interface IClusterMembership
{
    ClusterView Current { get; }

    /// <summary>Raised after the member set, a status or a reachability changes (not on phi changes alone).</summary>
    event Action<ClusterView>? Changed;
}
