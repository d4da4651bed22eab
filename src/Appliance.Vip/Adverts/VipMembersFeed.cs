using Appliance.Core.Membership;
using Appliance.Vip.Ownership;
using Appliance.Vip.Tracking;

namespace Appliance.Vip.Adverts;

/// <summary>What one tick decides from: the members, and the peers it still waits to hear from.</summary>
/// <param name="Members">Up members that run VIPs and whose adverts arrive, this node included while it is Up.</param>
/// <param name="Unheard">Members seen Up but not heard from yet (within the grace): decisions wait for them.</param>
/// <param name="Silent">Members that sent no advert within the grace: they are not candidates (VIPs disabled there?).</param>
/// <param name="Quiet">Members heard before whose adverts stopped past the master-down interval: presumed dead, not candidates.</param>
internal sealed record VipFeed(IReadOnlyList<VipMember> Members, IReadOnlyList<string> Unheard, IReadOnlyList<string> Silent, IReadOnlyList<string> Quiet);

/// <summary>
/// Turns the membership view and the peers' VIP adverts into the ownership machine's members. A peer
/// counts with what its latest advert says (claims, tracking penalties, releases). A peer seen Up
/// but not heard from yet holds every decision for up to <see cref="Grace"/> (deciding without its
/// claims could take a VIP it holds: a split brain at every join); after that it is left out, as a
/// node that runs no VIPs. Liveness is the advert channel's, as in VRRP: a peer whose adverts
/// arrive is a candidate even while the membership calls it unreachable (its adverts prove it
/// runs), and one whose adverts stopped (silent past the master-down interval) is presumed dead
/// even while the membership still calls it reachable. The membership decides who may be a
/// candidate at all (Up members); a newly seen incarnation with only an old silent advert gets
/// the grace instead. Not thread-safe: the VIP service's loop owns it.
/// </summary>
internal sealed class VipMembersFeed(TimeSpan grace)
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(1);

    // By membership incarnation: a restarted peer gets a grace of its own.
    private readonly Dictionary<ulong, DateTimeOffset> _firstSeen = [];

    public TimeSpan Grace => grace;

    public VipFeed From(ClusterView? view, VipMember self, IReadOnlyDictionary<string, HeardAdvert> adverts, DateTimeOffset now)
    {
        if (view is null)
        {
            return new([self], [], [], []);
        }

        var members = new List<VipMember>();
        var unheard = new List<string>();
        var silent = new List<string>();
        var quiet = new List<string>();
        var live = new HashSet<ulong>();
        foreach (var m in view.Members)
        {
            if (m.Status != MemberStatus.Up)
            {
                continue;
            }

            if (m.IsSelf)
            {
                // This node is a candidate while Up whatever the membership's reachability says of
                // it: while a partition heals, the far side's old observations briefly mark every
                // member unreachable, this one included, and letting go then would flap the VIP.
                members.Add(self with { Name = m.Name });
            }
            else
            {
                live.Add(m.Uid);
                var since = _firstSeen.TryGetValue(m.Uid, out var t) ? t : _firstSeen[m.Uid] = now;
                var advert = adverts.GetValueOrDefault(m.Name);
                if (advert is { Silent: false })
                {
                    members.Add(Member(m.Name, advert.Vips));
                }
                else if (now - since < grace)
                {
                    unheard.Add(m.Name);
                }
                else
                {
                    (advert is null ? silent : quiet).Add(m.Name);
                }
            }
        }

        foreach (var uid in _firstSeen.Keys.Where(u => !live.Contains(u)).ToList())
        {
            _firstSeen.Remove(uid);
        }

        return new(members, unheard, silent, quiet);
    }

    /// <summary>A peer as its advert describes it.</summary>
    public static VipMember Member(string name, IReadOnlyList<VipClaim> vips)
    {
        var penalties = new Dictionary<string, int>(StringComparer.Ordinal);
        var claims = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string?>? yields = null;
        foreach (var v in vips)
        {
            penalties[v.Vip] = v.Penalty;
            if (v.Held)
            {
                claims.Add(v.Vip);
            }

            if (v.Releasing)
            {
                (yields ??= new(StringComparer.Ordinal))[v.Vip] = v.YieldTo;
            }
        }

        return new VipMember(name, penalties, false, claims, yields);
    }

    /// <summary>This node's advert entries, one per VIP, sorted by name.</summary>
    public static IReadOnlyList<VipClaim> Advert(VipMember self, IEnumerable<string> vips) =>
        vips.Order(StringComparer.Ordinal)
            .Select(v => new VipClaim(v, self.ClaimsVip(v), Math.Clamp(self.PenaltyOn(v), 0, 1000), self.ReleasesVip(v), self.ReleasesVip(v) ? self.YieldTarget(v) : null))
            .ToList();

    /// <summary>
    /// While this node still pulls replicated state at start: fault (priority lost entirely) for
    /// every VIP. It goes into its advert too, so no node yields a VIP to it while clients would
    /// land on an empty session table.
    /// </summary>
    public static Dictionary<string, int> Syncing(IReadOnlyDictionary<string, int> penalties) =>
        penalties.ToDictionary(p => p.Key, _ => TrackPenalty.Fault, StringComparer.Ordinal);
}
