using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Edge;

/// <summary>The HTTP edge's log lines. Event ids (200-299) are never reused.</summary>
internal static partial class EdgeLog
{
    [LoggerMessage(200, LogLevel.Warning, "Listener {Listener} holds its maximum of {Limit} connections (MaxConnections): new connections are closed at once; {Refused} refused since the last report")]
    public static partial void ConnectionLimitReached(ILogger logger, string listener, int limit, long refused);
}
