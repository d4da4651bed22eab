using Appliance.Cluster.Messages;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

public sealed partial class ClusterCore
{
    private long _seekingSinceMs;
    private long? _lowerSeekerHeardMs;
    private long _nextProbeMs;
    private readonly Dictionary<NodeAddress, long> _lostAddresses = [];

    /// <summary>What this cluster looks like to a node outside it.</summary>
    public ClusterDigest Digest()
    {
        var live = Gossip.Members.Values.Where(m => m.Status.IsLive()).Select(m => m.Id.Address).ToList();
        return live.Count == 0 ? new ClusterDigest(0, Self.Address) : new ClusterDigest(live.Count, live.Min());
    }

    private void StartSeeking(long nowMs)
    {
        Phase = NodePhase.Seeking;
        _seekingSinceMs = nowMs;
        _nextProbeMs = nowMs + (long)_options.ProbeInterval.TotalMilliseconds;
        ProbeSeeds(cluster: null);
    }

    private void TickSeeking(long nowMs)
    {
        // Only one of several seeds starting together may form the cluster (the lowest address);
        // the others wait for it, so a fresh cluster does not start as several that must then merge.
        var lowerSeekerAlive = _lowerSeekerHeardMs is { } heard && nowMs - heard < 3 * _options.ProbeInterval.TotalMilliseconds;
        if (_seeds.Contains(Self.Address) && !lowerSeekerAlive
            && nowMs - _seekingSinceMs >= _options.SeedJoinTimeout.TotalMilliseconds)
        {
            FormCluster();
            return;
        }

        if (nowMs >= _nextProbeMs)
        {
            _nextProbeMs = nowMs + (long)_options.ProbeInterval.TotalMilliseconds;
            ProbeSeeds(cluster: null);
        }
    }

    /// <summary>No other seed answered: this node starts a cluster of its own, Up at once.</summary>
    private void FormCluster()
    {
        Phase = NodePhase.Member;
        Gossip = Gossip.Empty.With(new Member(Self, Name, MemberStatus.Up, 1)).Changed(Self.Uid);
        ResetDetection();
    }

    private void ProbeSeeds(ClusterDigest? cluster)
    {
        foreach (var seed in _seeds.Concat(_lostAddresses.Keys).Distinct())
        {
            if (seed != Self.Address)
            {
                Send(seed, 0, new InitJoin(Self, cluster));
            }
        }
    }

    /// <summary>
    /// While a member: ask seeds and recently lost members that are not live members of our cluster
    /// which cluster they are in. This is how two sides of a healed partition find each other.
    /// </summary>
    private void ProbeForOtherClusters(long nowMs)
    {
        if (nowMs < _nextProbeMs)
        {
            return;
        }

        _nextProbeMs = nowMs + (long)_options.ProbeInterval.TotalMilliseconds;
        foreach (var (address, expires) in _lostAddresses.ToList())
        {
            if (nowMs > expires)
            {
                _lostAddresses.Remove(address);
            }
        }

        var digest = Digest();
        foreach (var address in _seeds.Concat(_lostAddresses.Keys).Distinct())
        {
            var member = Gossip.FindByAddress(address);
            if (address != Self.Address && (member is null || !member.Status.IsLive()))
            {
                Send(address, 0, new InitJoin(Self, digest));
            }
        }
    }

    private void OnInitJoin(InitJoin probe)
    {
        if (Phase == NodePhase.Member && Gossip.Find(Self.Uid)?.Status.IsLive() == true)
        {
            Send(probe.From.Address, probe.From.Uid, new InitJoinAck(Self, Digest()));
        }
        else if (Phase == NodePhase.Seeking)
        {
            // "No cluster here, but I am alive and looking too": an empty digest.
            Send(probe.From.Address, probe.From.Uid, new InitJoinAck(Self, new ClusterDigest(0, Self.Address)));
        }
    }

    private void OnInitJoinAck(InitJoinAck ack, long nowMs)
    {
        if (ack.Cluster.LiveMembers == 0)
        {
            if (Phase == NodePhase.Seeking && ack.From.Address < Self.Address)
            {
                _lowerSeekerHeardMs = nowMs;
            }

            return;
        }

        if (Phase == NodePhase.Seeking)
        {
            Send(ack.From.Address, ack.From.Uid, new Join(Self, Name));
            return;
        }

        // We are in a cluster and found another one: the weaker side rejoins the stronger as new incarnations.
        var member = Gossip.FindByAddress(ack.From.Address);
        if (Phase == NodePhase.Member && (member is null || !member.Status.IsLive()) && ack.Cluster.Beats(Digest()))
        {
            Rejoin(nowMs);
            Send(ack.From.Address, ack.From.Uid, new Join(Self, Name));
        }
    }

    private void OnJoin(Join join, long nowMs)
    {
        if (Phase != NodePhase.Member || Gossip.Find(Self.Uid)?.Status.IsLive() != true)
        {
            return;
        }

        var gossip = Gossip;
        var previous = gossip.FindByAddress(join.From.Address);
        if (previous is not null && previous.Id.Uid != join.From.Uid && previous.Status is not (MemberStatus.Down or MemberStatus.Removed))
        {
            gossip = gossip.With(previous.With(MemberStatus.Down)); // a restart: the old incarnation is gone
        }

        if (gossip.Find(join.From.Uid) is null && !gossip.IsTombstoned(join.From.Uid))
        {
            gossip = gossip.With(new Member(join.From, join.Name, MemberStatus.Joining, 0));
        }

        if (!ReferenceEquals(gossip, Gossip))
        {
            ChangeGossip(gossip);
        }

        _lostAddresses.Remove(join.From.Address);
        Send(join.From.Address, join.From.Uid, new Welcome(Self, Gossip));
    }

    private void OnWelcome(Welcome welcome, long nowMs)
    {
        if (Phase != NodePhase.Seeking || welcome.Gossip.Find(Self.Uid) is null)
        {
            return;
        }

        Phase = NodePhase.Member;
        Gossip = welcome.Gossip.MarkSeen(Self.Uid);
        ResetDetection();
        _nextProbeMs = nowMs + (long)_options.ProbeInterval.TotalMilliseconds;
        ReplyStatus(welcome.From);
    }

    /// <summary>
    /// This incarnation was downed or removed by the cluster (or lost a partition merge): start
    /// again as a new incarnation and join through the seeds.
    /// </summary>
    private void Rejoin(long nowMs)
    {
        foreach (var member in OtherMembers())
        {
            _lostAddresses[member.Id.Address] = nowMs + (long)_options.TombstoneTtl.TotalMilliseconds;
        }

        Self = new UniqueAddress(Self.Address, NewUid());
        Incarnations++;
        Gossip = Gossip.Empty;
        ResetDetection();
        StartSeeking(nowMs);
    }
}
