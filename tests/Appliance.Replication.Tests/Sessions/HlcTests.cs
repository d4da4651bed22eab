using Appliance.Replication.Sessions;

namespace Appliance.Replication.Tests.Sessions;

public sealed class HlcTests
{
    [Fact]
    public void Tick_WallClockStandsStill_LogicalCounterAdvances()
    {
        var first = Hlc.Tick(Hlc.Zero, 1_000, node: 1);
        var second = Hlc.Tick(first, 1_000, node: 1);
        var afterBackwardsClock = Hlc.Tick(second, 900, node: 1);

        Assert.Equal(new Hlc(1_000, 0, 1), first);
        Assert.Equal(new Hlc(1_000, 1, 1), second);
        Assert.True(afterBackwardsClock > second);
    }

    [Fact]
    public void Receive_RemoteAheadOfLocalWallClock_NextLocalEventIsLater()
    {
        var remote = new Hlc(5_000, 3, 2);

        var clock = Hlc.Receive(new Hlc(1_000, 0, 1), remote, nowMs: 1_200, node: 1);
        var next = Hlc.Tick(clock, 1_300, node: 1);

        Assert.True(clock > remote);
        Assert.True(next > clock);
        Assert.Equal(5_000, next.WallMs);
    }

    [Fact]
    public void CompareTo_SameWallAndLogical_NodeBreaksTheTie()
    {
        Assert.True(new Hlc(10, 0, 2) > new Hlc(10, 0, 1));
        Assert.True(new Hlc(10, 1, 1) > new Hlc(10, 0, 9));
        Assert.True(new Hlc(11, 0, 0) > new Hlc(10, 9, 9));
    }

    [Fact]
    public void Receive_AnyInputs_ResultExceedsBothAndIsMonotonic()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var last = new Hlc(random.Next(0, 100), random.Next(0, 5), 1);
            var remote = new Hlc(random.Next(0, 100), random.Next(0, 5), 2);

            var clock = Hlc.Receive(last, remote, random.Next(0, 100), 1);

            Assert.True(clock > last && clock > remote, $"{clock} after {last} and {remote}");
        }
    }
}
