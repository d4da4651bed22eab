using System.Collections.Immutable;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

/// <summary>
/// The cluster state every node gossips: members, who cannot reach whom, a version vector, who has
/// seen this version, and tombstones of removed incarnations (so a stale gossip cannot bring them
/// back). Immutable; every change returns a new gossip.
/// </summary>
public sealed record Gossip(
    ImmutableSortedDictionary<UniqueAddress, Member> Members,
    Reachability Reachability,
    VectorClock Version,
    ImmutableHashSet<ulong> Seen,
    ImmutableDictionary<ulong, long> Tombstones)
{
    public static readonly Gossip Empty = new(
        ImmutableSortedDictionary<UniqueAddress, Member>.Empty,
        Reachability.Empty,
        VectorClock.Empty,
        ImmutableHashSet<ulong>.Empty,
        ImmutableDictionary<ulong, long>.Empty);

    public Member? Find(ulong uid) => Members.Values.FirstOrDefault(m => m.Id.Uid == uid);

    public Member? FindByAddress(NodeAddress address) => Members.Values.FirstOrDefault(m => m.Id.Address == address);

    public bool IsTombstoned(ulong uid) => Tombstones.ContainsKey(uid);

    /// <summary>Replaces (or adds) a member.</summary>
    public Gossip With(Member member) => this with { Members = Members.SetItem(member.Id, member) };

    /// <summary>A local change: bump our entry, and only we have seen the result.</summary>
    public Gossip Changed(ulong self) => this with { Version = Version.Increment(self), Seen = [self] };

    public Gossip MarkSeen(ulong node) => Seen.Contains(node) ? this : this with { Seen = Seen.Add(node) };

    /// <summary>Removes incarnations for good, leaving tombstones.</summary>
    public Gossip Remove(IReadOnlyCollection<ulong> uids, long nowMs)
    {
        var members = Members;
        var version = Version;
        foreach (var member in Members.Values.Where(m => uids.Contains(m.Id.Uid)))
        {
            members = members.Remove(member.Id);
            version = version.Prune(member.Id.Uid);
        }

        var tombstones = Tombstones;
        foreach (var uid in uids)
        {
            tombstones = tombstones.SetItem(uid, nowMs);
        }

        return this with
        {
            Members = members,
            Version = version,
            Reachability = Reachability.Remove(uids),
            Seen = Seen.Except(uids),
            Tombstones = tombstones,
        };
    }

    /// <summary>
    /// Joins two concurrent gossips: members by highest-priority status (tombstoned ones stay
    /// out), reachability per observer, versions by maximum. Nobody has seen the result yet.
    /// </summary>
    public Gossip Merge(Gossip other)
    {
        var tombstones = Tombstones;
        foreach (var (uid, at) in other.Tombstones)
        {
            tombstones = tombstones.SetItem(uid, Math.Max(at, tombstones.GetValueOrDefault(uid)));
        }

        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        foreach (var id in Members.Keys.Union(other.Members.Keys))
        {
            if (tombstones.ContainsKey(id.Uid))
            {
                continue;
            }

            var mine = Members.GetValueOrDefault(id);
            var theirs = other.Members.GetValueOrDefault(id);
            members[id] = mine is null ? theirs! : theirs is null ? mine : Member.PickHighestPriority(mine, theirs);
        }

        var allowed = members.Keys.Select(k => k.Uid).ToHashSet();
        var version = Version.Merge(other.Version);
        foreach (var uid in tombstones.Keys)
        {
            version = version.Prune(uid);
        }

        return new Gossip(
            members.ToImmutable(),
            Reachability.Merge(allowed, other.Reachability),
            version,
            ImmutableHashSet<ulong>.Empty,
            tombstones);
    }

    /// <summary>Drops tombstones older than <paramref name="keepMs"/>, once nobody can still hold the dead incarnation.</summary>
    public Gossip PruneTombstones(long nowMs, long keepMs)
    {
        var expired = Tombstones.Where(t => nowMs - t.Value > keepMs).Select(t => t.Key).ToList();
        return expired.Count == 0 ? this : this with { Tombstones = Tombstones.RemoveRange(expired) };
    }

    /// <summary>
    /// Akka's convergence: every reachable live member has seen this version, and every
    /// unreachable member is already Down or Exiting (so nobody waits for it).
    /// </summary>
    public bool HasConvergence()
    {
        foreach (var member in Members.Values)
        {
            var reachable = Reachability.IsReachable(member.Id.Uid);
            if (!reachable && member.Status is not (MemberStatus.Down or MemberStatus.Exiting))
            {
                return false;
            }

            if (reachable && member.Status.IsLive() && !Seen.Contains(member.Id.Uid))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The leader: the first reachable Up or Leaving member by address (Joining members lead only
    /// when there is nothing else). Only the leader moves members along at convergence.
    /// </summary>
    public Member? Leader()
    {
        Member? joining = null;
        foreach (var member in Members.Values)
        {
            if (!Reachability.IsReachable(member.Id.Uid))
            {
                continue;
            }

            if (member.Status is MemberStatus.Up or MemberStatus.Leaving)
            {
                return member;
            }

            joining ??= member.Status == MemberStatus.Joining ? member : null;
        }

        return joining;
    }
}
