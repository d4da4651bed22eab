using Appliance.Vip.Ownership;
using static Appliance.Tests.Ownership.VipHarness;

namespace Appliance.Tests.Ownership;

public sealed class VipPreemptTests
{
    [Fact]
    public void Step_BetterNodeReturnsWithPreemptNoDelay_TakesOverAtOnce()
    {
        var vip = Def("v", true, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        var b = new VipHarness("b", vip);
        b.Tick(0, M("b"));

        var aActions = a.Tick(1, M("a"), M("b", claims: "v"));
        var bActions = b.Tick(1, M("a"), M("b"));
        var bReason = b["v"].Reason;
        var bAfterClaim = b.Tick(1.05, M("a", claims: "v"), M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(aActions));
        Assert.Empty(bActions);
        Assert.Contains("preempted", bReason, StringComparison.Ordinal);
        Assert.Equal([VipActionKind.RemoveAddress], Kinds(bAfterClaim));
    }

    [Fact]
    public void Step_BetterNodeReturnsWithPreemptDelay_WaitsExactlyTheDelay()
    {
        var vip = Def("v", true, 3, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        var bHolds = M("b", claims: "v");

        Assert.Empty(a.Tick(10, M("a"), bHolds));
        Assert.Equal("b", a["v"].Owner);
        Assert.Equal("a", a["v"].Contender);
        Assert.Empty(a.Tick(12.95, M("a"), bHolds));
        Assert.Equal(VipRole.Backup, a["v"].Role);

        var actions = a.Tick(13, M("a"), bHolds);

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
        Assert.Equal(T0.AddSeconds(13), a["v"].LastTransition);
    }

    [Fact]
    public void Step_ContenderDropsOutDuringDelay_TimerRestarts()
    {
        var vip = Def("v", true, 3, ("a", 200), ("b", 100));
        var b = new VipHarness("b", vip);
        b.Tick(0, M("b"));
        b.Tick(1, M("a"), M("b"));
        b.Tick(2, M("b"));

        b.Tick(3, M("a"), M("b"));
        var stillHolding = b.Tick(5.5, M("a"), M("b"));
        var released = b.Tick(6, M("a", claims: "v"), M("b"));

        Assert.Empty(stillHolding);
        Assert.Equal([VipActionKind.RemoveAddress], Kinds(released));
    }

    [Fact]
    public void Step_NoPreempt_HolderKeepsItWhileAlive()
    {
        var vip = Def("v", false, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        var b = new VipHarness("b", vip);
        b.Tick(0, M("b"));

        var aActions = a.Tick(60, M("a"), M("b", claims: "v"));
        var bActions = b.Tick(60, M("a"), M("b"));

        Assert.Empty(aActions);
        Assert.Empty(bActions);
        Assert.Equal("b", a["v"].Owner);
        Assert.Equal(VipRole.Master, b["v"].Role);
    }

    [Fact]
    public void Step_NoPreemptHolderDies_BetterNodeTakesOver()
    {
        var vip = Def("v", false, 0, ("a", 200), ("b", 100));
        var a = new VipHarness("a", vip);
        a.Tick(0, M("a"), M("b", claims: "v"));

        var actions = a.Tick(1, M("a"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
    }
}
