using Appliance.Cluster.Messages;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

public sealed partial class ClusterCore
{
    private long _nextGossipMs;

    /// <summary>Anti-entropy: a digest to one random live member, preferring one that has not seen our version.</summary>
    private void GossipTick(long nowMs)
    {
        if (nowMs < _nextGossipMs)
        {
            return;
        }

        _nextGossipMs = nowMs + (long)_options.GossipInterval.TotalMilliseconds;
        var peers = OtherMembers().Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Removed)
            && Gossip.Reachability.IsReachable(Self.Uid, m.Id.Uid)).ToList();
        if (peers.Count == 0)
        {
            return;
        }

        var unseen = peers.Where(m => !Gossip.Seen.Contains(m.Id.Uid)).ToList();
        var pool = unseen.Count > 0 && _random.Next(3) > 0 ? unseen : peers;
        var target = pool[_random.Next(pool.Count)];
        Send(target.Id.Address, target.Id.Uid, new GossipStatus(Self, Gossip.Version, Gossip.Seen));
    }

    /// <summary>After a local change every live member gets the full gossip at once (clusters here are small).</summary>
    private void PushToAll()
    {
        foreach (var member in OtherMembers())
        {
            if (member.Status is not (MemberStatus.Down or MemberStatus.Removed))
            {
                Send(member.Id.Address, member.Id.Uid, new GossipEnvelope(Self, Gossip));
            }
        }
    }

    private void ReplyStatus(UniqueAddress to) => Send(to.Address, to.Uid, new GossipStatus(Self, Gossip.Version, Gossip.Seen));

    private void OnGossipStatus(GossipStatus status)
    {
        if (Phase != NodePhase.Member)
        {
            return;
        }

        switch (Gossip.Version.CompareTo(status.Version))
        {
            case VersionOrder.Same:
                var seen = Gossip.Seen.Union(status.Seen).Add(Self.Uid);
                if (seen.Count != Gossip.Seen.Count)
                {
                    Gossip = Gossip with { Seen = seen };
                    ReplyStatus(status.From); // so the sender learns our seen set too
                }

                break;
            case VersionOrder.Before:
                ReplyStatus(status.From); // we are behind: our digest asks for theirs
                break;
            default:
                Send(status.From.Address, status.From.Uid, new GossipEnvelope(Self, Gossip));
                break;
        }
    }

    private void OnGossipEnvelope(GossipEnvelope envelope, long nowMs)
    {
        if (Phase != NodePhase.Member)
        {
            return;
        }

        var remote = envelope.Gossip;
        switch (Gossip.Version.CompareTo(remote.Version))
        {
            case VersionOrder.Same:
                Gossip = Gossip with { Seen = Gossip.Seen.Union(remote.Seen).Add(Self.Uid) };
                break;
            case VersionOrder.Before:
                Gossip = remote.MarkSeen(Self.Uid);
                break;
            case VersionOrder.After:
                Send(envelope.From.Address, envelope.From.Uid, new GossipEnvelope(Self, Gossip));
                return;
            default:
                Gossip = Gossip.Merge(remote).MarkSeen(Self.Uid);
                break;
        }

        ReplyStatus(envelope.From);
        CheckSelf(nowMs);
    }

    private void OnLeave(Leave leave)
    {
        if (Phase == NodePhase.Member && Gossip.Find(leave.From.Uid) is { Status: MemberStatus.Joining or MemberStatus.Up } member)
        {
            ChangeGossip(Gossip.With(member.With(MemberStatus.Leaving)));
        }
    }

    /// <summary>
    /// What the gossip says about us: Exiting (after our leave) -> our hand-over is done, stop;
    /// downed or removed without having left -> rejoin as a new incarnation.
    /// </summary>
    private void CheckSelf(long nowMs)
    {
        var me = Gossip.Find(Self.Uid);
        if (me?.Status == MemberStatus.Exiting || (_leaving && me?.Status is null or MemberStatus.Down or MemberStatus.Removed))
        {
            Phase = NodePhase.Stopped;
            return;
        }

        if (me is null || me.Status is MemberStatus.Down or MemberStatus.Removed)
        {
            Rejoin(nowMs);
        }
    }

    private bool _leaving;
}
