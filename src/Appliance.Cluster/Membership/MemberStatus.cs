using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

/// <summary>Akka's rules for statuses: which moves are allowed and which status wins a conflict.</summary>
public static class MemberStatuses
{
    /// <summary>
    /// When two gossips disagree about one incarnation, the status further along its life wins:
    /// Removed &gt; Down &gt; Exiting &gt; Leaving &gt; Up &gt; Joining.
    /// </summary>
    public static int Priority(MemberStatus status) => status switch
    {
        MemberStatus.Removed => 6,
        MemberStatus.Down => 5,
        MemberStatus.Exiting => 4,
        MemberStatus.Leaving => 3,
        MemberStatus.Up => 2,
        _ => 1,
    };

    /// <summary>Allowed transitions; anything else is a bug in the caller.</summary>
    public static bool CanMove(MemberStatus from, MemberStatus to) => (from, to) switch
    {
        (MemberStatus.Joining, MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Up, MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Leaving, MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Exiting, MemberStatus.Removed or MemberStatus.Down) => true,
        (MemberStatus.Down, MemberStatus.Removed) => true,
        _ => false,
    };

    /// <summary>Members that take part in the cluster's work and must see gossip for convergence.</summary>
    public static bool IsLive(this MemberStatus status) =>
        status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Leaving;
}
