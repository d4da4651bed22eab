using Appliance.Cluster.Membership;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// How often other members changed for the worse (or recovered), as this node's published views
/// show it (reachability is the whole cluster's opinion: a member is unreachable when any observer
/// says so, so a node cut off from the others makes them see each other unreachable too for a moment), and the highest suspicion it held of a member that was Up. An Unreachable that
/// recovers is a flap a bad network may cause; a Down or a removal is a member lost. Monotonic,
/// readable from any thread; written only by the cluster loop (<see cref="ViewTracker"/>).
/// </summary>
public sealed class MemberTransitionStats
{
    private long _unreachable;
    private long _reachableAgain;
    private long _downed;
    private long _removed;
    private long _maxPhiBits;

    /// <summary>Times a member became unreachable.</summary>
    public long Unreachable => Interlocked.Read(ref _unreachable);

    /// <summary>Times an unreachable member became reachable again.</summary>
    public long ReachableAgain => Interlocked.Read(ref _reachableAgain);

    /// <summary>Times a member was marked Down (a crash, the other side of a partition, a false suspicion, or a restarted node's old self).</summary>
    public long Downed => Interlocked.Read(ref _downed);

    /// <summary>Members that left the member list (after Down, or after leaving gracefully).</summary>
    public long Removed => Interlocked.Read(ref _removed);

    /// <summary>The highest phi this node computed for another member while that member was Up: how close a suspicion came (the threshold is 8 by default).</summary>
    public double MaxPhiOfUpMember => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _maxPhiBits));

    internal void MemberChanged(MemberStatus? before, bool reachableBefore, MemberView now)
    {
        if (now.IsSelf)
        {
            return; // another observer's opinion of this node: the others count it
        }

        if (now.Status == MemberStatus.Down && before != MemberStatus.Down)
        {
            Interlocked.Increment(ref _downed);
        }

        if (before is not null && reachableBefore != now.Reachable)
        {
            Interlocked.Increment(ref now.Reachable ? ref _reachableAgain : ref _unreachable);
        }
    }

    internal void MemberRemoved() => Interlocked.Increment(ref _removed);

    internal void Suspicion(MemberView member)
    {
        if (!member.IsSelf && member.Status == MemberStatus.Up && double.IsFinite(member.Phi) && member.Phi > MaxPhiOfUpMember)
        {
            Interlocked.Exchange(ref _maxPhiBits, BitConverter.DoubleToInt64Bits(member.Phi));
        }
    }
}
