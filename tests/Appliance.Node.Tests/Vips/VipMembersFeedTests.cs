using Appliance.Cluster.Hosting;
using Appliance.Cluster.Membership;
using Appliance.Node.Vips;

namespace Appliance.Tests.Vips;

public sealed class VipMembersFeedTests
{
    private static readonly IReadOnlySet<string> Claims = new HashSet<string> { "v" };
    private static readonly Dictionary<string, int> Penalties = new() { ["v"] = 10 };

    private static MemberView Member(string name, MemberStatus status, bool reachable, bool self = false) =>
        new(name, name + ":7946", 1, status, reachable, 0, null, self, false);

    [Fact]
    public void From_NoCluster_IsSelfAloneWithPenaltiesAndClaims()
    {
        var member = Assert.Single(VipMembersFeed.From(null, "lb1", Penalties, Claims));

        Assert.Equal("lb1", member.Name);
        Assert.Equal(10, member.PenaltyOn("v"));
        Assert.True(member.ClaimsVip("v"));
    }

    [Fact]
    public void From_View_KeepsOnlyReachableUpMembers()
    {
        var view = ClusterView.NotStarted with
        {
            Members =
            [
                Member("lb1", MemberStatus.Up, true, self: true),
                Member("lb2", MemberStatus.Up, false),
                Member("lb3", MemberStatus.Leaving, true),
                Member("lb4", MemberStatus.Up, true),
            ],
        };

        var members = VipMembersFeed.From(view, "lb1", Penalties, Claims);

        Assert.Equal(["lb1", "lb4"], members.Select(m => m.Name));
        Assert.Equal(10, members[0].PenaltyOn("v"));
        Assert.Equal(0, members[1].PenaltyOn("v"));
    }

    [Fact]
    public void From_SelfNotUpYet_HoldsNothing() =>
        Assert.Equal(["lb2"], VipMembersFeed.From(ClusterView.NotStarted with { Members = [Member("lb1", MemberStatus.Joining, true, self: true), Member("lb2", MemberStatus.Up, true)] }, "lb1", Penalties, Claims).Select(m => m.Name));

    [Fact]
    public void Without_SelfStillSyncing_OthersStayCandidatesSelfIsNone()
    {
        var view = ClusterView.NotStarted with
        {
            Members = [Member("lb1", MemberStatus.Up, true, self: true), Member("lb2", MemberStatus.Up, true)],
        };

        var members = VipMembersFeed.Without(VipMembersFeed.From(view, "lb1", Penalties, Claims), "lb1");

        Assert.Equal("lb2", Assert.Single(members).Name);
    }
}
