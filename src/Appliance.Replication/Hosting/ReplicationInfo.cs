using Appliance.Replication.Gauges;
using Appliance.Replication.Sessions;
using Appliance.Replication.Sync;

namespace Appliance.Replication.Hosting;

/// <summary>What the metrics and the admin API show of replication: one object per node, read from any thread.</summary>
public sealed class ReplicationInfo
{
    private readonly ReplicatedSessionStore _sessions;
    private readonly ReplicatedConnectionCounts _counts;

    internal ReplicationInfo(ReplicatedSessionStore sessions, ReplicatedConnectionCounts counts, SyncState sync, ReplicationStats stats)
    {
        _sessions = sessions;
        _counts = counts;
        Sync = sync;
        Stats = stats;
    }

    public SyncState Sync { get; }

    public ReplicationStats Stats { get; }

    /// <summary>Sessions in the table (expired ones until swept).</summary>
    public int Sessions => _sessions.Count;

    public int MaxSessions => _sessions.MaxSessions;

    /// <summary>Sessions dropped because the table was full.</summary>
    public long Evicted => _sessions.Evicted;

    /// <summary>Payloads dropped by the serializer in this process (malformed or over a bound).</summary>
    public static long RejectedPayloads => Wire.ReplicationSerializer.Rejected;

    /// <summary>Replication payload bytes sent by this process (serializer 7215; Akka.Remote's framing not included).</summary>
    public static long BytesSent => Wire.ReplicationSerializer.BytesSent;

    /// <summary>Replication payload bytes received by this process, dropped ones included.</summary>
    public static long BytesReceived => Wire.ReplicationSerializer.BytesReceived;

    /// <summary>The other live members' in-flight counts per backend.</summary>
    public IReadOnlyDictionary<string, long> RemoteGauges => _counts.RemoteSums;
}
