using Appliance.Cluster.Hosting;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Core.Membership;

namespace Appliance.Node.Management;

/// <summary>The management view of live membership: each member with its state as this node sees it.</summary>
internal sealed class ClusterMembersView(ClusterHost cluster) : IClusterView
{
    /// <summary>
    /// The largest phi an answer shows: JSON cannot carry +infinity, which a detector certain about
    /// a member would give (found by the fault tests: <c>GET /api/v1/cluster/members</c> answered
    /// 500 while a cut-off peer stayed in the list). Akka keeps phi to itself, so views from the
    /// cluster say 0; the ceiling still guards any view this is given.
    /// </summary>
    public const double MaxPhi = 1000;

    public MembersResponse Members() => Describe(cluster.Current);

    /// <summary>The answer for <paramref name="view"/>: pure, so the JSON-safe values are tested without a cluster.</summary>
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
            m.IsSelf,
            m.IsSelf || double.IsNaN(m.Phi) ? null : Math.Min(m.Phi, MaxPhi),
            null)).ToList();
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
