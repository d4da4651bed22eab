using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;

namespace Appliance.Tests.Transport;

public sealed class DropOldestQueueTests
{
    private static readonly UniqueAddress Self = new(new NodeAddress("10.0.0.1", 7946), 1);

    private static DropOldestQueue<string> Queue(int capacity) => new(capacity, s => s.StartsWith('g'));

    private static List<string> Drain(DropOldestQueue<string> queue)
    {
        var items = new List<string>();
        while (queue.TryDequeue(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public void Enqueue_Full_DropsOldestExpendableFirst()
    {
        var queue = Queue(3);
        queue.Enqueue("join");
        queue.Enqueue("g1");
        queue.Enqueue("g2");

        Assert.False(queue.Enqueue("leave"));

        Assert.Equal(["join", "g2", "leave"], Drain(queue));
    }

    [Fact]
    public void Enqueue_FullWithNothingExpendable_DropsOldest()
    {
        var queue = Queue(2);
        queue.Enqueue("a");
        queue.Enqueue("b");

        Assert.False(queue.Enqueue("c"));

        Assert.Equal(["b", "c"], Drain(queue));
    }

    [Fact]
    public void Enqueue_ManyMoreThanCapacity_NeverHoldsMore()
    {
        var queue = Queue(16);
        var dropped = 0;
        for (var i = 0; i < 10_000; i++)
        {
            dropped += queue.Enqueue((i % 3 == 0 ? "x" : "g") + i) ? 0 : 1;
            Assert.True(queue.Count <= 16);
        }

        Assert.Equal(10_000 - 16, dropped);
        Assert.All(Drain(queue), item => Assert.True(int.Parse(item[1..], System.Globalization.CultureInfo.InvariantCulture) >= 10_000 - 48, item));
    }

    [Fact]
    public async Task WaitToReadAsync_ItemArrivesLater_Completes()
    {
        var queue = Queue(4);
        var waiting = queue.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        queue.Enqueue("a");

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitToReadAsync_Completed_ReturnsFalseAndRefusesItems()
    {
        var queue = Queue(4);
        var waiting = queue.WaitToReadAsync(CancellationToken.None).AsTask();

        queue.Complete();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(queue.Enqueue("late"));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task InboundQueue_ConsumerLags_DropsOldestHeartbeatKeepsJoinAndCounts()
    {
        var stats = new TransportStats();
        var incoming = new InboundQueue(3, stats);
        incoming.Write(new InboundMessage(0, new Join(Self, "a")));
        incoming.Write(new InboundMessage(0, new Heartbeat(Self, 1)));
        incoming.Write(new InboundMessage(0, new Heartbeat(Self, 2)));

        Assert.False(incoming.Write(new InboundMessage(0, new Leave(Self))));
        incoming.Complete();

        var read = new List<ClusterMessage>();
        await foreach (var message in incoming.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token))
        {
            read.Add(message.Message);
        }

        Assert.Collection(
            read,
            m => Assert.IsType<Join>(m),
            m => Assert.Equal(2, Assert.IsType<Heartbeat>(m).Sequence),
            m => Assert.IsType<Leave>(m));
        Assert.Equal(1, stats.DroppedIncoming);
        Assert.True(incoming.Completion.IsCompleted);
    }
}
