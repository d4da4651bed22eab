using Appliance.Cluster.Hosting;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Tests.Simulation;

namespace Appliance.Tests.Hosting;

public sealed class VipAdvertExchangeTests
{
    private static readonly VipState Held = new("198.18.1.100/24", true, 0, false, null);

    private static SimCluster Formed()
    {
        var cluster = new SimCluster(2, 7);
        cluster.Start();
        cluster.RunUntil(() => cluster.Converged(2), 15_000, "2 nodes join");
        return cluster;
    }

    [Fact]
    public void Tick_StandChanged_SentAtOnceToEveryOtherMember_ThenOnlyEveryInterval()
    {
        var cluster = Formed();
        var exchange = new VipAdvertExchange(TimeProvider.System, TimeSpan.FromMilliseconds(100));
        exchange.Publish([Held]);

        var first = exchange.Tick(cluster[0], 1_000);
        exchange.Publish([Held]);
        var unchanged = exchange.Tick(cluster[0], 1_050);
        var due = exchange.Tick(cluster[0], 1_100);
        exchange.Publish([Held with { Held = false }]);
        var changed = exchange.Tick(cluster[0], 1_110);

        var sent = Assert.Single(first);
        Assert.Equal(cluster[1].Self.Uid, sent.ToUid);
        var advert = Assert.IsType<VipAdvert>(sent.Message);
        Assert.Equal([Held], advert.Vips);
        Assert.Empty(unchanged);
        Assert.Single(due);
        Assert.False(Assert.IsType<VipAdvert>(Assert.Single(changed).Message).Vips[0].Held);
        Assert.True(((VipAdvert)changed[0].Message).Sequence > advert.Sequence);
    }

    [Fact]
    public void Tick_NothingPublished_SendsNothing()
    {
        var cluster = Formed();

        Assert.Empty(new VipAdvertExchange(TimeProvider.System).Tick(cluster[0], 1_000));
    }

    [Fact]
    public void Receive_KeepsTheNewestPerIncarnation_IgnoresOlderAndStrangers()
    {
        var cluster = Formed();
        var exchange = new VipAdvertExchange(TimeProvider.System);
        var from = cluster[1].Self;

        exchange.Receive(new VipAdvert(from, 5, [Held]), cluster[0]);
        exchange.Receive(new VipAdvert(from, 4, []), cluster[0]);
        exchange.Receive(new VipAdvert(new UniqueAddress(new NodeAddress("stranger", 1), 99), 9, [Held]), cluster[0]);

        var kept = Assert.Single(exchange.Peers);
        Assert.Equal(from.Uid, kept.Key);
        Assert.Equal(5, kept.Value.Sequence);
        Assert.Equal([Held], kept.Value.Vips);
    }
}
