using Appliance.Cluster.Hosting;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Core.Membership;

namespace Appliance.Node.Management;

/// <summary>The management view of live membership: each member with its state as this node sees it.</summary>
internal sealed class ClusterMembersView(ClusterHost cluster) : IClusterView
{
    public MembersResponse Members() => Describe(cluster.Current);

    /// <summary>
    /// The answer for <paramref name="view"/>: pure, so it is tested without a cluster. No phi and
    /// no since: Akka hands out no phi values and no time of a member's last change.
    /// </summary>
    internal static MembersResponse Describe(ClusterView view)
    {
        var message = view.Phase switch
        {
            NodePhase.Seeking => "this node is looking for its cluster through the seeds",
            NodePhase.Stopped => "this node has left the cluster",
            _ => view.Converged ? null : "members do not all agree yet (gossip converging)",
        };
        var members = view.Members.Select(m => new MemberInfo(
            m.Name,
            m.Address,
            // An Up member that someone cannot reach is what an operator must see first.
            !m.Reachable && m.Status == MemberStatus.Up ? "unreachable" : m.Status.ToText(),
            m.IsSelf)).ToList();
        return new MembersResponse(true, message, members);
    }

    public string? RequestLeave()
    {
        if (cluster.Current.Phase != NodePhase.Member)
        {
            return "this node is not a member of a cluster right now (it is still joining, or has left already).";
        }

        return cluster.RequestLeave() ? null : "this node is not a member of a cluster right now (it is still joining, or has left already).";
    }
}
