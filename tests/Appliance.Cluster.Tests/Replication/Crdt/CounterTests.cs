using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Tests.Replication.Crdt;

public sealed class CounterTests
{
    [Fact]
    public void GCounter_Merge_IsJoin() => CrdtLaws.MergeIsJoin(GCounters);

    [Fact]
    public void GCounter_Deltas_RebuildTheState() => CrdtLaws.DeltasRebuildState(GCounters);

    [Fact]
    public void PNCounter_Merge_IsJoin() => CrdtLaws.MergeIsJoin(PNCounters);

    [Fact]
    public void PNCounter_Deltas_RebuildTheState() => CrdtLaws.DeltasRebuildState(PNCounters);

    [Fact]
    public void PNCounter_AddOnTwoNodes_MergedValueIsTheSum()
    {
        var (a, _) = PNCounter.Empty.Add(1, 5);
        (a, _) = a.Add(1, -2);
        var (b, _) = PNCounter.Empty.Add(2, 4);

        Assert.Equal(7, a.Merge(b).Value);
        Assert.Equal(7, b.Merge(a).Value);
    }

    [Fact]
    public void GCounter_MergeWithStaleCopy_KeepsTheLargerEntry()
    {
        var (old, _) = GCounter.Empty.Increment(1, 3);
        var (current, _) = old.Increment(1, 2);

        Assert.Equal(5UL, old.Merge(current).Value);
        Assert.Equal(5UL, current.Merge(old).Value);
    }

    private static History<GCounter> GCounters(Random random)
    {
        var history = new History<GCounter>(GCounter.Empty);
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            history.Do(s => s.Increment((ulong)random.Next(1, 4), (ulong)random.Next(0, 100)));
        }

        return history;
    }

    private static History<PNCounter> PNCounters(Random random)
    {
        var history = new History<PNCounter>(PNCounter.Empty);
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            history.Do(s => s.Add((ulong)random.Next(1, 4), random.Next(-50, 50)));
        }

        return history;
    }
}
