using Appliance.Core.Membership;
using Appliance.Vip.Adverts;
using Appliance.Vip.Ownership;

namespace Appliance.Tests.Adverts;

public sealed class VipMembersFeedTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly VipMember Self = new("lb1", new Dictionary<string, int> { ["v"] = 10 }, false, new HashSet<string> { "v" });

    private static MemberView Member(string name, ulong uid, MemberStatus status, bool reachable, bool self = false) =>
        new(name, name + ":7946", uid, status, reachable, self, false);

    private static ClusterView View(params MemberView[] members) => ClusterView.NotStarted with { Members = members };

    private static HeardAdvert Advert(params VipClaim[] vips) => new(vips, T0);

    [Fact]
    public void From_NoCluster_IsSelfAloneWithPenaltiesAndClaims()
    {
        var feed = new VipMembersFeed(TimeSpan.FromSeconds(1)).From(null, Self, new Dictionary<string, HeardAdvert>(), T0);

        var member = Assert.Single(feed.Members);
        Assert.Equal("lb1", member.Name);
        Assert.Equal(10, member.PenaltyOn("v"));
        Assert.True(member.ClaimsVip("v"));
        Assert.Empty(feed.Unheard);
    }

    [Fact]
    public void From_View_KeepsUpMembersWithWhatTheirAdvertsSay_AnAdvertOutweighsTheMembershipsUnreachable()
    {
        var view = View(
            Member("lb1", 1, MemberStatus.Up, true, self: true),
            Member("lb2", 2, MemberStatus.Up, false),
            Member("lb3", 3, MemberStatus.Leaving, true),
            Member("lb4", 4, MemberStatus.Up, true));
        var adverts = new Dictionary<string, HeardAdvert>
        {
            ["lb2"] = Advert(new VipClaim("v", true, 0, false, null)),
            ["lb4"] = Advert(new VipClaim("v", true, 30, true, "lb1")),
        };

        var feed = new VipMembersFeed(TimeSpan.FromSeconds(1)).From(view, Self, adverts, T0);

        Assert.Equal(["lb1", "lb2", "lb4"], feed.Members.Select(m => m.Name));
        // lb2 is unreachable to the membership, but its adverts arrive: it runs, and is a candidate.
        Assert.All(feed.Members, m => Assert.True(m.Reachable));
        var lb4 = feed.Members[2];
        Assert.Equal(30, lb4.PenaltyOn("v"));
        Assert.True(lb4.ClaimsVip("v"));
        Assert.True(lb4.ReleasesVip("v"));
        Assert.Equal("lb1", lb4.YieldTarget("v"));
    }

    [Fact]
    public void From_SelfMarkedUnreachable_StaysACandidate_NoFlapWhileAPartitionHeals()
    {
        // While a partition heals, the far side's old rows mark every member unreachable, this one too.
        var view = View(Member("lb1", 1, MemberStatus.Up, false, self: true), Member("lb2", 2, MemberStatus.Up, false));
        var adverts = new Dictionary<string, HeardAdvert> { ["lb2"] = Advert(new VipClaim("v", false, 0, false, null)) };

        var feed = new VipMembersFeed(TimeSpan.FromSeconds(1)).From(view, Self, adverts, T0);

        Assert.Equal(["lb1", "lb2"], feed.Members.Select(m => m.Name));
        Assert.True(feed.Members[0].ClaimsVip("v"));
    }

    [Fact]
    public void From_PeerReachableButItsAdvertsStopped_IsPresumedDead()
    {
        var view = View(Member("lb1", 1, MemberStatus.Up, true, self: true), Member("lb2", 2, MemberStatus.Up, true));
        var feedOf = new VipMembersFeed(TimeSpan.FromSeconds(1));
        feedOf.From(view, Self, new Dictionary<string, HeardAdvert> { ["lb2"] = Advert() }, T0);

        var silent = new Dictionary<string, HeardAdvert> { ["lb2"] = Advert() with { Silent = true } };
        var feed = feedOf.From(view, Self, silent, T0.AddSeconds(2));

        Assert.Equal(["lb1"], feed.Members.Select(m => m.Name));
        Assert.Equal(["lb2"], feed.Quiet);
    }

    [Fact]
    public void From_SelfNotUpYet_HoldsNothing()
    {
        var view = View(Member("lb1", 1, MemberStatus.Joining, true, self: true), Member("lb2", 2, MemberStatus.Up, true));
        var adverts = new Dictionary<string, HeardAdvert> { ["lb2"] = Advert() };

        var feed = new VipMembersFeed(TimeSpan.FromSeconds(1)).From(view, Self, adverts, T0);

        Assert.Equal(["lb2"], feed.Members.Select(m => m.Name));
    }

    [Fact]
    public void From_PeerNotHeardYet_HoldsDecisionsForTheGraceThenLeavesItOut()
    {
        var feed = new VipMembersFeed(TimeSpan.FromSeconds(1));
        var view = View(Member("lb1", 1, MemberStatus.Up, true, self: true), Member("lb2", 2, MemberStatus.Up, true));
        var none = new Dictionary<string, HeardAdvert>();

        var first = feed.From(view, Self, none, T0);
        var during = feed.From(view, Self, none, T0.AddMilliseconds(900));
        var after = feed.From(view, Self, none, T0.AddMilliseconds(1000));
        var heard = feed.From(view, Self, new Dictionary<string, HeardAdvert> { ["lb2"] = Advert() }, T0.AddMilliseconds(1100));

        Assert.Equal(["lb2"], first.Unheard);
        Assert.Equal(["lb1"], first.Members.Select(m => m.Name));
        Assert.Equal(["lb2"], during.Unheard);
        Assert.Empty(after.Unheard);
        Assert.Equal(["lb2"], after.Silent);
        Assert.Equal(["lb1", "lb2"], heard.Members.Select(m => m.Name));
        Assert.Empty(heard.Silent);
    }

    [Fact]
    public void From_NewIncarnationOfAPeer_GetsItsOwnGrace()
    {
        var feed = new VipMembersFeed(TimeSpan.FromSeconds(1));
        var none = new Dictionary<string, HeardAdvert>();
        feed.From(View(Member("lb1", 1, MemberStatus.Up, true, self: true), Member("lb2", 2, MemberStatus.Up, true)), Self, none, T0);

        var restarted = feed.From(View(Member("lb1", 1, MemberStatus.Up, true, self: true), Member("lb2", 22, MemberStatus.Up, true)), Self, none, T0.AddSeconds(5));

        Assert.Equal(["lb2"], restarted.Unheard);
    }

    [Fact]
    public void Advert_SelfStand_OneSortedEntryPerVipWithYieldOnlyWhenReleasing()
    {
        var self = new VipMember("lb1", new Dictionary<string, int> { ["b"] = 2000 }, false, new HashSet<string> { "b" },
            new Dictionary<string, string?> { ["b"] = "lb2" });

        var advert = VipMembersFeed.Advert(self, ["c", "b"]);

        Assert.Equal([new VipClaim("b", true, 1000, true, "lb2"), new VipClaim("c", false, 0, false, null)], advert);
        Assert.True(VipMembersFeed.Member("lb1", advert).ReleasesVip("b"));
    }

    [Fact]
    public void Syncing_SelfStillSyncing_InFaultForEveryVip_InItsOwnEyesAndThroughItsAdvert()
    {
        var syncing = Self with { Penalties = VipMembersFeed.Syncing(new Dictionary<string, int> { ["v"] = 10, ["w"] = 0 }) };
        var vip = new VipDefinition("v", "198.18.1.100/24", "eth0", new Dictionary<string, int> { ["lb1"] = 255, ["lb2"] = 1 }, true, TimeSpan.Zero);

        var asPeerSeesIt = VipMembersFeed.Member("lb1", VipMembersFeed.Advert(syncing, ["v", "w"]));

        Assert.Equal(["lb2"], Candidate.Rank(vip, [syncing, new VipMember("lb2")]).Select(c => c.Name));
        Assert.Equal(["lb2"], Candidate.Rank(vip, [asPeerSeesIt, new VipMember("lb2")]).Select(c => c.Name));
    }
}
