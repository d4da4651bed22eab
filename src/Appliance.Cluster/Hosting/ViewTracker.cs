using Appliance.Cluster.Membership;
using Microsoft.Extensions.Logging;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>Builds views from the core and logs (and counts, in <paramref name="stats"/>) what changed since the last one, once per change.</summary>
internal sealed class ViewTracker(ILogger logger, MemberTransitionStats stats)
{
    private Dictionary<ulong, (MemberStatus Status, bool Reachable, string Name, string Address)> _last = [];
    private NodePhase _lastPhase = NodePhase.Seeking;

    /// <summary>
    /// The highest phi a view shows. Phi is -log10 of a probability; for a peer silent for a few
    /// seconds that probability underflows to 0 and phi to +Infinity, which JSON cannot carry (the
    /// members endpoint answered 500 while a crashed member waited to be downed). Doubles end near
    /// 1e-308, so 1,000 already means "certainly gone".
    /// </summary>
    public const double PhiCeiling = 1000;
    private int _lastIncarnations = 1;

    public static ClusterView Build(ClusterCore core, long nowMs, DateTimeOffset at)
    {
        var gossip = core.Gossip;
        var leader = gossip.Leader()?.Id.Uid;
        var members = gossip.Members.Values.Select(m =>
        {
            var self = m.Id.Uid == core.Self.Uid;
            var (phi, last) = self ? (0, null) : core.Suspicion(m.Id.Uid, nowMs);
            return new MemberView(m.Name, m.Id.Address.ToString(), m.Id.Uid, m.Status, gossip.Reachability.IsReachable(m.Id.Uid),
                Math.Round(Math.Min(phi, PhiCeiling), 2), last is { } l ? nowMs - l : null, self, m.Id.Uid == leader);
        }).ToList();
        return new ClusterView(core.Self.ToString(), core.Phase, core.Incarnations, core.IsLeader, gossip.HasConvergence(), members, at);
    }

    /// <summary>Logs the differences; true when anything an observer cares about changed.</summary>
    public bool Observe(ClusterCore core, ClusterView view)
    {
        var changed = false;
        if (core.Incarnations != _lastIncarnations)
        {
            ClusterLog.Rejoining(logger, core.Incarnations);
            _lastIncarnations = core.Incarnations;
            changed = true;
        }

        if (core.Phase != _lastPhase && core.Phase == NodePhase.Member)
        {
            ClusterLog.Joined(logger, string.Join(", ", view.Members.Select(m => $"{m.Name} {m.Status.ToText()}")));
            changed = true;
        }

        _lastPhase = core.Phase;
        var now = new Dictionary<ulong, (MemberStatus, bool, string, string)>();
        foreach (var member in view.Members)
        {
            now[member.Uid] = (member.Status, member.Reachable, member.Name, member.Address);
            stats.Suspicion(member);
            if (member.IsSelf && _last.Count == 0)
            {
                continue;
            }

            var known = _last.TryGetValue(member.Uid, out var before);
            stats.MemberChanged(known ? before.Status : null, before.Reachable, member);
            if (!known)
            {
                ClusterLog.MemberStatus(logger, member.Name, member.Address, member.Status.ToText());
                changed = true;
                continue;
            }

            if (before.Status != member.Status)
            {
                ClusterLog.MemberStatus(logger, member.Name, member.Address, member.Status.ToText());
                changed = true;
            }

            if (before.Reachable != member.Reachable)
            {
                if (member.Reachable)
                {
                    ClusterLog.ReachableAgain(logger, member.Name, member.Address);
                }
                else
                {
                    ClusterLog.Unreachable(logger, member.Name, member.Address, member.Phi);
                }

                changed = true;
            }
        }

        foreach (var (uid, before) in _last)
        {
            if (!now.ContainsKey(uid))
            {
                ClusterLog.Removed(logger, before.Name, before.Address);
                stats.MemberRemoved();
                changed = true;
            }
        }

        _last = now;
        return changed;
    }
}
