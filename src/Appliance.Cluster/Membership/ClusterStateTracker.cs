using Akka.Cluster;

namespace Appliance.Cluster.Membership;

/// <summary>
/// The cluster's state as a subscriber's own events tell it. Akka's <c>Cluster.State</c> is kept
/// by another subscriber and may lag an event this actor has already received: read right after
/// this node's own MemberUp, it can still say Joining, and with no later event the reader never
/// learns otherwise (a restarted node once waited for its start-up sync forever this way). Feed it
/// the snapshot and every membership, reachability and leader event; read <see cref="State"/>.
/// </summary>
public sealed class ClusterStateTracker
{
    /// <summary>The state after the last event applied.</summary>
    public ClusterEvent.CurrentClusterState State { get; private set; } = new();

    /// <summary>Applies <paramref name="message"/>; false when it is not a cluster event this tracker keeps.</summary>
    public bool Apply(object message)
    {
        var state = State;
        switch (message)
        {
            case ClusterEvent.CurrentClusterState snapshot:
                State = snapshot;
                return true;
            case ClusterEvent.MemberRemoved e:
                State = state.Copy(members: state.Members.Remove(e.Member), unreachable: state.Unreachable.Remove(e.Member));
                return true;
            case ClusterEvent.IMemberEvent e:
                // Members compare by unique address: remove the old status, add the new one.
                var unreachable = state.Unreachable.Contains(e.Member) ? state.Unreachable.Remove(e.Member).Add(e.Member) : state.Unreachable;
                State = state.Copy(members: state.Members.Remove(e.Member).Add(e.Member), unreachable: unreachable);
                return true;
            case ClusterEvent.UnreachableMember e:
                State = state.Copy(unreachable: state.Unreachable.Remove(e.Member).Add(e.Member));
                return true;
            case ClusterEvent.ReachableMember e:
                State = state.Copy(unreachable: state.Unreachable.Remove(e.Member));
                return true;
            case ClusterEvent.LeaderChanged e:
                State = state.Copy(leader: e.Leader);
                return true;
            default:
                return false;
        }
    }
}
