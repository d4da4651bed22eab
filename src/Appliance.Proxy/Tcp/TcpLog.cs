using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Tcp;

/// <summary>The TCP data plane's log lines. Event ids (300-399) are never reused.</summary>
internal static partial class TcpLog
{
    [LoggerMessage(300, LogLevel.Information, "TCP listener {Listener} accepting on {Address}, forwarding to pool {Pool}")]
    public static partial void ListenerStarted(ILogger logger, string listener, string address, string pool);

    [LoggerMessage(301, LogLevel.Error, "TCP listener {Listener} could not be started")]
    public static partial void ListenerBindFailed(ILogger logger, Exception error, string listener);

    [LoggerMessage(302, LogLevel.Warning, "TCP listener {Listener}: the address changed from {Old} to {New} ({FreeBind}); this needs a restart, the listener keeps {Old} until then")]
    public static partial void ListenerAddressNeedsRestart(ILogger logger, string listener, string old, string @new, string freeBind);

    [LoggerMessage(303, LogLevel.Information, "TCP listener {Listener} stopped accepting; draining {Open} open connection(s) for up to {Drain}")]
    public static partial void ListenerDraining(ILogger logger, string listener, int open, TimeSpan drain);

    [LoggerMessage(304, LogLevel.Warning, "TCP listener {Listener}: drain timeout passed, {Open} connection(s) cut")]
    public static partial void ListenerCut(ILogger logger, string listener, int open);

    [LoggerMessage(305, LogLevel.Information, "TCP listener {Listener} bound {Address} with IP_FREEBIND before the address is on this node; it receives traffic once the address arrives")]
    public static partial void BoundNonLocal(ILogger logger, string listener, string address);

    [LoggerMessage(306, LogLevel.Warning, "TCP backend {Pool}/{Backend} marked down after failed connects; tried again after {Period}")]
    public static partial void PassivelyDown(ILogger logger, string pool, string backend, TimeSpan period);

    [LoggerMessage(307, LogLevel.Warning, "TCP backend {Pool}/{Backend} is now {Verdict} by active checks")]
    public static partial void HealthChanged(ILogger logger, string pool, string backend, string verdict);

    [LoggerMessage(308, LogLevel.Warning, "TCP listener {Listener}: accept failed ({Error}); retrying")]
    public static partial void AcceptFailed(ILogger logger, string listener, string error);

    [LoggerMessage(309, LogLevel.Debug, "TCP listener {Listener}: connection from {Remote} closed: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string listener, string remote, string reason);

    [LoggerMessage(310, LogLevel.Error, "TCP listener {Listener}: connection from {Remote} failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, Exception error, string listener, string remote);

    [LoggerMessage(311, LogLevel.Error, "TCP event loop: a connection's handler failed; the connection was cut")]
    public static partial void LoopHandlerFailed(ILogger logger, Exception error);

    [LoggerMessage(312, LogLevel.Error, "TCP event loop: epoll_wait failed with errno {Errno}")]
    public static partial void LoopWaitFailed(ILogger logger, int errno);

    [LoggerMessage(313, LogLevel.Information, "TCP data path: {Loops} epoll event loop thread(s)")]
    public static partial void LoopsStarted(ILogger logger, int loops);

    [LoggerMessage(314, LogLevel.Information, "TCP data path: .NET sockets ({Reason})")]
    public static partial void SocketEngine(ILogger logger, string reason);
}
