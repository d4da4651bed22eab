using Appliance.Vip.Ownership;
using static Appliance.Tests.Ownership.VipHarness;

namespace Appliance.Tests.Ownership;

public sealed class VipReleaseTests
{
    private static readonly VipDefinition Vip3 = Def("v", true, 30, ("a", 200), ("b", 100));

    [Fact]
    public void Step_HolderReleases_ItDropsAndPeerTakesOverOnTheSameTickDespiteDelay()
    {
        var a = new VipHarness("a", Vip3);
        var b = new VipHarness("b", Vip3);
        a.Tick(0, M("a"), M("b"));
        b.Tick(0, M("a"), M("b"));

        var aActions = a.Tick(1, M("a", releasing: true), M("b"));
        var bActions = b.Tick(1, M("a", releasing: true, claims: "v"), M("b"));
        var aAfterClaim = a.Tick(1.05, M("a", releasing: true), M("b", claims: "v"));

        Assert.Empty(aActions);
        Assert.True(a["v"].HandingOver || a["v"].Role == VipRole.Backup);
        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(bActions));
        Assert.Contains("a released it", b["v"].Reason, StringComparison.Ordinal);
        Assert.Equal([VipActionKind.RemoveAddress], Kinds(aAfterClaim));
    }

    [Fact]
    public void Step_ReleasingWithNoOtherCandidate_KeepsItRatherThanGoDark()
    {
        var a = new VipHarness("a", Vip3);
        a.Tick(0, M("a"));

        var actions = a.Tick(1, M("a", releasing: true));

        Assert.Empty(actions);
        Assert.Equal(VipRole.Master, a["v"].Role);
    }

    [Fact]
    public void Step_MoveEndsAndReleasingFlagClears_PreemptDelayAppliesBeforeItReturns()
    {
        var a = new VipHarness("a", Vip3);
        a.Tick(0, M("a"), M("b"));
        a.Tick(1, M("a", releasing: true), M("b"));
        a.Tick(1.1, M("a", releasing: true), M("b", claims: "v"));

        var early = a.Tick(2, M("a"), M("b", claims: "v"));
        var late = a.Tick(32, M("a"), M("b", claims: "v"));

        Assert.Empty(early);
        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(late));
    }

    [Fact]
    public void Step_SelfLeavesTheUpSet_RemovesAddress()
    {
        var a = new VipHarness("a", Vip3);
        a.Tick(0, M("a"), M("b"));

        var actions = a.Tick(1, M("b", claims: "v"));

        Assert.Equal([VipActionKind.RemoveAddress], Kinds(actions));
        Assert.Equal("b", a["v"].Owner);
    }

    [Fact]
    public void Step_NewOwnerHasNotClaimedYet_HolderKeepsTheAddressUntilItDoes()
    {
        var a = new VipHarness("a", Vip3);
        a.Tick(0, M("a"), M("b"));

        var first = a.Tick(1, M("a", releasing: true), M("b"));
        var waiting = a.Tick(1.5, M("a", releasing: true), M("b"));
        var whileWaiting = a["v"];
        var claimed = a.Tick(1.6, M("a", releasing: true), M("b", claims: "v"));

        Assert.Empty(first);
        Assert.Empty(waiting);
        Assert.Equal(VipRole.Master, whileWaiting.Role);
        Assert.Equal(T0.AddSeconds(1), whileWaiting.LastTransition);
        Assert.Equal([VipActionKind.RemoveAddress], Kinds(claimed));
        Assert.Equal("b", a["v"].Owner);
    }

    [Fact]
    public void Step_NewOwnerNeverClaims_HolderReleasesAfterTheHandoverTimeout()
    {
        var a = new VipHarness("a", Vip3);
        a.Tick(0, M("a"), M("b"));
        a.Tick(1, M("a", releasing: true), M("b"));

        var before = a.Tick(1.95, M("a", releasing: true), M("b"));
        var after = a.Tick(2, M("a", releasing: true), M("b"));

        Assert.Empty(before);
        Assert.Equal([VipActionKind.RemoveAddress], Kinds(after));
        Assert.Contains("did not claim it", a["v"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_MoveToNamedNode_ThatNodeTakesItEvenIfAnotherRanksHigher()
    {
        var vip = Def("v", true, 30, ("a", 200), ("b", 150), ("c", 100));
        var moving = new VipMember("a", Claims: new HashSet<string> { "v" }, Yields: new Dictionary<string, string?> { ["v"] = "c" });
        var b = new VipHarness("b", vip);
        var c = new VipHarness("c", vip);
        b.Tick(0, M("a", claims: "v"), M("b"), M("c"));
        c.Tick(0, M("a", claims: "v"), M("b"), M("c"));

        var bActions = b.Tick(1, moving, M("b"), M("c"));
        var cActions = c.Tick(1, moving, M("b"), M("c"));

        Assert.Empty(bActions);
        Assert.Equal("c", b["v"].Owner);
        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(cActions));
        Assert.Contains("a released it; c takes over", c["v"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_MoveBackToANodeThatMovedItAwayEarlier_ThatNodeTakesIt()
    {
        // c moved the VIP to a earlier and still ranks last for it; now a moves it back to c by name.
        var vip = Def("v", false, 30, ("a", 200), ("b", 150), ("c", 100));
        var moving = new VipMember("a", Claims: new HashSet<string> { "v" }, Yields: new Dictionary<string, string?> { ["v"] = "c" });
        var movedEarlier = new VipMember("c", Yields: new Dictionary<string, string?> { ["v"] = "a" });
        var b = new VipHarness("b", vip);
        var c = new VipHarness("c", vip);
        b.Tick(0, M("a", claims: "v"), M("b"), movedEarlier);
        c.Tick(0, M("a", claims: "v"), M("b"), movedEarlier);

        b.Tick(1, moving, M("b"), movedEarlier);
        var cActions = c.Tick(1, moving, M("b"), movedEarlier);

        Assert.Equal("c", b["v"].Owner);
        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(cActions));
    }

    [Fact]
    public void Step_MoveToANodeThatIsLeaving_BestRankedOtherTakesIt()
    {
        var vip = Def("v", false, 30, ("a", 200), ("b", 150), ("c", 100));
        var moving = new VipMember("a", Claims: new HashSet<string> { "v" }, Yields: new Dictionary<string, string?> { ["v"] = "c" });
        var b = new VipHarness("b", vip);
        b.Tick(0, M("a", claims: "v"), M("b"), M("c", releasing: true));

        var actions = b.Tick(1, moving, M("b"), M("c", releasing: true));

        Assert.Equal("b", b["v"].Owner);
        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
    }

    [Fact]
    public void Step_MoveToNodeThatCannotHoldIt_BestRankedTakesIt()
    {
        var vip = Def("v", true, 30, ("a", 200), ("b", 150));
        var moving = new VipMember("a", Claims: new HashSet<string> { "v" }, Yields: new Dictionary<string, string?> { ["v"] = "zz" });
        var b = new VipHarness("b", vip);
        b.Tick(0, M("a", claims: "v"), M("b"));

        var actions = b.Tick(1, moving, M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
    }
}
