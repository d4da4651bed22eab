using Appliance.Vip.Ownership;
using Appliance.Vip.Tracking;
using static Appliance.Tests.Ownership.VipHarness;

namespace Appliance.Tests.Ownership;

public sealed class VipTrackingPenaltyTests
{
    [Fact]
    public void Step_HolderPenalisedBelowPeer_PeerPreempts()
    {
        var b = new VipHarness("b", Def("v", true, 0, ("a", 200), ("b", 150)));
        b.Tick(0, M("a"), M("b"));

        var actions = b.Tick(1, M("a", penalty: 60, claims: "v"), M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
    }

    [Fact]
    public void Step_PenaltyNotEnoughToDropBelowPeer_NothingMoves()
    {
        var b = new VipHarness("b", Def("v", true, 0, ("a", 200), ("b", 150)));
        b.Tick(0, M("a"), M("b"));

        var actions = b.Tick(1, M("a", penalty: 40, claims: "v"), M("b"));

        Assert.Empty(actions);
    }

    [Fact]
    public void Step_FaultOnHolderWithNoPreempt_StillMovesBecauseFaultIsIneligible()
    {
        var b = new VipHarness("b", Def("v", false, 0, ("a", 200), ("b", 150)));
        b.Tick(0, M("a"), M("b"));

        var actions = b.Tick(1, M("a", penalty: TrackPenalty.Fault, claims: "v"), M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
    }
}
