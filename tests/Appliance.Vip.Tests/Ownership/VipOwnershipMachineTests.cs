using Appliance.Vip.Ownership;
using static Appliance.Tests.Ownership.VipHarness;

namespace Appliance.Tests.Ownership;

public sealed class VipOwnershipMachineTests
{
    private static readonly VipDefinition Preempting = Def("v", true, 0, ("a", 200), ("b", 100));

    [Fact]
    public void Step_HighestPriorityAlone_BecomesMasterAndAddsThenAnnounces()
    {
        var a = new VipHarness("a", Preempting);

        var actions = a.Tick(0, M("a"), M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
        Assert.Equal(VipRole.Master, a["v"].Role);
        Assert.Equal("a", a["v"].Owner);
        Assert.Equal(T0, a["v"].LastTransition);
    }

    [Fact]
    public void Step_LowerPriority_StaysBackupWithNoActions()
    {
        var b = new VipHarness("b", Preempting);

        var actions = b.Tick(0, M("a"), M("b"));

        Assert.Empty(actions);
        Assert.Equal(VipRole.Backup, b["v"].Role);
        Assert.Equal("a", b["v"].Owner);
    }

    [Fact]
    public void Step_SteadyState_EmitsNothingAndKeepsTransitionTime()
    {
        var a = new VipHarness("a", Preempting);
        a.Tick(0, M("a"), M("b"));

        var actions = a.Tick(5, M("a"), M("b"));

        Assert.Empty(actions);
        Assert.Equal(T0, a["v"].LastTransition);
    }

    [Fact]
    public void Step_OwnerDisappears_BackupTakesOverOnTheSameTick()
    {
        var b = new VipHarness("b", Preempting);
        b.Tick(0, M("a"), M("b"));

        var actions = b.Tick(1.05, M("b"));

        Assert.Equal([VipActionKind.AddAddress, VipActionKind.Announce], Kinds(actions));
        Assert.Equal(T0.AddSeconds(1.05), b["v"].LastTransition);
        Assert.Contains("a is gone", b["v"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_EqualPriorities_SmallerNameWinsOnEveryNode()
    {
        var tie = Def("v", true, 0, ("n2", 100), ("n1", 100));
        var n1 = new VipHarness("n1", tie);
        var n2 = new VipHarness("n2", tie);

        n1.Tick(0, M("n2"), M("n1"));
        n2.Tick(0, M("n1"), M("n2"));

        Assert.Equal(VipRole.Master, n1["v"].Role);
        Assert.Equal(VipRole.Backup, n2["v"].Role);
        Assert.Equal("n1", n2["v"].Owner);
    }

    [Fact]
    public void Step_NotListedInPriorities_NeverHoldsIt()
    {
        var c = new VipHarness("c", Preempting);

        c.Tick(0, M("c"));

        Assert.Equal(VipRole.Backup, c["v"].Role);
        Assert.Null(c["v"].Owner);
    }

    [Fact]
    public void Step_SeveralVips_SpreadByPriority()
    {
        var v1 = Def("v1", true, 0, ("a", 200), ("b", 100));
        var v2 = Def("v2", true, 0, ("a", 100), ("b", 200));
        var a = new VipHarness("a", v1, v2);

        a.Tick(0, M("a"), M("b"));

        Assert.Equal(VipRole.Master, a["v1"].Role);
        Assert.Equal(VipRole.Backup, a["v2"].Role);
        Assert.Equal("b", a["v2"].Owner);
    }
}
