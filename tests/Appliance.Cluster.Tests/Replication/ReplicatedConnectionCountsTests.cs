using Appliance.Cluster.Replication;

namespace Appliance.Tests.Replication;

public sealed class ReplicatedConnectionCountsTests
{
    [Fact]
    public void Get_GaugesOfThreeNodes_IsTheirSum()
    {
        var nodes = new[] { new ReplicatedConnectionCounts(1), new ReplicatedConnectionCounts(2), new ReplicatedConnectionCounts(3) };
        nodes[0].Add("web/a", 2);
        nodes[1].Add("web/a", 3);
        nodes[2].Add("web/a", 4);
        nodes[2].Add("web/a", -1);

        Exchange(nodes);

        Assert.All(nodes, n => Assert.Equal(8, n.Get("web/a")));
        Assert.Equal(3, nodes[2].GetLocal("web/a"));
    }

    [Fact]
    public void DropNode_CrashedNodesGauges_DisappearFromTheSum()
    {
        var nodes = new[] { new ReplicatedConnectionCounts(1), new ReplicatedConnectionCounts(2), new ReplicatedConnectionCounts(3) };
        nodes[0].Add("web/a", 5);
        nodes[2].Add("web/a", 7);
        Exchange(nodes);

        nodes[1].DropNode(3);
        nodes[0].MergeRemote(nodes[1].DrainDelta()!);

        Assert.Equal(5, nodes[0].Get("web/a"));
        Assert.Equal(5, nodes[1].Get("web/a"));
    }

    [Fact]
    public void ChangeNode_AfterAPartitionItLost_ItsDropsOfTheWinnersNeverSpread()
    {
        // Node 3 is cut off and downs 1 and 2, who down it; the partition heals and 3 loses the
        // merge: it rejoins as incarnation 4 while 1 and 2 keep theirs.
        var nodes = new[] { new ReplicatedConnectionCounts(1), new ReplicatedConnectionCounts(2), new ReplicatedConnectionCounts(3) };
        nodes[0].Add("web/a", 5);
        nodes[1].Add("web/a", 7);
        nodes[2].Add("web/a", 2);
        Exchange(nodes);
        nodes[2].DropNode(1);
        nodes[2].DropNode(2);
        nodes[0].DropNode(3);
        nodes[1].DropNode(3);

        nodes[2].ChangeNode(4);
        Exchange(nodes);
        nodes[2].MergeRemote(nodes[0].FullState());
        nodes[0].MergeRemote(nodes[2].FullState());
        nodes[1].MergeRemote(nodes[2].FullState());

        Assert.DoesNotContain(1UL, nodes[2].FullState().Dropped);
        Assert.DoesNotContain(2UL, nodes[2].FullState().Dropped);
        Assert.All(nodes, n => Assert.Equal(14, n.Get("web/a")));
        nodes[0].Add("web/a", 1);
        Exchange(nodes);
        Assert.All(nodes, n => Assert.Equal(15, n.Get("web/a")));
    }

    [Fact]
    public void DrainDelta_BurstOfChanges_OneEntryPerBackend()
    {
        var counts = new ReplicatedConnectionCounts(1);
        for (var i = 0; i < 100; i++)
        {
            counts.Add("web/a", 1);
            counts.Add("web/a", -1);
        }

        var delta = counts.DrainDelta();

        Assert.NotNull(delta);
        Assert.Single(delta.Nodes[1]);
        Assert.Equal(0, delta.Get(1, "web/a"));
        Assert.Null(counts.DrainDelta());
    }

    private static void Exchange(ReplicatedConnectionCounts[] nodes)
    {
        var deltas = nodes.Select(n => n.DrainDelta()).ToList();
        foreach (var node in nodes)
        {
            foreach (var delta in deltas)
            {
                if (delta is not null)
                {
                    node.MergeRemote(delta);
                }
            }
        }
    }
}
