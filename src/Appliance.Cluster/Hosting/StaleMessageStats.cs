using Appliance.Cluster.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// Messages that passed the transport's checks (key, sequence, decoding) but belong to another life
/// of a node (<see cref="ClusterCore.CheckIncarnation"/>) and were dropped unread. Monotonic
/// counters, readable from any thread.
/// </summary>
public sealed class StaleMessageStats
{
    private long _forEarlierIncarnation;
    private long _fromDownedIncarnation;

    /// <summary>Messages addressed to an earlier incarnation of this node.</summary>
    public long ForEarlierIncarnation => Interlocked.Read(ref _forEarlierIncarnation);

    /// <summary>Messages from an incarnation the cluster has downed or removed.</summary>
    public long FromDownedIncarnation => Interlocked.Read(ref _fromDownedIncarnation);

    internal void Count(StaleMessage kind)
    {
        switch (kind)
        {
            case StaleMessage.ForEarlierIncarnation:
                Interlocked.Increment(ref _forEarlierIncarnation);
                break;
            case StaleMessage.FromDownedIncarnation:
                Interlocked.Increment(ref _fromDownedIncarnation);
                break;
        }
    }
}
