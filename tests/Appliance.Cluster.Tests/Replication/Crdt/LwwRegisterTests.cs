using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Tests.Replication.Crdt;

public sealed class LwwRegisterTests
{
    [Fact]
    public void Merge_IsJoin() => CrdtLaws.MergeIsJoin(Registers);

    [Fact]
    public void Deltas_RebuildTheState() => CrdtLaws.DeltasRebuildState(Registers);

    [Fact]
    public void Set_OlderTimestamp_KeepsTheNewerValue()
    {
        var register = new LwwRegister<string>("a", new Hlc(10, 0, 1));

        var (state, _) = register.Set("b", new Hlc(9, 5, 2));

        Assert.Equal("a", state.Value);
    }

    [Fact]
    public void Merge_ConcurrentWritesSameMillisecond_HigherNodeWinsEverywhere()
    {
        var one = new LwwRegister<string>("from-1", new Hlc(10, 0, 1));
        var two = new LwwRegister<string>("from-2", new Hlc(10, 0, 2));

        Assert.Equal("from-2", one.Merge(two).Value);
        Assert.Equal("from-2", two.Merge(one).Value);
    }

    private static History<LwwRegister<int>> Registers(Random random)
    {
        var history = new History<LwwRegister<int>>(new LwwRegister<int>(0, Hlc.Zero));
        for (var i = random.Next(0, 8); i > 0; i--)
        {
            // Few distinct clocks, so identical timestamps with different values are exercised too.
            var timestamp = new Hlc(random.Next(0, 4), random.Next(0, 2), (ulong)random.Next(1, 3));
            history.Do(s => s.Set(random.Next(0, 5), timestamp));
        }

        return history;
    }
}
