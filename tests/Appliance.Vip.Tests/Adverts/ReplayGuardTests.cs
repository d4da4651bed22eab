using Appliance.Vip.Adverts;

namespace Appliance.Tests.Adverts;

public sealed class ReplayGuardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Check_GrowingSequence_IsFresh_ARepeatOrALateOneIsAReplay()
    {
        var guard = new ReplayGuard(TimeSpan.FromSeconds(10));

        Assert.Equal(ReplayVerdict.Fresh, guard.Check("lb1", 5, 1, T0));
        Assert.Equal(ReplayVerdict.Fresh, guard.Check("lb1", 5, 3, T0));
        Assert.Equal(ReplayVerdict.Replayed, guard.Check("lb1", 5, 3, T0));
        Assert.Equal(ReplayVerdict.Replayed, guard.Check("lb1", 5, 2, T0));
        Assert.Equal(ReplayVerdict.Fresh, guard.Check("lb2", 5, 1, T0));
    }

    [Fact]
    public void Check_ARestart_IsFresh_TheOldRunsFramesAreStaleUntilTheNodeFallsSilent()
    {
        var guard = new ReplayGuard(TimeSpan.FromSeconds(10));
        guard.Check("lb1", 5, 100, T0);

        Assert.Equal(ReplayVerdict.Fresh, guard.Check("lb1", 6, 1, T0.AddSeconds(1)));
        Assert.Equal(ReplayVerdict.Stale, guard.Check("lb1", 5, 101, T0.AddSeconds(2)));
        // Silent past forgetAfter: its clock may have stepped back across a restart.
        Assert.Equal(ReplayVerdict.Fresh, guard.Check("lb1", 4, 1, T0.AddSeconds(12)));
    }

    [Fact]
    public void Check_MoreSendersThanKept_DropsTheNewOnes_PruneMakesRoom()
    {
        var guard = new ReplayGuard(TimeSpan.FromSeconds(10), maxSenders: 2);
        guard.Check("lb1", 1, 1, T0);
        guard.Check("lb2", 1, 1, T0);

        Assert.Equal(ReplayVerdict.Full, guard.Check("lb3", 1, 1, T0));
        guard.Prune(new HashSet<string> { "lb1" }, T0.AddSeconds(11));
        Assert.Equal(ReplayVerdict.Fresh, guard.Check("lb3", 1, 1, T0.AddSeconds(11)));
        Assert.Equal(ReplayVerdict.Replayed, guard.Check("lb1", 1, 1, T0.AddSeconds(11)));
    }
}
