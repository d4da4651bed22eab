using Appliance.Cluster.Hosting;
using Appliance.Cluster.Membership;
using Appliance.Vip.Ownership;

namespace Appliance.Node.Vips;

/// <summary>Turns the membership view into the ownership machine's members.</summary>
internal static class VipMembersFeed
{
    /// <summary>
    /// Reachable Up members; this node carries its tracking penalties and its claims. Without a
    /// cluster (null view) the node is alone. A node that is not Up (joining, left) holds nothing.
    /// </summary>
    public static IReadOnlyList<VipMember> From(ClusterView? view, string self, IReadOnlyDictionary<string, int> selfPenalties, IReadOnlySet<string> selfClaims)
    {
        var me = new VipMember(self, selfPenalties, false, selfClaims);
        if (view is null)
        {
            return [me];
        }

        var members = new List<VipMember>();
        foreach (var m in view.Members)
        {
            if (m.Status == MemberStatus.Up && m.Reachable)
            {
                members.Add(m.IsSelf ? me with { Name = m.Name } : new VipMember(m.Name));
            }
        }

        return members;
    }

    /// <summary>The members without this node: it is not a candidate (still pulling replicated state).</summary>
    public static IReadOnlyList<VipMember> Without(IReadOnlyList<VipMember> members, string self) =>
        [.. members.Where(m => m.Name != self)];
}
