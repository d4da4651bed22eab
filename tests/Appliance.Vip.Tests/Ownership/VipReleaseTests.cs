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

        Assert.Equal([VipActionKind.RemoveAddress], Kinds(aActions));
        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(bActions));
        Assert.Contains("a released it", b["v"].Reason, StringComparison.Ordinal);
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

        var actions = a.Tick(1, M("b"));

        Assert.Equal([VipActionKind.RemoveAddress], Kinds(actions));
        Assert.Equal("b", a["v"].Owner);
    }
}
