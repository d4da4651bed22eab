using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Transport;

/// <summary>
/// The transport's log lines. Event ids 4100-4199 belong to the transport and are never reused.
/// No line ever carries key material or frame bytes.
/// </summary>
internal static partial class TransportLog
{
    [LoggerMessage(4100, LogLevel.Information, "Cluster transport listening on {Endpoint} (max frame {MaxFrameSize} bytes)")]
    public static partial void Listening(ILogger logger, string endpoint, int maxFrameSize);

    [LoggerMessage(4101, LogLevel.Warning, "Rejected a cluster frame from {Remote} ({Outcome}: {Detail}); connection closed. {Suppressed} more rejection(s) from there since the last report")]
    public static partial void FrameRejected(ILogger logger, string remote, string outcome, string detail, int suppressed);

    [LoggerMessage(4102, LogLevel.Information, "Connected to cluster peer {Peer}")]
    public static partial void PeerConnected(ILogger logger, string peer);

    [LoggerMessage(4103, LogLevel.Information, "Cannot reach cluster peer {Peer}: {Reason}; retrying with backoff up to {MaxDelayMs} ms")]
    public static partial void PeerUnreachable(ILogger logger, string peer, string reason, long maxDelayMs);

    [LoggerMessage(4104, LogLevel.Debug, "Connection to cluster peer {Peer} ended: {Reason}")]
    public static partial void PeerDisconnected(ILogger logger, string peer, string reason);

    [LoggerMessage(4105, LogLevel.Error, "A {Kind} message to {Peer} encodes to a {Bytes}-byte frame, above the maximum frame size {MaxFrameSize}; dropped")]
    public static partial void MessageTooLarge(ILogger logger, string kind, string peer, int bytes, int maxFrameSize);

    [LoggerMessage(4106, LogLevel.Warning, "Send queue to cluster peer {Peer} is full ({Capacity} messages); dropping the oldest. {Dropped} dropped in total so far")]
    public static partial void SendQueueFull(ILogger logger, string peer, int capacity, long dropped);

    [LoggerMessage(4107, LogLevel.Warning, "The consumer of cluster messages lags; dropped the oldest heartbeat or gossip. {Dropped} dropped in total so far")]
    public static partial void IncomingFull(ILogger logger, long dropped);

    [LoggerMessage(4108, LogLevel.Warning, "Refused a cluster connection from {Remote}: {Open} connections are open, the limit is {Limit}")]
    public static partial void TooManyConnections(ILogger logger, string remote, int open, int limit);

    [LoggerMessage(4109, LogLevel.Error, "Unexpected error in the cluster transport ({Where})")]
    public static partial void Unexpected(ILogger logger, Exception error, string where);

    [LoggerMessage(4110, LogLevel.Information, "Cluster transport on {Endpoint} stopped")]
    public static partial void Stopped(ILogger logger, string endpoint);
}
