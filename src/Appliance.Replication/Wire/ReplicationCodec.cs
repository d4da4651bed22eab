using Appliance.Replication.Sessions;
using Google.Protobuf;
using P = Appliance.Replication.Wire.Proto;

namespace Appliance.Replication.Wire;

/// <summary>
/// Our messages to and from protobuf. Decoding checks every bound before it builds anything and
/// reports the first problem as text instead of throwing: a bad payload is one dropped message.
/// </summary>
internal static class ReplicationCodec
{
    public const string DataManifest = "D";
    public const string DigestManifest = "G";
    public const string SyncRequestManifest = "S";
    public const string AckManifest = "A";
    public const string GaugesManifest = "N";

    public static string ManifestOf(object message) => message switch
    {
        SessionData => DataManifest,
        SessionDigest => DigestManifest,
        SessionSyncRequest => SyncRequestManifest,
        SessionAck => AckManifest,
        NodeGauges => GaugesManifest,
        _ => throw new ArgumentException($"{message.GetType()} is not a replication message.", nameof(message)),
    };

    public static byte[] Encode(object message) => message switch
    {
        SessionData m => Data(m).ToByteArray(),
        SessionDigest m => new P.SessionDigest { ShardHashes = { m.ShardHashes }, WrittenBeforeMs = m.WrittenBeforeMs, Scheme = (uint)m.Scheme }.ToByteArray(),
        SessionSyncRequest => [],
        SessionAck m => new P.SessionAck { Seq = m.Seq }.ToByteArray(),
        NodeGauges m => Gauges(m).ToByteArray(),
        _ => throw new ArgumentException($"{message.GetType()} is not a replication message.", nameof(message)),
    };

