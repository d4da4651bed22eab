using Appliance.Replication.Tests.Support;

namespace Appliance.Replication.Tests.Cluster;

/// <summary>Connection counts on Akka.DistributedData: summed over the live members, a removed member's gauges dropped.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GaugeReplicationTests
{
    [Fact]
    public async Task Gauges_SumAcrossNodes_AndDropAMemberThatLeft()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        cluster[0].Counts.Add("web/b1", 2);
        cluster[1].Counts.Add("web/b1", 3);
        cluster[2].Counts.Add("web/b1", 5);
        cluster[2].Counts.Add("tcp/pool/b2", 1);

        await Eventually.AssertAsync(() => cluster.Nodes.All(n => n.Counts.Get("web/b1") == 10), TimeSpan.FromSeconds(15), "10 in flight seen everywhere");
        Assert.Equal(2, cluster[0].Counts.GetLocal("web/b1"));
        Assert.Equal(1, cluster[0].Counts.Get("tcp/pool/b2"));

        cluster[0].Counts.Add("web/b1", -1);
        await Eventually.AssertAsync(() => cluster[1].Counts.Get("web/b1") == 9, TimeSpan.FromSeconds(15), "a decrement travels");

        await cluster[2].LeaveAsync();
        await Eventually.AssertAsync(
            () => cluster[0].Counts.Get("web/b1") == 4 && cluster[1].Counts.Get("web/b1") == 4 && cluster[0].Counts.Get("tcp/pool/b2") == 0,
            TimeSpan.FromSeconds(20),
            "the leaver's gauges dropped, not folded into a survivor's");
    }
}
