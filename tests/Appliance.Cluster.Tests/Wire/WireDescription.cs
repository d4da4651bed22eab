using System.Globalization;
using System.Text;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Tests.Wire;

/// <summary>
/// A canonical text of a message with every field, independent of the codec: two messages with the
/// same description carry the same information (the records compare collections by reference, so
/// they cannot be compared with Equals).
/// </summary>
internal static class WireDescription
{
    public static string Of(ClusterMessage message) => message switch
    {
        Heartbeat m => $"Heartbeat {Id(m.From)} {m.Sequence}",
        HeartbeatAck m => $"HeartbeatAck {Id(m.From)} {m.Sequence}",
        GossipStatus m => $"GossipStatus {Id(m.From)} v[{Clock(m.Version)}] seen[{Uids(m.Seen)}]",
        GossipEnvelope m => $"GossipEnvelope {Id(m.From)} {Of(m.Gossip)}",
        InitJoin m => $"InitJoin {Id(m.From)} {(m.Cluster is null ? "none" : Digest(m.Cluster))}",
        InitJoinAck m => $"InitJoinAck {Id(m.From)} {Digest(m.Cluster)}",
        Join m => $"Join {Id(m.From)} '{m.Name}'",
        Welcome m => $"Welcome {Id(m.From)} {Of(m.Gossip)}",
        Leave m => $"Leave {Id(m.From)}",
        ReplicaData m => $"ReplicaData {Id(m.From)} {m.Kind} sessions[{string.Join("; ", m.Sessions.Select(Slice))}] gauges[{(m.Gauges is null ? "none" : Gauges(m.Gauges))}]",
        ReplicaDigest m => $"ReplicaDigest {Id(m.From)} [{string.Join(", ", m.ShardHashes.Select(h => h.ToString("x", CultureInfo.InvariantCulture)))}] {m.GaugeHash:x} before {m.WrittenBeforeMs} scheme {m.SessionScheme}",
        ReplicaSyncRequest m => $"ReplicaSyncRequest {Id(m.From)}",
        _ => throw new ArgumentException(message.GetType().Name),
    };

    public static string Of(Gossip g)
    {
        var text = new StringBuilder("gossip{members[");
        foreach (var (id, member) in g.Members)
        {
            Assert.Same(id, member.Id);
            text.Append(CultureInfo.InvariantCulture, $"{Id(member.Id)} '{member.Name}' {member.Status} {member.UpNumber}; ");
        }

        text.Append("] reach[");
        foreach (var r in g.Reachability.Records)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Observer:x}->{r.Subject:x} {r.Reachable} {r.Version}; ");
        }

        text.Append("] observers[")
            .AppendJoin(", ", g.Reachability.ObserverVersions.OrderBy(v => v.Key).Select(v => $"{v.Key:x}:{v.Value}"))
            .Append(CultureInfo.InvariantCulture, $"] v[{Clock(g.Version)}] seen[{Uids(g.Seen)}] tomb[")
            .AppendJoin(", ", g.Tombstones.OrderBy(t => t.Key).Select(t => $"{t.Key:x}:{t.Value}"))
            .Append("]}");
        return text.ToString();
    }

    private static string Slice(ShardSlice slice) =>
        $"{slice.Shard}: " + string.Join(", ", slice.Entries.Select(e =>
            $"'{e.Key}' {e.Value.Timestamp} {(e.Value.IsTombstone ? "tomb" : $"'{e.Value.Value.Backend}' {e.Value.Value.LastSeenMs} {e.Value.Value.IdleTimeoutMs}")}"));

    private static string Gauges(GaugeMap g) =>
        "dropped(" + string.Join(", ", g.Dropped.Select(d => d.ToString("x", CultureInfo.InvariantCulture))) + ") "
        + string.Join("; ", g.Nodes.Select(n => $"{n.Key:x}: " + string.Join(", ", n.Value.Select(v => $"'{v.Key}'={v.Value.Value}v{v.Value.Version}"))));

    private static string Id(UniqueAddress id) => $"[{id.Address.Host}]:{id.Address.Port}#{id.Uid:x}";

    private static string Digest(ClusterDigest d) => $"digest({d.LiveMembers}, [{d.Lowest.Host}]:{d.Lowest.Port})";

    private static string Clock(VectorClock c) => string.Join(", ", c.Versions.Select(v => $"{v.Key:x}:{v.Value}"));

    private static string Uids(IEnumerable<ulong> uids) => string.Join(", ", uids.Order().Select(u => u.ToString("x", CultureInfo.InvariantCulture)));
}
