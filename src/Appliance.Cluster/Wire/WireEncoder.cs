using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication.Messages;
using P = Appliance.Cluster.Wire.Proto;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Wire;

/// <summary>
/// Domain messages to their protobuf form. Unordered collections are written sorted by uid, so one
/// message always has one encoding (golden-bytes tests rely on it).
/// </summary>
internal static partial class WireEncoder
{
    public static P.Envelope ToEnvelope(ClusterMessage message) => message switch
    {
        Heartbeat m => new P.Envelope { Heartbeat = new P.Heartbeat { From = Id(m.From), Sequence = m.Sequence } },
        HeartbeatAck m => new P.Envelope { HeartbeatAck = new P.HeartbeatAck { From = Id(m.From), Sequence = m.Sequence } },
        GossipStatus m => new P.Envelope { GossipStatus = Status(m) },
        GossipEnvelope m => new P.Envelope { GossipEnvelope = new P.GossipEnvelope { From = Id(m.From), Gossip = Gossip(m.Gossip) } },
        InitJoin m => new P.Envelope { InitJoin = new P.InitJoin { From = Id(m.From), Cluster = m.Cluster is null ? null : Digest(m.Cluster) } },
        InitJoinAck m => new P.Envelope { InitJoinAck = new P.InitJoinAck { From = Id(m.From), Cluster = Digest(m.Cluster) } },
        Join m => new P.Envelope { Join = new P.Join { From = Id(m.From), Name = m.Name } },
        Welcome m => new P.Envelope { Welcome = new P.Welcome { From = Id(m.From), Gossip = Gossip(m.Gossip) } },
        Leave m => new P.Envelope { Leave = new P.Leave { From = Id(m.From) } },
        ReplicaData m => new P.Envelope { ReplicaData = Data(m) },
        ReplicaDigest m => new P.Envelope { ReplicaDigest = Digest(m) },
        ReplicaSyncRequest m => new P.Envelope { ReplicaSyncRequest = new P.ReplicaSyncRequest { From = Id(m.From) } },
        _ => throw new ArgumentException($"{message.GetType().Name} has no wire form; add it to cluster.proto and WireEncoder", nameof(message)),
    };

    /// <summary>Whether <see cref="ToEnvelope"/> knows this kind of message.</summary>
    public static bool CanEncode(ClusterMessage message) =>
        message is Heartbeat or HeartbeatAck or GossipStatus or GossipEnvelope or InitJoin or InitJoinAck or Join or Welcome or Leave
            or ReplicaData or ReplicaDigest or ReplicaSyncRequest;

    public static P.Address Address(NodeAddress address) => new() { Host = address.Host, Port = (uint)address.Port };

    public static P.UniqueAddress Id(UniqueAddress id) => new() { Address = Address(id.Address), Uid = id.Uid };

    public static P.MemberStatus Status(MemberStatus status) => status switch
    {
        MemberStatus.Joining => P.MemberStatus.Joining,
        MemberStatus.Up => P.MemberStatus.Up,
        MemberStatus.Leaving => P.MemberStatus.Leaving,
        MemberStatus.Exiting => P.MemberStatus.Exiting,
        MemberStatus.Down => P.MemberStatus.Down,
        MemberStatus.Removed => P.MemberStatus.Removed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown member status"),
    };

    public static P.VectorClock Clock(VectorClock clock)
    {
        var result = new P.VectorClock();
        foreach (var (node, version) in clock.Versions)
        {
            result.Entries.Add(new P.VersionEntry { Node = node, Version = version });
        }

        return result;
    }

    public static P.Gossip Gossip(Gossip gossip)
    {
        var result = new P.Gossip
        {
            Reachability = Reachability(gossip.Reachability),
            Version = Clock(gossip.Version),
        };
        foreach (var member in gossip.Members.Values)
        {
            result.Members.Add(new P.Member
            {
                Id = Id(member.Id),
                Name = member.Name,
                Status = Status(member.Status),
                UpNumber = member.UpNumber,
            });
        }

        result.Seen.AddRange(gossip.Seen.Order());
        foreach (var (uid, at) in gossip.Tombstones.OrderBy(t => t.Key))
        {
            result.Tombstones.Add(new P.Tombstone { Uid = uid, RemovedAtMs = at });
        }

        return result;
    }

    private static P.GossipStatus Status(GossipStatus status)
    {
        var result = new P.GossipStatus { From = Id(status.From), Version = Clock(status.Version) };
        result.Seen.AddRange(status.Seen.Order());
        return result;
    }

    private static P.Reachability Reachability(Reachability reachability)
    {
        var result = new P.Reachability();
        foreach (var record in reachability.Records)
        {
            result.Records.Add(new P.ReachabilityRecord
            {
                Observer = record.Observer,
                Subject = record.Subject,
                Reachable = record.Reachable,
                Version = record.Version,
            });
        }

        foreach (var (observer, version) in reachability.ObserverVersions.OrderBy(v => v.Key))
        {
            result.ObserverVersions.Add(new P.ObserverVersion { Observer = observer, Version = version });
        }

        return result;
    }

    private static P.ClusterDigest Digest(ClusterDigest digest) =>
        new() { LiveMembers = digest.LiveMembers, Lowest = Address(digest.Lowest) };
}
