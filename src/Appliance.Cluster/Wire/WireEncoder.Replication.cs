using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Cluster.Wire;

/// <summary>Replicated-state messages; session entries go in the order the slice holds them (a decoder takes any order).</summary>
internal static partial class WireEncoder
{
    private static P.ReplicaData Data(ReplicaData data)
    {
        var result = new P.ReplicaData
        {
            From = Id(data.From),
            Kind = data.Kind switch
            {
                ReplicaDataKind.Delta => P.ReplicaDataKind.Delta,
                ReplicaDataKind.Repair => P.ReplicaDataKind.Repair,
                ReplicaDataKind.Sync => P.ReplicaDataKind.Sync,
                ReplicaDataKind.SyncComplete => P.ReplicaDataKind.SyncComplete,
                _ => throw new ArgumentOutOfRangeException(nameof(data), data.Kind, "unknown replica data kind"),
            },
            Gauges = data.Gauges is null ? null : Gauges(data.Gauges),
        };
        foreach (var slice in data.Sessions)
        {
            result.Sessions.Add(Slice(slice));
        }

        return result;
    }

    private static P.ShardSlice Slice(ShardSlice slice)
    {
        var result = new P.ShardSlice { Shard = (uint)slice.Shard };
        foreach (var (key, entry) in slice.Entries)
        {
            var wire = new P.SessionEntry
            {
                Key = key,
                Timestamp = new P.Hlc { WallMs = entry.Timestamp.WallMs, Logical = entry.Timestamp.Logical, Node = entry.Timestamp.Node },
                Tombstone = entry.IsTombstone,
            };
            if (!entry.IsTombstone)
            {
                wire.Backend = entry.Value.Backend;
                wire.LastSeenMs = entry.Value.LastSeenMs;
                wire.IdleTimeoutMs = entry.Value.IdleTimeoutMs;
            }

            result.Entries.Add(wire);
        }

        return result;
    }

    private static P.GaugeMap Gauges(GaugeMap gauges)
    {
        var result = new P.GaugeMap();
        foreach (var (node, entries) in gauges.Nodes)
        {
            var wire = new P.NodeGauges { Node = node };
            foreach (var (backend, gauge) in entries)
            {
                wire.Gauges.Add(new P.GaugeEntry { Backend = backend, Value = gauge.Value, Version = gauge.Version });
            }

            result.Nodes.Add(wire);
        }

        result.Dropped.AddRange(gauges.Dropped);
        return result;
    }

    private static P.ReplicaDigest Digest(ReplicaDigest digest)
    {
        var result = new P.ReplicaDigest
        {
            From = Id(digest.From),
            GaugeHash = digest.GaugeHash,
            WrittenBeforeMs = digest.WrittenBeforeMs,
            SessionScheme = (uint)digest.SessionScheme,
        };
        result.ShardHashes.AddRange(digest.ShardHashes);
        return result;
    }
}
