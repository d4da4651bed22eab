using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

public sealed partial class ClusterCore
{
    private readonly Dictionary<ulong, long> _unreachableSince = [];

    /// <summary>True when this node is the leader of its view.</summary>
    public bool IsLeader => Phase == NodePhase.Member && Gossip.Leader()?.Id.Uid == Self.Uid;

    private void TickMember(long nowMs)
    {
        HeartbeatTick(nowMs);
        UpdateReachability(nowMs);
        if (IsLeader)
        {
            DownUnreachable(nowMs);
            LeaderActions(nowMs);
        }

        GossipTick(nowMs);
        ProbeForOtherClusters(nowMs);
        Gossip = Gossip.PruneTombstones(nowMs, (long)_options.TombstoneTtl.TotalMilliseconds);
        CheckSelf(nowMs);
    }

    /// <summary>
    /// Availability first: a member unreachable for DownAfter is downed by the leader of this side,
    /// so this side carries on without it (the other side of a partition does the same).
    /// </summary>
    private void DownUnreachable(long nowMs)
    {
        var gossip = Gossip;
        foreach (var member in OtherMembers())
        {
            var uid = member.Id.Uid;
            if (member.Status is MemberStatus.Down or MemberStatus.Removed || Gossip.Reachability.IsReachable(uid))
            {
                _unreachableSince.Remove(uid);
                continue;
            }

            var since = _unreachableSince.TryGetValue(uid, out var s) ? s : _unreachableSince[uid] = nowMs;
            if (nowMs - since >= _options.DownAfter.TotalMilliseconds)
            {
                gossip = gossip.With(member.With(MemberStatus.Down));
                _unreachableSince.Remove(uid);
                _lostAddresses[member.Id.Address] = nowMs + (long)_options.TombstoneTtl.TotalMilliseconds;
            }
        }

        if (!ReferenceEquals(gossip, Gossip))
        {
            ChangeGossip(gossip);
        }
    }

    /// <summary>At convergence the leader moves members along: Joining->Up, Leaving->Exiting, Exiting/Down->Removed.</summary>
    private void LeaderActions(long nowMs)
    {
        if (!Gossip.HasConvergence())
        {
            return;
        }

        var gossip = Gossip;
        var removed = new List<ulong>();
        var upNumber = gossip.Members.Values.Select(m => m.UpNumber).DefaultIfEmpty(0).Max();
        foreach (var member in gossip.Members.Values)
        {
            switch (member.Status)
            {
                case MemberStatus.Joining:
                    gossip = gossip.With(member with { Status = MemberStatus.Up, UpNumber = ++upNumber });
                    break;
                case MemberStatus.Leaving:
                    gossip = gossip.With(member.With(MemberStatus.Exiting));
                    break;
                case MemberStatus.Exiting or MemberStatus.Down:
                    removed.Add(member.Id.Uid);
                    break;
            }
        }

        if (removed.Count > 0)
        {
            gossip = gossip.Remove(removed, nowMs);
        }

        if (!ReferenceEquals(gossip, Gossip))
        {
            ChangeGossip(gossip);
        }
    }
}
