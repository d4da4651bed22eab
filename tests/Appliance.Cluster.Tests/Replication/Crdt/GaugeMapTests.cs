using Appliance.Cluster.Replication.Crdt;

namespace Appliance.Tests.Replication.Crdt;

public sealed class GaugeMapTests
{
    [Fact]
    public void Merge_IsJoin() => CrdtLaws.MergeIsJoin(Gauges);

    [Fact]
    public void Deltas_RebuildTheState() => CrdtLaws.DeltasRebuildState(Gauges);

    [Fact]
    public void Sum_GaugesOfThreeNodes_AddsThemUp()
    {
        var a = GaugeMap.Empty.Set(1, "web/a", 3).State;
        var b = GaugeMap.Empty.Set(2, "web/a", 4).State;
        var c = GaugeMap.Empty.Set(3, "web/a", 5).State.Set(3, "web/b", 7).State;

        var merged = a.Merge(b).Merge(c);

        Assert.Equal(12, merged.Sum("web/a"));
        Assert.Equal(7, merged.Sum("web/b"));
        Assert.Equal(8, merged.Sum("web/a", node => node != 2));
    }

    [Fact]
    public void DropNode_LateDeltaFromDeadNode_StaysDropped()
    {
        var (dead, lateDelta) = GaugeMap.Empty.Set(9, "web/a", 40);
        var survivor = GaugeMap.Empty.Set(1, "web/a", 2).State.Merge(dead);

        var (dropped, dropDelta) = survivor.DropNode(9);
        var afterLateDelta = dropped.Merge(lateDelta);
        var other = dead.Merge(dropDelta);

        Assert.Equal(2, afterLateDelta.Sum("web/a"));
        Assert.Equal(0, other.Sum("web/a"));
        Assert.Empty(other.Nodes);
    }

    [Fact]
    public void Set_SameOwnerTwice_LaterWriteWinsInAnyOrder()
    {
        var (first, d1) = GaugeMap.Empty.Set(1, "web/a", 10);
        var (_, d2) = first.Set(1, "web/a", 0);

        Assert.Equal(0, GaugeMap.Empty.Merge(d2).Merge(d1).Get(1, "web/a"));
        Assert.Equal(0, GaugeMap.Empty.Merge(d1).Merge(d2).Get(1, "web/a"));
    }

    private static History<GaugeMap> Gauges(Random random)
    {
        var history = new History<GaugeMap>(GaugeMap.Empty);
        for (var i = random.Next(0, 16); i > 0; i--)
        {
            var node = (ulong)random.Next(1, 5);
            if (random.Next(8) == 0)
            {
                history.Do(s => s.DropNode(node));
            }
            else
            {
                history.Do(s => s.Set(node, $"web/{random.Next(0, 3)}", random.Next(-2, 20)));
            }
        }

        return history;
    }
}
