using Microsoft.Extensions.Logging;

namespace Appliance.Replication.Hosting;

/// <summary>Replication log lines (event ids 4200-4299, as before the move onto Akka; never reused).</summary>
internal static partial class ReplicationLog
{
    [LoggerMessage(4200, LogLevel.Information, "Replication: state synced from a peer in {Ms} ms ({Sessions} sessions)")]
    public static partial void Synced(ILogger logger, long ms, int sessions);

    [LoggerMessage(4201, LogLevel.Information, "Replication: this node formed the cluster alone; no state to pull")]
    public static partial void Alone(ILogger logger);

    [LoggerMessage(4202, LogLevel.Warning, "Replication: no peer delivered its full state within {Ms} ms ({Requests} requests); serving with the {Sessions} sessions received so far, anti-entropy fills in the rest")]
    public static partial void GaveUp(ILogger logger, long ms, long requests, int sessions);

    [LoggerMessage(4203, LogLevel.Information, "Replication: asking {Peer} for the cluster's state (request {Request})")]
    public static partial void Pulling(ILogger logger, string peer, long request);

    [LoggerMessage(4204, LogLevel.Information, "Replication: {Sessions} sessions loaded from the snapshot {File}")]
    public static partial void SnapshotLoaded(ILogger logger, int sessions, string file);

    [LoggerMessage(4205, LogLevel.Warning, "Replication: the session snapshot {File} could not be {Action}: {Reason}")]
    public static partial void SnapshotFailed(ILogger logger, string file, string action, string reason);

    [LoggerMessage(4206, LogLevel.Debug, "Replication: {Sessions} sessions written to the snapshot {File} ({Bytes} bytes, {Ms} ms)")]
    public static partial void SnapshotWritten(ILogger logger, long sessions, long bytes, long ms, string file);
}
