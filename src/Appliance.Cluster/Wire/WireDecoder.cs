using System.Collections.Immutable;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Cluster.Wire;

/// <summary>
/// Protobuf messages to domain messages, checking everything a peer could get wrong: required parts
/// present, ports 1..65535, hosts 1..255 characters without control characters, uids not 0,
/// statuses known, counters not negative, no duplicates, and every collection within
/// <see cref="WireLimits"/>. The first problem found is kept in <see cref="Error"/>, with the path
/// of the offending field; error texts never repeat the peer's strings.
/// One instance per decode (it is not thread-safe).
/// </summary>
internal sealed partial class WireDecoder
{
    public string? Error { get; private set; }

    public ClusterMessage? Decode(P.Envelope envelope) => envelope.MessageCase switch
    {
        P.Envelope.MessageOneofCase.Heartbeat => Heartbeat(envelope.Heartbeat),
        P.Envelope.MessageOneofCase.HeartbeatAck => HeartbeatAck(envelope.HeartbeatAck),
        P.Envelope.MessageOneofCase.GossipStatus => GossipStatus(envelope.GossipStatus),
        P.Envelope.MessageOneofCase.GossipEnvelope => GossipEnvelope(envelope.GossipEnvelope),
        P.Envelope.MessageOneofCase.InitJoin => InitJoin(envelope.InitJoin),
        P.Envelope.MessageOneofCase.InitJoinAck => InitJoinAck(envelope.InitJoinAck),
        P.Envelope.MessageOneofCase.Join => Join(envelope.Join),
        P.Envelope.MessageOneofCase.Welcome => Welcome(envelope.Welcome),
        P.Envelope.MessageOneofCase.Leave => Leave(envelope.Leave),
        P.Envelope.MessageOneofCase.ReplicaData => ReplicaData(envelope.ReplicaData),
        P.Envelope.MessageOneofCase.ReplicaDigest => ReplicaDigest(envelope.ReplicaDigest),
        P.Envelope.MessageOneofCase.ReplicaSyncRequest => ReplicaSyncRequest(envelope.ReplicaSyncRequest),
        _ => Fail<ClusterMessage>("envelope", "carries no message this node knows (empty, or from a newer version)"),
    };

    private Heartbeat? Heartbeat(P.Heartbeat m) =>
        Id(m.From, "heartbeat.from") is { } from && Counter(m.Sequence, "heartbeat.sequence")
            ? new Heartbeat(from, m.Sequence)
            : null;

    private HeartbeatAck? HeartbeatAck(P.HeartbeatAck m) =>
        Id(m.From, "heartbeat_ack.from") is { } from && Counter(m.Sequence, "heartbeat_ack.sequence")
            ? new HeartbeatAck(from, m.Sequence)
            : null;

    private GossipStatus? GossipStatus(P.GossipStatus m) =>
        Id(m.From, "gossip_status.from") is { } from
        && Clock(m.Version, "gossip_status.version") is { } version
        && Uids(m.Seen, WireLimits.MaxSeen, "gossip_status.seen") is { } seen
            ? new GossipStatus(from, version, seen)
            : null;

    private GossipEnvelope? GossipEnvelope(P.GossipEnvelope m) =>
        Id(m.From, "gossip_envelope.from") is { } from && Gossip(m.Gossip, "gossip_envelope.gossip") is { } gossip
            ? new GossipEnvelope(from, gossip)
            : null;

    private InitJoin? InitJoin(P.InitJoin m)
    {
        if (Id(m.From, "init_join.from") is not { } from)
        {
            return null;
        }

        if (m.Cluster is null)
        {
            return new InitJoin(from, null);
        }

        return Digest(m.Cluster, "init_join.cluster") is { } digest ? new InitJoin(from, digest) : null;
    }

    private InitJoinAck? InitJoinAck(P.InitJoinAck m) =>
        Id(m.From, "init_join_ack.from") is { } from && Digest(m.Cluster, "init_join_ack.cluster") is { } digest
            ? new InitJoinAck(from, digest)
            : null;

    private Join? Join(P.Join m) =>
        Id(m.From, "join.from") is { } from && Name(m.Name, "join.name")
            ? new Join(from, m.Name)
            : null;

    private Welcome? Welcome(P.Welcome m) =>
        Id(m.From, "welcome.from") is { } from && Gossip(m.Gossip, "welcome.gossip") is { } gossip
            ? new Welcome(from, gossip)
            : null;

    private Leave? Leave(P.Leave m) => Id(m.From, "leave.from") is { } from ? new Leave(from) : null;

