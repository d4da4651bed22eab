using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Tests.Simulation;

/// <summary>
/// An in-memory network with simulated time: messages are delivered after a delay and can be
/// dropped, duplicated, reordered (through random delays) or blocked by a partition. Everything
/// is driven by one seeded Random, so a failing seed replays exactly.
/// </summary>
internal sealed class SimNetwork(int seed)
{
    private readonly PriorityQueue<(NodeAddress To, ulong ToUid, ClusterMessage Message), (long At, long Order)> _inFlight = new();
    private readonly HashSet<(NodeAddress, NodeAddress)> _blocked = [];
    private long _order;

    public Random Random { get; } = new(seed);

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public int MinDelayMs { get; set; } = 1;

    public int MaxDelayMs { get; set; } = 3;

    public long Delivered { get; private set; }

    public long Dropped { get; private set; }

    public void Send(NodeAddress from, Outgoing message, long nowMs)
    {
        if (_blocked.Contains((from, message.To)) || Random.NextDouble() < DropRate)
        {
            Dropped++;
            return;
        }

        var copies = Random.NextDouble() < DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            var at = nowMs + Random.Next(MinDelayMs, MaxDelayMs + 1);
            _inFlight.Enqueue((message.To, message.ToUid, message.Message), (at, _order++));
        }
    }

    /// <summary>Messages due by <paramref name="nowMs"/>, in delivery order.</summary>
    public IEnumerable<(NodeAddress To, ulong ToUid, ClusterMessage Message)> Due(long nowMs)
    {
        while (_inFlight.TryPeek(out var item, out var when) && when.At <= nowMs)
        {
            _inFlight.Dequeue();
            Delivered++;
            yield return item;
        }
    }

    /// <summary>Blocks traffic both ways between every node of <paramref name="a"/> and every node of <paramref name="b"/>.</summary>
    public void Partition(IEnumerable<NodeAddress> a, IEnumerable<NodeAddress> b)
    {
        var bList = b.ToList();
        foreach (var x in a)
        {
            foreach (var y in bList)
            {
                _blocked.Add((x, y));
                _blocked.Add((y, x));
            }
        }
    }

    public void Heal() => _blocked.Clear();
}
