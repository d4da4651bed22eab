using System.Collections.Immutable;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>The latest advert heard from one incarnation, and when.</summary>
public sealed record PeerAdvert(long Sequence, IReadOnlyList<VipState> Vips, DateTimeOffset At);

/// <summary>
/// Carries VIP adverts (docs/vips.md, "Claims between nodes") inside the cluster loop: the VIP
/// service publishes this node's stand from its own thread; the loop sends it to every member at
/// once when it changes and every <see cref="Interval"/> otherwise, and keeps the latest advert of
/// each member (by incarnation uid) for the VIP service to read. Adverts of incarnations that are no
/// longer members are dropped, so what is kept stays bounded by the member count.
/// </summary>
public sealed class VipAdvertExchange(TimeProvider time, TimeSpan? interval = null)
{
    /// <summary>VRRP sends an advert every second; ours are small and also go out at once on change.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly long _intervalMs = (long)(interval ?? DefaultInterval).TotalMilliseconds;
    private volatile IReadOnlyList<VipState>? _local;
    private volatile bool _changed;
    private volatile ImmutableDictionary<ulong, PeerAdvert> _peers = ImmutableDictionary<ulong, PeerAdvert>.Empty;
    private long _sequence;
    private long _nextSendMs;

    public TimeSpan Interval => TimeSpan.FromMilliseconds(_intervalMs);

    /// <summary>The latest advert of each member incarnation that sent one.</summary>
    public IReadOnlyDictionary<ulong, PeerAdvert> Peers => _peers;

    /// <summary>Sets this node's stand (one entry per VIP, sorted by name); it goes out at once when it changed.</summary>
    public void Publish(IReadOnlyList<VipState> vips)
    {
        if (_local is { } last && last.SequenceEqual(vips))
        {
            return;
        }

        _local = vips;
        _changed = true;
    }

    internal static bool Handles(ClusterMessage message) => message is VipAdvert;

    /// <summary>Keeps the advert when its sender is a member and it is newer than the last one from that incarnation.</summary>
    internal void Receive(ClusterMessage message, ClusterCore core)
    {
        if (message is not VipAdvert advert || advert.From.Uid == core.Self.Uid || !core.Gossip.Members.ContainsKey(advert.From))
        {
            return;
        }

        var peers = _peers;
        if (peers.TryGetValue(advert.From.Uid, out var known) && known.Sequence >= advert.Sequence)
        {
            return;
        }

        _peers = peers.SetItem(advert.From.Uid, new PeerAdvert(advert.Sequence, advert.Vips, time.GetUtcNow()));
    }

    /// <summary>Drops adverts of former members; sends this node's stand when it changed or is due.</summary>
    internal IReadOnlyList<Outgoing> Tick(ClusterCore core, long nowMs)
    {
        var members = core.Gossip.Members;
        var peers = _peers;
        var gone = peers.Keys.Where(uid => !members.Keys.Any(id => id.Uid == uid)).ToList();
        if (gone.Count > 0)
        {
            _peers = peers.RemoveRange(gone);
        }

        if (_local is not { } local || core.Phase != NodePhase.Member || (!_changed && nowMs < _nextSendMs))
        {
            return [];
        }

        _changed = false;
        _nextSendMs = nowMs + _intervalMs;
        var advert = new VipAdvert(core.Self, ++_sequence, local);
        var outgoing = new List<Outgoing>();
        foreach (var m in members.Values)
        {
            if (m.Id != core.Self && m.Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            {
                outgoing.Add(new Outgoing(m.Id.Address, m.Id.Uid, advert));
            }
        }

        return outgoing;
    }
}