    private ClusterDigest? Digest(P.ClusterDigest? m, string path)
    {
        if (m is null)
        {
            return Fail<ClusterDigest>(path, "is missing");
        }

        if (m.LiveMembers is < 0 or > WireLimits.MaxMembers)
        {
            return Fail<ClusterDigest>(path + ".live_members", $"must be 0..{WireLimits.MaxMembers} (got {m.LiveMembers})");
        }

        return Address(m.Lowest, path + ".lowest") is { } lowest ? new ClusterDigest(m.LiveMembers, lowest) : null;
    }

    private UniqueAddress? Id(P.UniqueAddress? m, string path)
    {
        if (m is null)
        {
            return Fail<UniqueAddress>(path, "is missing");
        }

        if (!Uid(m.Uid, path + ".uid"))
        {
            return null;
        }

        return Address(m.Address, path + ".address") is { } address ? new UniqueAddress(address, m.Uid) : null;
    }

    private NodeAddress? Address(P.Address? m, string path)
    {
        if (m is null)
        {
            return FailAddress(path, "is missing");
        }

        if (m.Port is < 1 or > 65535)
        {
            return FailAddress(path + ".port", $"must be 1..65535 (got {m.Port})");
        }

        if (m.Host.Length is 0 or > WireLimits.MaxHostLength)
        {
            return FailAddress(path + ".host", $"must be 1..{WireLimits.MaxHostLength} characters (got {m.Host.Length})");
        }

        if (TextProblem(m.Host) is { } problem)
        {
            return FailAddress(path + ".host", problem);
        }

        return new NodeAddress(m.Host, (int)m.Port);
    }

    private bool Name(string name, string path)
    {
        if (name.Length > WireLimits.MaxNameLength)
        {
            return Fail(path, $"must be at most {WireLimits.MaxNameLength} characters (got {name.Length})");
        }

        return TextProblem(name) is not { } problem || Fail(path, problem);
    }

    // The field is appended to the path only on failure: a full sync validates a million entries.
    private bool Uid(ulong uid, string path, string field = "") => uid != 0 || Fail(path + field, "must not be 0");

    private bool Counter(long value, string path, string field = "") => value >= 0 || Fail(path + field, $"must not be negative (got {value})");

    private bool Count(int count, int limit, string path) =>
        count <= limit || Fail(path, $"has {count} entries; at most {limit} are allowed");

    private ImmutableHashSet<ulong>? Uids(IList<ulong> uids, int limit, string path)
    {
        if (!Count(uids.Count, limit, path))
        {
            return null;
        }

        var set = ImmutableHashSet.CreateBuilder<ulong>();
        for (var i = 0; i < uids.Count; i++)
        {
            if (!Uid(uids[i], $"{path}[{i}]"))
            {
                return null;
            }

            if (!set.Add(uids[i]))
            {
                return Fail<ImmutableHashSet<ulong>>($"{path}[{i}]", "repeats an earlier uid");
            }
        }

        return set.ToImmutable();
    }

    private VectorClock? Clock(P.VectorClock? m, string path)
    {
        if (m is null)
        {
            return Fail<VectorClock>(path, "is missing");
        }

        if (!Count(m.Entries.Count, WireLimits.MaxVersionEntries, path + ".entries"))
        {
            return null;
        }

        var versions = ImmutableSortedDictionary.CreateBuilder<ulong, long>();
        for (var i = 0; i < m.Entries.Count; i++)
        {
            var entry = m.Entries[i];
            var at = $"{path}.entries[{i}]";
            if (!Uid(entry.Node, at + ".node") || !Counter(entry.Version, at + ".version"))
            {
                return null;
            }

            if (!versions.TryAdd(entry.Node, entry.Version))
            {
                return Fail<VectorClock>(at + ".node", "repeats an earlier node");
            }
        }

        return new VectorClock(versions.ToImmutable());
    }

    /// <summary>
    /// Control characters (they would forge log lines) and U+FFFD, which is what the protobuf
    /// runtime puts in place of invalid UTF-8 (it does not refuse it).
    /// </summary>
    private static string? TextProblem(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return "contains a control character";
            }

            if (c == '\uFFFD')
            {
                return "is not valid UTF-8";
            }
        }

        return null;
    }

    private bool Fail(string path, string problem)
    {
        Error ??= $"{path} {problem}";
        return false;
    }

    private NodeAddress? FailAddress(string path, string problem)
    {
        Fail(path, problem);
        return null;
    }

    private T? Fail<T>(string path, string problem)
        where T : class
    {
        Fail(path, problem);
        return null;
    }
}
