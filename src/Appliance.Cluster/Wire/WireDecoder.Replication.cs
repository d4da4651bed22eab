using System.Collections.Immutable;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Cluster.Wire;

/// <summary>Replicated-state messages: every count is bounded before anything is built from it.</summary>
internal sealed partial class WireDecoder
{
    private ReplicaData? ReplicaData(P.ReplicaData m)
    {
        if (Id(m.From, "replica_data.from") is not { } from)
        {
            return null;
        }

        ReplicaDataKind? kind = m.Kind switch
        {
            P.ReplicaDataKind.Delta => ReplicaDataKind.Delta,
            P.ReplicaDataKind.Repair => ReplicaDataKind.Repair,
            P.ReplicaDataKind.Sync => ReplicaDataKind.Sync,
            P.ReplicaDataKind.SyncComplete => ReplicaDataKind.SyncComplete,
            _ => null,
        };
        if (kind is null)
        {
            return Fail<ReplicaData>("replica_data.kind", $"must be 1..4 (got {(int)m.Kind})");
        }

        var total = m.Sessions.Sum(s => s.Entries.Count);
        if (!Count(m.Sessions.Count, WireLimits.MaxShards, "replica_data.sessions")
            || !Count(total, WireLimits.MaxSessionEntries, "replica_data.sessions[*].entries"))
        {
            return null;
        }

        var slices = new List<ShardSlice>(m.Sessions.Count);
        for (var i = 0; i < m.Sessions.Count; i++)
        {
            if (Slice(m.Sessions[i], $"replica_data.sessions[{i}]") is not { } slice)
            {
                return null;
            }

            slices.Add(slice);
        }

        GaugeMap? gauges = null;
        if (m.Gauges is not null && (gauges = Gauges(m.Gauges, "replica_data.gauges")) is null)
        {
            return null;
        }

        return new ReplicaData(from, kind.Value, slices, gauges);
    }

    private ReplicaDigest? ReplicaDigest(P.ReplicaDigest m) =>
        Id(m.From, "replica_digest.from") is { } from && Count(m.ShardHashes.Count, WireLimits.MaxShards, "replica_digest.shard_hashes")
            ? new ReplicaDigest(from, [.. m.ShardHashes], m.GaugeHash, Math.Max(0, m.WrittenBeforeMs), (int)Math.Min(m.SessionScheme, int.MaxValue))
            : null;

    private ReplicaSyncRequest? ReplicaSyncRequest(P.ReplicaSyncRequest m) =>
        Id(m.From, "replica_sync_request.from") is { } from ? new ReplicaSyncRequest(from) : null;

    private ShardSlice? Slice(P.ShardSlice m, string path)
    {
        if (m.Shard >= WireLimits.MaxShards)
        {
            return Fail<ShardSlice>(path + ".shard", $"must be 0..{WireLimits.MaxShards - 1} (got {m.Shard})");
        }

        // A flat list and a set of the keys seen: the receiver joins entry by entry anyway, and a
        // sorted map per message cost most of a full sync's time.
        var entries = new KeyValuePair<string, LwwEntry<SessionValue>>[m.Entries.Count];
        var keys = new HashSet<string>(m.Entries.Count, StringComparer.Ordinal);
        for (var i = 0; i < m.Entries.Count; i++)
        {
            var entry = m.Entries[i];
            var at = $"{path}.entries[{i}]";
            if (!SessionEntry(entry, at) || Timestamp(entry.Timestamp, at) is not { } timestamp)
            {
                return null;
            }

            if (!keys.Add(entry.Key))
            {
                return Fail<ShardSlice>(at + ".key", "repeats an earlier key");
            }

            entries[i] = new(entry.Key, entry.Tombstone
                ? new LwwEntry<SessionValue>(default, timestamp, IsTombstone: true)
                : new LwwEntry<SessionValue>(new SessionValue(NamePool.Share(entry.Backend), entry.LastSeenMs, entry.IdleTimeoutMs), timestamp, IsTombstone: false));
        }

        return new ShardSlice((int)m.Shard, entries);
    }

