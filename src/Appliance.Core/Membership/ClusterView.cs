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
/// <param name="Reachable">False while any member reports it unreachable (Akka's merged reachability; Akka hands out no phi values).</param>
public sealed record MemberView(
    string Name,
    string Address,
    ulong Uid,
    MemberStatus Status,
    bool Reachable,
    bool IsSelf,
    bool IsLeader);

/// <summary>Read access to the live cluster view, for the management plane and the node's adapters.</summary>
public interface IClusterMembership
{
    ClusterView Current { get; }

    /// <summary>Raised after the member set, a status or a reachability changes.</summary>
    event Action<ClusterView>? Changed;
}
