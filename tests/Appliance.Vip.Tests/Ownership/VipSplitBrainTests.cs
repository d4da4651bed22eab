using Appliance.Vip.Ownership;
using static Appliance.Tests.Ownership.VipHarness;

namespace Appliance.Tests.Ownership;

public sealed class VipSplitBrainTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Step_HealAfterBothHeldIt_ExactlyOneOwnerAndWinnerReannounces(bool preempt)
    {
        var vip = Def("v", preempt, 10, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        var b = new VipHarness("b", vip);
        a.Tick(0, M("a"));
        b.Tick(0, M("b"));
        Assert.Equal(VipRole.Master, a["v"].Role);
        Assert.Equal(VipRole.Master, b["v"].Role);

        var aActions = a.Tick(5, M("a"), M("b", claims: "v"));
        var bActions = b.Tick(5, M("a", claims: "v"), M("b"));

        Assert.Equal([VipActionKind.Announce], Kinds(aActions));
        Assert.Contains("re-announce", aActions[0].Reason, StringComparison.Ordinal);
        Assert.Equal([VipActionKind.RemoveAddress], Kinds(bActions));
        Assert.Equal("a", a["v"].Owner);
        Assert.Equal("a", b["v"].Owner);
    }

    [Fact]
    public void Step_RivalKeepsClaimingForSeveralTicks_ReannouncesOnlyOnce()
    {
        var a = new VipHarness("a", Def("v", true, 0, ("a", 200), ("b", 100)));
        a.Tick(0, M("a"));

        var first = a.Tick(1, M("a"), M("b", claims: "v"));
        var second = a.Tick(1.05, M("a"), M("b", claims: "v"));
        var afterRelease = a.Tick(1.1, M("a"), M("b"));

        Assert.Single(first);
        Assert.Empty(second);
        Assert.Empty(afterRelease);
    }

    [Fact]
    public void Step_ThreeNodesHealWithTwoClaimants_BestClaimantWinsOnEveryNode()
    {
        var vip = Def("v", true, 0, ("a", 50), ("b", 150), ("c", 100));
        var members = new[] { M("a", claims: "v"), M("b"), M("c", claims: "v") };
        var views = new[] { "a", "b", "c" }.Select(n => new VipHarness(n, vip)).ToArray();

        foreach (var v in views)
        {
            v.Tick(0, members);
        }

        Assert.All(views, v => Assert.Equal("b", v["v"].Owner));
    }

    [Fact]
    public void Step_UnreachableRivalClaimsWhileThePartitionHeals_OnlyTheHigherRankedSideReannounces()
    {
        var vip = Def("v", false, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        var b = new VipHarness("b", vip);
        a.Tick(0, M("a"));
        b.Tick(0, M("b"));

        var aActions = a.Tick(1, M("a"), M("b", claims: "v") with { Reachable = false });
        var bActions = b.Tick(1, M("a", claims: "v") with { Reachable = false }, M("b"));

        Assert.Equal([VipActionKind.Announce], Kinds(aActions));
        Assert.Empty(bActions);
        Assert.Equal(VipRole.Master, b["v"].Role);
    }

    [Fact]
    public void Step_UnreachableMember_IsNeverElected()
    {
        var a = new VipHarness("a", Def("v", true, 0, ("a", 100), ("b", 200)));

        a.Tick(0, M("a"), M("b") with { Reachable = false });

        Assert.Equal("a", a["v"].Owner);
    }

    [Fact]
    public void Step_OutrankedMemberBecomesReachableAgain_MasterReannouncesOnce_TheOutrankedSideDoesNot()
    {
        var vip = Def("v", false, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        var b = new VipHarness("b", vip);
        a.Tick(0, M("a"), M("b"));
        b.Tick(0, M("b"));
        a.Tick(1, M("a"), M("b") with { Reachable = false });
        b.Tick(1, M("a") with { Reachable = false }, M("b"));

        var aHealed = a.Tick(2, M("a"), M("b"));
        var aAgain = a.Tick(2.05, M("a"), M("b"));
        var bHealed = b.Tick(2, M("a"), M("b"));

        Assert.Equal([VipActionKind.Announce], Kinds(aHealed));
        Assert.Contains("b back in view", aHealed[0].Reason, StringComparison.Ordinal);
        Assert.Empty(aAgain);
        Assert.DoesNotContain(VipActionKind.Announce, Kinds(bHealed));
    }

    [Fact]
    public void Step_OutrankedMemberRejoinsAfterBeingDowned_MasterReannouncesOnce()
    {
        // A long partition: the cut-off node was downed and left the view; it comes back as a new
        // member, and may have dropped its own claim before any advert of it reached us.
        var vip = Def("v", false, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        a.Tick(0, M("a"), M("b"));
        Assert.Empty(a.Tick(1, M("a")));

        var rejoined = a.Tick(2, M("a"), M("b"));
        var again = a.Tick(2.05, M("a"), M("b"));

        Assert.Equal([VipActionKind.Announce], Kinds(rejoined));
        Assert.Contains("b back in view", rejoined[0].Reason, StringComparison.Ordinal);
        Assert.Empty(again);
    }

    [Fact]
    public void Step_BetterRankedMemberRejoins_TheOutrankedMasterDoesNotReannounce()
    {
        // Without preempt the incumbent keeps it, and the returning member, which outranks it,
        // is the one to speak up if it held it; two masters announcing would race.
        var vip = Def("v", false, 0, ("a", 100), ("b", 200));
        var a = new VipHarness("a", vip);
        a.Tick(0, M("a"));
        Assert.Equal(VipRole.Master, a["v"].Role);

        var rejoined = a.Tick(1, M("a"), M("b"));

        Assert.DoesNotContain(VipActionKind.Announce, Kinds(rejoined));
    }

    [Fact]
    public void Step_FirstTick_NothingIsBackInView()
    {
        var a = new VipHarness("a", Def("v", false, 0, ("a", 200), ("b", 100)));

        var first = a.Tick(0, M("a"), M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(first));
        Assert.DoesNotContain("re-announce", first[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_HealWhileThisNodeLooksUnreachableForATick_MasterStillReannouncesWhenItIsBack()
    {
        // Gossip from the other side says we are unreachable while the others already look
        // reachable: the returning members must still count as back once we are reachable again.
        var vip = Def("v", false, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        a.Tick(0, M("a"), M("b"));
        a.Tick(1, M("a"), M("b") with { Reachable = false });

        var merging = a.Tick(2, M("a") with { Reachable = false }, M("b"));
        var healed = a.Tick(2.1, M("a"), M("b"));

        Assert.DoesNotContain(VipActionKind.Announce, Kinds(merging));
        Assert.Equal([VipActionKind.Announce], Kinds(healed));
        Assert.Contains("b back in view", healed[0].Reason, StringComparison.Ordinal);
    }
}