    private bool SessionEntry(P.SessionEntry m, string path)
    {
        if (m.Key.Length is 0 or > WireLimits.MaxSessionKeyLength)
        {
            return Fail(path + ".key", $"must be 1..{WireLimits.MaxSessionKeyLength} characters (got {m.Key.Length})");
        }

        if (TextProblem(m.Key) is { } keyProblem)
        {
            return Fail(path + ".key", keyProblem);
        }

        if (m.Tombstone)
        {
            return (m.Backend.Length == 0 && m.LastSeenMs == 0 && m.IdleTimeoutMs == 0)
                || Fail(path, "is a tombstone but carries a session");
        }

        if (m.Backend.Length is 0 or > WireLimits.MaxBackendLength)
        {
            return Fail(path + ".backend", $"must be 1..{WireLimits.MaxBackendLength} characters (got {m.Backend.Length})");
        }

        if (m.IdleTimeoutMs is < 0 or > WireLimits.MaxIdleTimeoutMs)
        {
            return Fail(path + ".idle_timeout_ms", $"must be 0..{WireLimits.MaxIdleTimeoutMs} (got {m.IdleTimeoutMs})");
        }

        return (TextProblem(m.Backend) is not { } problem || Fail(path + ".backend", problem))
            && Counter(m.LastSeenMs, path, ".last_seen_ms")
            && (m.LastSeenMs <= long.MaxValue - WireLimits.MaxIdleTimeoutMs || Fail(path + ".last_seen_ms", "is too far in the future"));
    }

    /// <summary>The timestamp of the session entry at <paramref name="entryPath"/>.</summary>
    private Hlc? Timestamp(P.Hlc? m, string entryPath)
    {
        if (m is null)
        {
            Fail(entryPath + ".timestamp", "is missing");
            return null;
        }

        if (!Counter(m.WallMs, entryPath, ".timestamp.wall_ms") || !Counter(m.Logical, entryPath, ".timestamp.logical") || !Uid(m.Node, entryPath, ".timestamp.node"))
        {
            return null;
        }

        return new Hlc(m.WallMs, m.Logical, m.Node);
    }

    private GaugeMap? Gauges(P.GaugeMap m, string path)
    {
        if (!Count(m.Nodes.Count, WireLimits.MaxGaugeNodes, path + ".nodes")
            || Uids(m.Dropped, WireLimits.MaxDroppedNodes, path + ".dropped") is not { } dropped)
        {
            return null;
        }

        var nodes = ImmutableSortedDictionary.CreateBuilder<ulong, ImmutableSortedDictionary<string, Gauge>>();
        for (var i = 0; i < m.Nodes.Count; i++)
        {
            var node = m.Nodes[i];
            var at = $"{path}.nodes[{i}]";
            if (!Uid(node.Node, at + ".node") || !Count(node.Gauges.Count, WireLimits.MaxGaugesPerNode, at + ".gauges"))
            {
                return null;
            }

            var gauges = ImmutableSortedDictionary.CreateBuilder<string, Gauge>(StringComparer.Ordinal);
            for (var j = 0; j < node.Gauges.Count; j++)
            {
                var gauge = node.Gauges[j];
                var gaugeAt = $"{at}.gauges[{j}].backend";
                if (gauge.Backend.Length is 0 or > WireLimits.MaxBackendLength)
                {
                    return Fail<GaugeMap>(gaugeAt, $"must be 1..{WireLimits.MaxBackendLength} characters (got {gauge.Backend.Length})");
                }

                if (TextProblem(gauge.Backend) is { } problem)
                {
                    return Fail<GaugeMap>(gaugeAt, problem);
                }

                if (!gauges.TryAdd(gauge.Backend, new Gauge(gauge.Value, gauge.Version)))
                {
                    return Fail<GaugeMap>(gaugeAt, "repeats an earlier backend");
                }
            }

            if (!nodes.TryAdd(node.Node, gauges.ToImmutable()))
            {
                return Fail<GaugeMap>(at + ".node", "repeats an earlier node");
            }
        }

        return GaugeMap.Create(nodes.ToImmutable(), [.. dropped]);
    }
}
