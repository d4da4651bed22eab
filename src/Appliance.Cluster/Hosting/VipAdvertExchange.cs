using System.Collections.Immutable;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Hosting;

/// <summary>The latest advert heard from one incarnation, and when.</summary>
public sealed record PeerAdvert(long Sequence, IReadOnlyList<VipState> Vips, DateTimeOffset At);

/// <summary>
/// What is left of the VIP adverts on the cluster side while they move to the VIP room's own
/// channel: this node's stand and the peers' latest adverts. Nothing carries them between nodes
/// on the Akka cluster (the VIP channel replaces this type).
/// </summary>
public sealed class VipAdvertExchange
{
    private volatile IReadOnlyList<VipState>? _local;

    /// <summary>The latest advert of each member incarnation that sent one.</summary>
    public IReadOnlyDictionary<ulong, PeerAdvert> Peers { get; } = ImmutableDictionary<ulong, PeerAdvert>.Empty;

    /// <summary>This node's stand (one entry per VIP, sorted by name).</summary>
    public IReadOnlyList<VipState>? Local => _local;

    public void Publish(IReadOnlyList<VipState> vips) => _local = vips;
}
