using System.Collections.Immutable;
using Appliance.Cluster.Membership;
using P = Appliance.Cluster.Wire.Proto;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Wire;

/// <summary>The gossip part of <see cref="WireDecoder"/>: members, reachability, tombstones.</summary>
internal sealed partial class WireDecoder
{
    private Gossip? Gossip(P.Gossip? m, string path)
    {
        if (m is null)
        {
            return Fail<Gossip>(path, "is missing");
        }

        if (Members(m.Members, path + ".members") is not { } members
            || Reachability(m.Reachability, path + ".reachability") is not { } reachability
            || Clock(m.Version, path + ".version") is not { } version
            || Uids(m.Seen, WireLimits.MaxSeen, path + ".seen") is not { } seen
            || Tombstones(m.Tombstones, path + ".tombstones") is not { } tombstones)
        {
            return null;
        }

        return new Gossip(members, reachability, version, seen, tombstones);
    }

    private ImmutableSortedDictionary<UniqueAddress, Member>? Members(IList<P.Member> list, string path)
    {
        if (!Count(list.Count, WireLimits.MaxMembers, path))
        {
            return null;
        }

        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        var uids = new HashSet<ulong>();
        for (var i = 0; i < list.Count; i++)
        {
            var m = list[i];
            var at = $"{path}[{i}]";
            if (Id(m.Id, at + ".id") is not { } id
                || !Name(m.Name, at + ".name")
                || Status(m.Status, at + ".status") is not { } status
                || !Counter(m.UpNumber, at + ".up_number"))
            {
                return null;
            }

            if (!uids.Add(id.Uid))
            {
                return Fail<ImmutableSortedDictionary<UniqueAddress, Member>>(at + ".id.uid", "repeats an earlier member");
            }

            members.Add(id, new Member(id, m.Name, status, m.UpNumber));
        }

        return members.ToImmutable();
    }

    private MemberStatus? Status(P.MemberStatus status, string path)
    {
        MemberStatus? result = status switch
        {
            P.MemberStatus.Joining => MemberStatus.Joining,
            P.MemberStatus.Up => MemberStatus.Up,
            P.MemberStatus.Leaving => MemberStatus.Leaving,
            P.MemberStatus.Exiting => MemberStatus.Exiting,
            P.MemberStatus.Down => MemberStatus.Down,
            P.MemberStatus.Removed => MemberStatus.Removed,
            _ => null,
        };
        if (result is null)
        {
            Fail(path, $"must be 1..6 (got {(int)status})");
        }

        return result;
    }

    private Reachability? Reachability(P.Reachability? m, string path)
    {
        if (m is null)
        {
            return Fail<Reachability>(path, "is missing");
        }

        if (!Count(m.Records.Count, WireLimits.MaxReachabilityRecords, path + ".records")
            || !Count(m.ObserverVersions.Count, WireLimits.MaxObserverVersions, path + ".observer_versions"))
        {
            return null;
        }

        var records = ImmutableList.CreateBuilder<ReachabilityRecord>();
        var pairs = new HashSet<(ulong, ulong)>();
        for (var i = 0; i < m.Records.Count; i++)
        {
            var r = m.Records[i];
            var at = $"{path}.records[{i}]";
            if (!Uid(r.Observer, at + ".observer") || !Uid(r.Subject, at + ".subject") || !Counter(r.Version, at + ".version"))
            {
                return null;
            }

            if (!pairs.Add((r.Observer, r.Subject)))
            {
                return Fail<Reachability>(at, "repeats an earlier observer and subject");
            }

            records.Add(new ReachabilityRecord(r.Observer, r.Subject, r.Reachable, r.Version));
        }

        var versions = ImmutableDictionary.CreateBuilder<ulong, long>();
        for (var i = 0; i < m.ObserverVersions.Count; i++)
        {
            var v = m.ObserverVersions[i];
            var at = $"{path}.observer_versions[{i}]";
            if (!Uid(v.Observer, at + ".observer") || !Counter(v.Version, at + ".version"))
            {
                return null;
            }

            if (!versions.TryAdd(v.Observer, v.Version))
            {
                return Fail<Reachability>(at + ".observer", "repeats an earlier observer");
            }
        }

        return new Reachability(records.ToImmutable(), versions.ToImmutable());
    }

    private ImmutableDictionary<ulong, long>? Tombstones(IList<P.Tombstone> list, string path)
    {
        if (!Count(list.Count, WireLimits.MaxTombstones, path))
        {
            return null;
        }

        var tombstones = ImmutableDictionary.CreateBuilder<ulong, long>();
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{path}[{i}]";
            if (!Uid(list[i].Uid, at + ".uid"))
            {
                return null;
            }

            if (!tombstones.TryAdd(list[i].Uid, list[i].RemovedAtMs))
            {
                return Fail<ImmutableDictionary<ulong, long>>(at + ".uid", "repeats an earlier tombstone");
            }
        }

        return tombstones.ToImmutable();
    }
}