    /// <summary>The message, or null with <paramref name="problem"/> saying why not.</summary>
    public static IReplicationMessage? Decode(ReadOnlySpan<byte> bytes, string manifest, out string? problem)
    {
        problem = null;
        if (bytes.Length > WireLimits.MaxPayloadBytes)
        {
            problem = $"payload of {bytes.Length} bytes; at most {WireLimits.MaxPayloadBytes} are allowed";
            return null;
        }

        try
        {
            return manifest switch
            {
                DataManifest => Data(P.SessionData.Parser.ParseFrom(bytes), out problem),
                DigestManifest => Digest(P.SessionDigest.Parser.ParseFrom(bytes), out problem),
                SyncRequestManifest => SessionSyncRequest.Instance,
                AckManifest => P.SessionAck.Parser.ParseFrom(bytes) is { Seq: > 0 } ack ? new SessionAck(ack.Seq) : FailAny(out problem, "seq must be above 0"),
                GaugesManifest => Gauges(P.NodeGauges.Parser.ParseFrom(bytes), out problem),
                _ => FailAny(out problem, $"unknown manifest '{Printable(manifest)}'"),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            problem = "not protobuf: " + e.Message;
            return null;
        }
    }

    private static P.SessionData Data(SessionData m)
    {
        var data = new P.SessionData { Kind = (P.SessionDataKind)(int)m.Kind, Seq = m.Seq };
        foreach (var slice in m.Slices)
        {
            data.Slices.Add(Slice(slice.Shard, slice.Entries));
        }

        return data;
    }

    /// <summary>One shard's entries as a protobuf <c>ShardSlice</c> (also the record of a session snapshot file).</summary>
    internal static P.ShardSlice Slice(int shard, IEnumerable<KeyValuePair<string, LwwEntry<SessionValue>>> entries)
    {
        var s = new P.ShardSlice { Shard = (uint)shard };
        foreach (var (key, entry) in entries)
        {
            var e = new P.SessionEntry
            {
                Key = key,
                Timestamp = new P.Hlc { WallMs = entry.Timestamp.WallMs, Logical = entry.Timestamp.Logical, Node = entry.Timestamp.Node },
                Tombstone = entry.IsTombstone,
            };
            if (!entry.IsTombstone)
            {
                e.Backend = entry.Value.Backend;
                e.LastSeenMs = entry.Value.LastSeenMs;
                e.IdleTimeoutMs = entry.Value.IdleTimeoutMs;
            }

            s.Entries.Add(e);
        }

        return s;
    }

    /// <summary>
    /// A protobuf <c>ShardSlice</c> checked like one from the wire (every entry's bounds, keys once),
    /// or null with <paramref name="problem"/>; never throws.
    /// </summary>
    internal static ShardSlice? DecodeSlice(ReadOnlySpan<byte> bytes, out string? problem)
    {
        try
        {
            return Slice(P.ShardSlice.Parser.ParseFrom(bytes), "slice", out problem);
        }
        catch (InvalidProtocolBufferException e)
        {
            problem = "not protobuf: " + e.Message;
            return null;
        }
    }

    private static P.NodeGauges Gauges(NodeGauges m)
    {
        var gauges = new P.NodeGauges();
        foreach (var (backend, value) in m.Gauges.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            gauges.Gauges.Add(new P.GaugeEntry { Backend = backend, Value = value });
        }

        return gauges;
    }

    private static SessionData? Data(P.SessionData m, out string? problem)
    {
        problem = null;
        if (m.Kind is < P.SessionDataKind.Delta or > P.SessionDataKind.SyncComplete)
        {
            return Fail<SessionData>(out problem, $"kind must be 1..4 (got {(int)m.Kind})");
        }

        if (m.Seq < 0)
        {
            return Fail<SessionData>(out problem, $"seq must not be negative (got {m.Seq})");
        }

        var total = 0L;
        foreach (var s in m.Slices)
        {
            total += s.Entries.Count;
        }

        if (m.Slices.Count > WireLimits.MaxShards || total > WireLimits.MaxSessionEntries)
        {
            return Fail<SessionData>(out problem, $"{m.Slices.Count} slices of {total} entries; at most {WireLimits.MaxShards} and {WireLimits.MaxSessionEntries}");
        }

        var slices = new List<ShardSlice>(m.Slices.Count);
        for (var i = 0; i < m.Slices.Count; i++)
        {
            if (Slice(m.Slices[i], $"slices[{i}]", out problem) is not { } slice)
            {
                return null;
            }

            slices.Add(slice);
        }

        return new SessionData((SessionDataKind)(int)m.Kind, slices, m.Seq);
    }

    private static ShardSlice? Slice(P.ShardSlice m, string path, out string? problem)
    {
        problem = null;
        if (m.Shard >= WireLimits.MaxShards)
        {
            return Fail<ShardSlice>(out problem, $"{path}.shard must be 0..{WireLimits.MaxShards - 1} (got {m.Shard})");
        }

        var entries = new KeyValuePair<string, LwwEntry<SessionValue>>[m.Entries.Count];
        var keys = new HashSet<string>(m.Entries.Count, StringComparer.Ordinal);
        for (var i = 0; i < m.Entries.Count; i++)
        {
            var e = m.Entries[i];
            if (EntryProblem(e) is { } entryProblem)
            {
                return Fail<ShardSlice>(out problem, $"{path}.entries[{i}]{entryProblem}");
            }

            if (!keys.Add(e.Key))
            {
                return Fail<ShardSlice>(out problem, $"{path}.entries[{i}].key repeats an earlier key");
            }

            var timestamp = new Hlc(e.Timestamp.WallMs, e.Timestamp.Logical, e.Timestamp.Node);
            entries[i] = new(e.Key, e.Tombstone
                ? new LwwEntry<SessionValue>(default, timestamp, IsTombstone: true)
                : new LwwEntry<SessionValue>(new SessionValue(NamePool.Share(e.Backend), e.LastSeenMs, e.IdleTimeoutMs), timestamp, IsTombstone: false));
        }

        return new ShardSlice((int)m.Shard, entries);
    }

    /// <summary>Null when the entry is well formed, else the field and what is wrong with it.</summary>
    private static string? EntryProblem(P.SessionEntry m)
    {
        if (m.Key.Length is 0 or > WireLimits.MaxSessionKeyLength)
        {
            return $".key must be 1..{WireLimits.MaxSessionKeyLength} characters (got {m.Key.Length})";
        }

        if (HasControl(m.Key))
        {
            return ".key contains a control character";
        }

        if (m.Timestamp is not { } t)
        {
            return ".timestamp is missing";
        }

        if (t.WallMs < 0 || t.Logical < 0 || t.Node == 0)
        {
            return ".timestamp must have wall_ms >= 0, logical >= 0, node != 0";
        }

        if (m.Tombstone)
        {
            return m.Backend.Length == 0 && m.LastSeenMs == 0 && m.IdleTimeoutMs == 0 ? null : " is a tombstone but carries a session";
        }

        if (m.Backend.Length is 0 or > WireLimits.MaxBackendLength)
        {
            return $".backend must be 1..{WireLimits.MaxBackendLength} characters (got {m.Backend.Length})";
        }

        if (HasControl(m.Backend))
        {
            return ".backend contains a control character";
        }

        if (m.IdleTimeoutMs is < 0 or > WireLimits.MaxIdleTimeoutMs)
        {
            return $".idle_timeout_ms must be 0..{WireLimits.MaxIdleTimeoutMs} (got {m.IdleTimeoutMs})";
        }

        return m.LastSeenMs is < 0 or > long.MaxValue - WireLimits.MaxIdleTimeoutMs ? $".last_seen_ms out of range (got {m.LastSeenMs})" : null;
    }

    private static SessionDigest? Digest(P.SessionDigest m, out string? problem)
    {
        problem = null;
        if (m.ShardHashes.Count > WireLimits.MaxShards)
        {
            return Fail<SessionDigest>(out problem, $"{m.ShardHashes.Count} shard hashes; at most {WireLimits.MaxShards}");
        }

        return m.WrittenBeforeMs < 0 || m.Scheme > int.MaxValue
            ? Fail<SessionDigest>(out problem, "written_before_ms must not be negative")
            : new SessionDigest([.. m.ShardHashes], m.WrittenBeforeMs, (int)m.Scheme);
    }

    private static NodeGauges? Gauges(P.NodeGauges m, out string? problem)
    {
        problem = null;
        if (m.Gauges.Count > WireLimits.MaxGaugesPerNode)
        {
            return Fail<NodeGauges>(out problem, $"{m.Gauges.Count} gauges; at most {WireLimits.MaxGaugesPerNode}");
        }

        var gauges = new Dictionary<string, long>(m.Gauges.Count, StringComparer.Ordinal);
        for (var i = 0; i < m.Gauges.Count; i++)
        {
            var g = m.Gauges[i];
            if (g.Backend.Length is 0 or > WireLimits.MaxBackendLength || HasControl(g.Backend))
            {
                return Fail<NodeGauges>(out problem, $"gauges[{i}].backend must be 1..{WireLimits.MaxBackendLength} printable characters");
            }

            if (!gauges.TryAdd(NamePool.Share(g.Backend), g.Value))
            {
                return Fail<NodeGauges>(out problem, $"gauges[{i}].backend repeats an earlier backend");
            }
        }

        return new NodeGauges(gauges);
    }

    private static bool HasControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A manifest from the wire in a problem text: bounded and printable (it reaches a log line).</summary>
    private static string Printable(string text) =>
        new([.. text.Take(32).Select(c => char.IsControl(c) ? '?' : c)]);

    private static T? Fail<T>(out string? problem, string text)
        where T : class
    {
        problem = text;
        return null;
    }

    private static IReplicationMessage? FailAny(out string? problem, string text) => Fail<IReplicationMessage>(out problem, text);
}
