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
}
